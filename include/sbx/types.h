// Plain value types shared by the engine, the CLI and (later) the HTTP API: what a caller asks
// for (specs) and what sbx knows (infos). No behaviour lives here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sbx {

using EnvList = std::vector<std::pair<std::string, std::string>>;
using TagMap = std::map<std::string, std::string>;

// Sandbox limits (Modal's): the default and the largest timeout, in seconds.
inline constexpr int64_t kDefaultTimeoutSeconds = 300;
inline constexpr int64_t kMaxTimeoutSeconds = 24 * 60 * 60;

// Modal's return codes for ends that are not the process's own exit.
inline constexpr int kReturnCodeTimeout = 124;
inline constexpr int kReturnCodeTerminated = 137;

struct MountSpec {
  std::string host_path;     // absolute, resolved by the engine
  std::string sandbox_path;  // absolute path inside the sandbox
  bool read_only = false;
};

struct SandboxSpec {
  std::string app = "default";
  std::string name;  // optional; unique among the app's running sandboxes
  std::vector<MountSpec> mounts;
  std::string workdir;               // absolute; empty means "/"
  EnvList env;                       // explicit --env pairs
  std::vector<std::string> secrets;  // names of secrets whose pairs join the environment
  int64_t timeout_s = kDefaultTimeoutSeconds;
  int64_t idle_timeout_s = 0;  // 0: none
  TagMap tags;
  std::vector<std::string> command;  // entrypoint argv; empty: the sandbox just stays up
  std::string policy = "default";    // seccomp profile: a shipped name or a JSON file's path
};

struct ExecSpec {
  std::vector<std::string> argv;
  std::string workdir;  // empty: the sandbox's workdir
  EnvList env;
  std::vector<std::string> secrets;
  int64_t timeout_s = 0;  // 0: none (the sandbox's own timeout still applies)
  bool detach = false;
};

// Why a sandbox or process ended.
enum class EndReason { kNone, kExit, kSignal, kTimeout, kIdle, kTerminated, kLost };
const char* end_reason_name(EndReason r);
EndReason end_reason_from_name(const std::string& s);

struct AppInfo {
  std::string id;
  std::string name;
  double created_at = 0;
  int running = 0;  // running sandboxes
};

struct SandboxInfo {
  std::string id;
  std::string app;
  std::string name;
  std::string state;  // "creating", "running" or "ended"
  std::vector<std::string> command;
  std::string workdir;
  std::vector<MountSpec> mounts;
  std::vector<std::string> env_keys;  // never the values
  std::vector<std::string> secrets;   // names only
  int64_t timeout_s = 0;
  int64_t idle_timeout_s = 0;
  TagMap tags;
  double created_at = 0;
  std::optional<double> ended_at;
  std::optional<int> returncode;
  EndReason end_reason = EndReason::kNone;
  int64_t supervisor_pid = 0;
  std::string policy;
};

struct ProcessInfo {
  std::string id;
  std::string sandbox_id;
  std::vector<std::string> argv;
  std::string state;  // "running" or "ended"
  double started_at = 0;
  std::optional<double> ended_at;
  std::optional<int> returncode;
  EndReason end_reason = EndReason::kNone;
  bool detached = false;
};

}  // namespace sbx
