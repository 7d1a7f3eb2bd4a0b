// The per-process keeper (keeper.cc): a subreaper between pid 1 and each process it starts, so
// that a kill reaches everything the process started. Runs inside the sandbox.
#pragma once

#include <signal.h>
#include <sys/types.h>

namespace sbx {

// Sent by pid 1 to a keeper: SIGKILL the process and all its descendants, then exit.
inline constexpr int kKillTree = SIGUSR2;

// The signals a keeper waits for; block them before forking the process (which unblocks all).
void keeper_signals(sigset_t* set);

// The keeper's life once it forked `child`: never returns.
[[noreturn]] void keep(pid_t child);

}  // namespace sbx
