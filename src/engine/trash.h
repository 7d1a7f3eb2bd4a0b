// Removal of ended one-shots' directories, off the path of the command that ended them. On a
// filesystem mounted with `discard` (the benchmark machine's ext4), each rmdir waits for the
// device: a one-shot's writable layer (upper/, work/ and what overlayfs makes in it) took about
// 1.3 ms to remove, after its command had ended and before `sbx run` could exit. So a
// foreground one-shot moves its directory into sandboxes/.trash (one rename), and the next
// one-shot empties the trash while its own command runs, when the CLI only waits. What is in
// the trash waits at most until the next `sbx run`, which removes it or, when it is clean,
// keeps it for the next sandbox to take (below). Detached sandboxes still remove their own:
// nobody waits for their supervisor's end.
#pragma once

#include <sys/types.h>

#include <string>

#include "sbx/error.h"

namespace sbx {

// Moves the ended sandbox's directory (its lock already gone) into the trash.
Status move_to_trash(const std::string& home, const std::string& id);

// The uid and gid outside of a sandbox's root: whose directories these are.
struct TrashOwner {
  uid_t uid;
  gid_t gid;
};

// One step of emptying the trash: at most `budget` unlinks and rmdirs, skipped while another
// process takes a step. Returns whether anything may be left for another step. A one-shot's
// supervisor takes steps between its events, so that however much an earlier one-shot left
// behind, its own command's end and signals are never kept waiting long. Only `owner`'s
// directories are kept for reuse (below); all others are removed.
bool empty_trash_some(const std::string& home, int budget, TrashOwner owner);

// Directories are reused rather than removed where that is safe. A trashed directory whose
// upper/ is exactly as made (empty, mode 0755, its owner's, no xattr or inode flag of the
// sandbox's) is kept, with only overlayfs's work/work removed, under a hidden ".clean-" name
// (at most a few), and the next sandbox of that owner takes it (one rename) instead of making
// a new one (three mkdirs, their chmods and chowns); its removal would have cost the same
// again. Anything a sandbox could have left in what it saw of its root disqualifies a
// directory; it is checked when kept and again when taken (one that fails goes back to the
// emptier). Returns whether dest now is such a directory.
bool reuse_trashed_dir(const std::string& home, const std::string& dest, TrashOwner owner);

}  // namespace sbx
