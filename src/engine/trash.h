// Removal of ended one-shots' directories, off the path of the command that ended them. On a
// filesystem mounted with `discard` (the benchmark machine's ext4), each rmdir waits for the
// device: a one-shot's writable layer (upper/, work/ and what overlayfs makes in it) took about
// 1.3 ms to remove, after its command had ended and before `sbx run` could exit. So a
// foreground one-shot moves its directory into sandboxes/.trash (one rename), and the next
// one-shot empties the trash while its own command runs, when the CLI only waits. Nothing in
// the trash is ever read again; it waits at most until the next `sbx run`. Detached sandboxes
// still remove their own: nobody waits for their supervisor's end.
#pragma once

#include <string>

#include "sbx/error.h"

namespace sbx {

// Moves the ended sandbox's directory (its lock already gone) into the trash.
Status move_to_trash(const std::string& home, const std::string& id);

// One step of emptying the trash: at most `budget` unlinks and rmdirs, skipped while another
// process takes a step. Returns whether anything may be left for another step. A one-shot's
// supervisor takes steps between its events, so that however much an earlier one-shot left
// behind, its own command's end and signals are never kept waiting long.
bool empty_trash_some(const std::string& home, int budget);

}  // namespace sbx
