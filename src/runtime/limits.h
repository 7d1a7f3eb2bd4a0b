// Resource limits of a sandbox, enforced by one of three backends behind one interface:
// cgroup v2 (its own subtree as root, a delegated one rootless), cgroup v1 (a group per
// controller, nested under sbx's own), or per-process rlimits as the last fallback. The
// supervisor makes the backend before clone() and removes it after the sandbox's pid 1 died.
// Runs in the parent (host side), except the rlimit values, which the sandbox applies itself.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/plan.h"
#include "sbx/error.h"
#include "sbx/types.h"

namespace sbx {

enum class LimitsKind { kNone, kCgroup2, kCgroup1, kRlimit };
const char* limits_kind_name(LimitsKind k);  // "", "cgroup2", "cgroup1", "rlimit"

// What a sandbox used, as far as the backend can tell.
struct Usage {
  std::optional<int64_t> peak_memory;  // bytes
  std::optional<double> cpu_seconds;
};

// One sandbox's limits on the host: a cgroup (v1 or v2) or nothing but rlimits.
class LimitsBackend {
 public:
  virtual ~LimitsBackend() = default;
  virtual LimitsKind kind() const = 0;
  // v2: a directory fd for clone3's CLONE_INTO_CGROUP; -1 otherwise.
  virtual int clone_into_fd() const { return -1; }
  // v1: moves the (still waiting) child into the sandbox's groups.
  virtual Status attach(pid_t /*pid*/) { return {}; }
  // Readable when the OOM killer acted in the sandbox; -1 when the backend cannot tell.
  virtual int oom_fd() const { return -1; }
  // How many processes the OOM killer has killed in the sandbox so far.
  virtual int64_t oom_kills() const { return 0; }
  virtual Usage usage() const { return {}; }
  // Kills what is left (where the kernel offers it) and removes the groups. Idempotent.
  virtual void remove() {}
};

// The backend sbx would use here for these limits (kNone when none of cpu, memory, pids and
// nofile is asked). Looks at the host only; changes nothing.
LimitsKind detect_limits(const ResourceLimits& limits);

// Makes the sandbox's groups and writes the limits into them (kind from detect_limits).
Result<std::unique_ptr<LimitsBackend>> make_limits(LimitsKind kind, const std::string& sandbox_id,
                                                   const ResourceLimits& limits);

// The rlimits every process of the sandbox gets: --nofile always; with the rlimit backend also
// --memory (RLIMIT_DATA, per process), --pids (RLIMIT_NPROC, which counts the tasks of the
// sandbox's own user namespace) and --cpu (RLIMIT_CPU: cpus x timeout CPU seconds per process).
std::vector<RlimitSetting> rlimits_for(LimitsKind kind, const ResourceLimits& limits,
                                       int64_t timeout_s);

// Removes the groups a sandbox's supervisor left behind (it was killed). Best effort.
void remove_stale_limits(const std::string& sandbox_id);

// The two cgroup implementations (cgroup1.cc, cgroup2.cc).
bool cgroup2_usable();
bool cgroup1_usable();
Result<std::unique_ptr<LimitsBackend>> make_cgroup2(const std::string& name,
                                                    const ResourceLimits& limits);
Result<std::unique_ptr<LimitsBackend>> make_cgroup1(const std::string& name,
                                                    const ResourceLimits& limits);
void remove_stale_cgroup2(const std::string& name);
void remove_stale_cgroup1(const std::string& name);

// Small file helpers the cgroup implementations share.
namespace cgroup {
std::string read_text(const std::string& path);  // "" when unreadable
Status write_text(const std::string& path, const std::string& text);
// The number after `key ` in a "key value" per line file (memory.events, cpu.stat, ...).
std::optional<int64_t> keyed_value(const std::string& text, const std::string& key);
// rmdir, retried briefly while the kernel still releases the group (EBUSY).
void remove_dir(const std::string& path);
}  // namespace cgroup

}  // namespace sbx
