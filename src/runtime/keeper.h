// The per-process keeper (keeper.cc): a subreaper between pid 1 and each process it starts, so
// that a kill reaches everything the process started. Runs inside the sandbox.
#pragma once

#include <signal.h>
#include <sys/types.h>

namespace sbx {

// Sent by pid 1 to a keeper: SIGKILL the process and all its descendants, then exit.
inline constexpr int kKillTree = SIGUSR2;

// A keeper being started: start_process runs in the keeper and returns the pid of the process
// it started (a child of the keeper), or -1 with errno.
struct KeeperLaunch {
  pid_t (*start_process)(void* arg);
  void* arg;
};

// A started keeper: its pid, the process's pid (or -1 and the errno of its start), and the
// stack pid 1 frees with release_keeper() once it has reaped the keeper.
struct Keeper {
  pid_t pid = -1;
  pid_t process = -1;
  int error = 0;
  void* stack = nullptr;
};

// Starts a keeper in pid 1's own memory (clone with CLONE_VM: nothing copied, no copy-on-write
// faults afterwards) and returns once it has started the process, so that everything
// launch.arg points to may be freed. keeper.pid is -1 (and errno set) when no keeper started.
Keeper start_keeper(const KeeperLaunch& launch);
void release_keeper(Keeper& keeper);

}  // namespace sbx
