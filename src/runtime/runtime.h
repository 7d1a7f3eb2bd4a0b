// The runtime's interface to the engine: start a sandbox from a plan (clone into new
// namespaces, replay the setup checklist, leave a minimal pid 1 running), then ask that pid 1
// to spawn processes and report their ends. Never touches the store.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runtime/plan.h"
#include "sbx/error.h"
#include "util/fd.h"

namespace sbx {

// A process to start inside a live sandbox: argv (PATH is searched inside when argv[0] has no
// slash), the complete environment as KEY=VALUE, and the working directory.
struct ProcessSpec {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string cwd = "/";
};

// The sandbox's pid 1, as seen from the host: its pid, a pidfd, and the control socket.
struct SandboxProcess {
  pid_t pid = -1;
  UniqueFd pidfd;
  UniqueFd control;
  // Its user and network namespaces, opened before pid 1 became non-dumpable (after that, only
  // a process privileged on the host could open them); empty unless plan.network_helpers.
  UniqueFd userns;
  UniqueFd netns;
  // Its mount namespace, opened likewise. Held, pid 1's exit leaves unmounting the sandbox's
  // tree to whoever closes it last (the supervisor, once it has announced the end).
  UniqueFd mntns;
  UniqueFd layer;  // --disk: O_PATH root of the tmpfs holding upper/, work/ and tmp/
};

class LimitsBackend;

// Clones the sandbox and waits until its setup has finished (or failed, with the step named).
// The caller must be single-threaded. The sandbox dies with the calling process. With limits,
// pid 1 starts inside the backend's cgroup (before it runs any of the plan). meanwhile, when
// given, runs in the caller while pid 1 mounts, with the sandbox as far as it exists (a
// one-shot records itself then, and may queue its command's spawn request); if it fails, the
// sandbox is killed and its error returned.
Result<SandboxProcess> start_sandbox(
    const SandboxPlan& plan, LimitsBackend* limits = nullptr,
    const std::function<Status(const SandboxProcess&)>& meanwhile = {});

// Writes "deny" to setgroups, then the identity's uid_map and gid_map, for process pid that has
// just made a new user namespace (also used to unpack image layers with shifted ownership).
Status write_id_maps(pid_t pid, const Identity& id);

// Supervisor side of the pid 1 protocol.
// kept: under a keeper, so that a kill reaches everything the process started (keeper.h);
// false only for the entrypoint, whose end ends the sandbox anyway.
Status spawn_in_sandbox(int control, uint64_t seq, bool kept, const ProcessSpec& spec, int in,
                        int out, int err);
Status signal_in_sandbox(int control, uint64_t seq, int sig);

struct InitEvent {
  enum class Kind { kStarted, kExited } kind = Kind::kStarted;
  uint64_t seq = 0;
  int pid = 0;          // kStarted: the pid inside the sandbox
  int wait_status = 0;  // kExited: as from waitpid()
};
// One event from pid 1; empty when pid 1 has gone.
Result<std::optional<InitEvent>> receive_init_event(int control);

// Return code of a wait status: the exit code, or 128+N for signal N.
int returncode_of(int wait_status);

// Runs as pid 1 inside the sandbox once setup is done: spawns what the supervisor asks for,
// reaps every child, reports ends. Never returns.
[[noreturn]] void init_main(int control, const SandboxPlan& plan);

}  // namespace sbx
