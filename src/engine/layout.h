// Where sbx keeps its state. $SBX_HOME, else $XDG_DATA_HOME/sbx or ~/.local/share/sbx when
// rootless, /var/lib/sbx as root; every directory sbx makes there is 0700.
//   sbx.db                         the store
//   base/skeleton-UID              the host base's lowest overlay layer, per sandbox identity
//   sandboxes/ID/lock              held (flock) by the sandbox's supervisor for its whole life
//   sandboxes/ID/ctl.sock          the supervisor's control socket
//   sandboxes/ID/upper, work       the sandbox's writable overlay layer (removed at its end)
//   sandboxes/ID/logs/stdout, stderr   the entrypoint's output
//   sandboxes/ID/procs/PR.out, PR.err  output of detached processes
//   sandboxes/.trash/ID            an ended one-shot's directory, until the next one-shot
// Once a sandbox has ended, its directory stays only if it holds output (logs/, procs/).
#pragma once

#include <string>

#include "sbx/error.h"

namespace sbx {

Result<std::string> resolve_home();

struct SandboxLayout {
  std::string dir;
  std::string lock() const { return dir + "/lock"; }
  std::string socket() const { return dir + "/ctl.sock"; }
  std::string upper() const { return dir + "/upper"; }
  std::string work() const { return dir + "/work"; }
  std::string logs() const { return dir + "/logs"; }
  std::string stdout_log() const { return dir + "/logs/stdout"; }
  std::string stderr_log() const { return dir + "/logs/stderr"; }
  std::string procs() const { return dir + "/procs"; }
  std::string proc_out(const std::string& pr) const { return dir + "/procs/" + pr + ".out"; }
  std::string proc_err(const std::string& pr) const { return dir + "/procs/" + pr + ".err"; }
};

inline SandboxLayout sandbox_layout(const std::string& home, const std::string& id) {
  return {home + "/sandboxes/" + id};
}
inline std::string trash_dir(const std::string& home) { return home + "/sandboxes/.trash"; }
inline std::string store_path(const std::string& home) { return home + "/sbx.db"; }
inline std::string skeleton_dir(const std::string& home, uint32_t uid) {
  return home + "/base/skeleton-" + std::to_string(uid);
}

}  // namespace sbx
