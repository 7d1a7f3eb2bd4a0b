// The supervisor: the small host-side process that holds one sandbox for its whole life. It
// starts the sandbox, serves its control socket (exec, wait, terminate), streams the
// entrypoint's output into the state dir, enforces the timeout and idle timeout, and records
// the end in the store. Detached for `sbx create`, in the caller's process for `sbx run`.
// Single-threaded.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/limits.h"
#include "runtime/plan.h"
#include "sbx/engine.h"
#include "sbx/error.h"
#include "sbx/types.h"

namespace sbx {

class Store;

// The wire protocol between CLI calls and a supervisor (first field of each message).
inline constexpr const char* kReqExec = "exec";  // detach, timeout_ms, cwd, argc, argv…, env…
inline constexpr const char* kReqWait = "wait";  // target ("" = the sandbox, or pr-…)
inline constexpr const char* kReqTerminate = "terminate";  //
inline constexpr const char* kReqLayer = "layer";          // -> kRepLayer with the upper dir fd
inline constexpr const char* kRepStarted = "started";      // pr-…
inline constexpr const char* kRepExited = "exited";        // returncode, reason
inline constexpr const char* kRepError = "error";          // kind, message
inline constexpr const char* kRepLayer = "layer";          // (one fd: O_PATH of upper/)

// Facts a supervisor learns about its sandbox, for the row's runtime_json: key, JSON text.
using RuntimeValues = std::vector<std::pair<std::string, std::string>>;

struct SupervisorConfig {
  std::string home;
  std::string id;
  SandboxPlan plan;
  EnvList env;  // the sandbox's whole environment (base, --env, secrets)
  std::string workdir = "/";
  std::vector<std::string> command;
  int64_t timeout_s = kDefaultTimeoutSeconds;
  int64_t idle_timeout_s = 0;
  std::string network = "none";  // "none", "nat" or "host" (sandbox_network.h)
  std::vector<int> ports;        // container ports to forward from the host's loopback
  ResourceLimits limits;
  LimitsKind limits_kind = LimitsKind::kNone;  // from detect_limits, chosen with the plan
  bool foreground = false;  // `sbx run`: the entrypoint uses `stdio`, signals are forwarded
  Stdio stdio;
  int ready_fd = -1;  // detached: the verdict for the creating CLI (parse_verdict)
  int ack_fd = -1;    // detached: the CLI writes one byte once it recorded the sandbox and
                      // printed its id; EOF first means it died, and the sandbox is torn down
  // A one-shot: records the sandbox as running, with the runtime values learnt so far, while
  // its sandbox starts; returns the store where the sandbox's end goes, or nullptr when the row
  // went to the store's journal (Store::journal_sandbox: an unnamed one-shot). Then its end is
  // journalled too, and open_store is called only if something else must be written (a process
  // exec'd into it). Recording in the store itself takes a few milliseconds, spent while
  // something else runs: while pid 1 mounts, or, when nothing the caller chose can make the
  // insert fail (no name to be taken: record_after_spawn), once the command has been handed to
  // pid 1.
  std::function<Result<Store*>(const RuntimeValues&)> record;
  std::function<Result<Store*>()> open_store;
  bool record_after_spawn = false;
};

// Runs the sandbox to its end and returns its return code. A one-shot's supervisor is the
// caller, which records the sandbox through cfg.record. A detached supervisor leaves recording
// it, with what the supervisor learnt (the verdict), to the creating CLI, and opens its own
// store only once it has handed the sandbox over; it records nothing before the CLI's ack.
Result<int> supervise(SupervisorConfig& cfg);

// What a detached supervisor tells the creating CLI on ready_fd: "OK <pid>\n" followed by one
// "<key> <json>\n" line per runtime value to record (Store::mark_running), or
// "ERR <kind>\t<message>\n".
struct Verdict {
  int64_t supervisor_pid = 0;
  RuntimeValues runtime_values;
};
Result<Verdict> parse_verdict(const std::string& text);

}  // namespace sbx
