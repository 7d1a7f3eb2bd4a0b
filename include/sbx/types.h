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

// Resource limits of a sandbox; 0 means "no limit". Enforced with cgroup v2 where usable,
// cgroup v1 where that is what the host has, else rlimits (the engine says which).
struct ResourceLimits {
  double cpus = 0;           // CPU bandwidth in CPUs (0.5, 2, ...)
  int64_t memory_bytes = 0;  // memory (and swap) of the whole sandbox
  int64_t pids = 0;          // tasks alive at once in the sandbox
  int64_t disk_bytes = 0;    // size of the sandbox's writable layer
  int64_t nofile = 0;        // open files per process
};

// A host port forwarded to a port inside the sandbox (Modal's tunnels).
struct Tunnel {
  int container_port = 0;
  std::string host_address;  // "127.0.0.1"
  int host_port = 0;
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
  ResourceLimits limits;
  std::string network = "none";  // "none" (loopback only), "nat" or "host"
  std::vector<int> ports;        // container ports to forward from a fresh 127.0.0.1 port
  std::string image;             // image id or name; empty: the host base
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
enum class EndReason { kNone, kExit, kSignal, kTimeout, kIdle, kTerminated, kLost, kOom };
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
  ResourceLimits limits;
  std::string network;
  std::vector<int> ports;
  std::string image;  // the image id; empty: the host base
  // Facts the supervisor records while the sandbox runs (the store's runtime_json).
  std::vector<Tunnel> tunnels;
  std::string limits_backend;  // "cgroup2", "cgroup1", "rlimit" or "" (no limits asked)
  std::optional<int64_t> peak_memory_bytes;
  std::optional<double> cpu_seconds;
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

// One line of `sbx doctor`: a host feature, tried for real.
struct HostCheck {
  std::string name;       // "user_namespaces", "overlayfs", ...
  std::string status;     // "ok", "degraded" or "missing"
  std::string found;      // what the check saw
  std::string without;    // what sbx does when the feature is absent
  bool required = false;  // sbx cannot start a sandbox without it
};

}  // namespace sbx
