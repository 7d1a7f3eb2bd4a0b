// Seccomp profiles in the OCI / Docker JSON format: parsed and checked in the parent, compiled
// with libseccomp to classic BPF (cached on disk per profile), and installed by apply_seccomp()
// in the forked child, last, just before execve. Only apply_seccomp() runs after fork().
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sbx/error.h"
#include "util/fnv1a.h"

namespace sbx {

// SCMP_ACT_*; kKill is the old spelling of kKillThread, kept apart so profiles round-trip.
enum class SeccompActionKind {
  kKillProcess,
  kKillThread,
  kKill,
  kTrap,
  kErrno,
  kTrace,
  kLog,
  kAllow
};

struct SeccompAction {
  SeccompActionKind kind = SeccompActionKind::kErrno;
  std::optional<uint32_t> ret;   // errnoRet as written; ERRNO and TRACE without it mean EPERM
  uint32_t errno_value() const;  // ret, or EPERM
  friend bool operator==(const SeccompAction&, const SeccompAction&) = default;
};

// SCMP_CMP_*; for kMaskedEq, value is the mask and value_two the value: (arg & value) == value_two.
enum class SeccompOp { kNe, kLt, kLe, kEq, kGe, kGt, kMaskedEq };

struct SeccompArg {
  unsigned index = 0;  // 0..5
  uint64_t value = 0;
  std::optional<uint64_t> value_two;
  SeccompOp op = SeccompOp::kEq;
  friend bool operator==(const SeccompArg&, const SeccompArg&) = default;
};

// "includes" / "excludes" of a rule: Go architecture names (amd64, arm64, ...), capability
// names, and a minimum kernel version ("4.8").
struct SeccompFilter {
  std::vector<std::string> arches;
  std::vector<std::string> caps;
  std::string min_kernel;
  bool empty() const { return arches.empty() && caps.empty() && min_kernel.empty(); }
  friend bool operator==(const SeccompFilter&, const SeccompFilter&) = default;
};

// One element of "syscalls"; several args on the same index are alternatives (as in runc and
// crun), args on different indexes must all hold.
struct SeccompRule {
  std::vector<std::string> names;
  SeccompAction action;
  std::vector<SeccompArg> args;
  SeccompFilter includes;
  SeccompFilter excludes;
  std::string comment;
  friend bool operator==(const SeccompRule&, const SeccompRule&) = default;
};

struct SeccompArchMap {
  std::string architecture;
  std::vector<std::string> sub_architectures;
  friend bool operator==(const SeccompArchMap&, const SeccompArchMap&) = default;
};

// A finding of check_seccomp_profile(): an error (the profile is refused) or a warning (it is
// used, without the named part). path is the JSON path, e.g. "syscalls[3].action".
struct ProfileProblem {
  bool warning = false;
  std::string source;
  std::string path;
  std::string message;
  // "default.json: syscalls[3].action: unknown action \"SCMP_ACT_FOO\""
  std::string to_string() const;
  friend bool operator==(const ProfileProblem&, const ProfileProblem&) = default;
};

struct SeccompProfile {
  std::string source;  // the name used in messages
  SeccompAction default_action;
  std::vector<std::string> architectures;  // SCMP_ARCH_*, as written (only the native one is used)
  std::vector<SeccompArchMap> arch_map;
  std::vector<std::string> flags;  // SECCOMP_FILTER_FLAG_*
  std::vector<SeccompRule> rules;
  std::vector<ProfileProblem> warnings;  // e.g. syscall names unknown to libseccomp, skipped
  friend bool operator==(const SeccompProfile&, const SeccompProfile&) = default;
};

// The compiled filter, ready for seccomp(SECCOMP_SET_MODE_FILTER, flags, ...).
struct SeccompProgram {
  std::vector<sock_filter> filter;
  unsigned flags = 0;  // SECCOMP_FILTER_FLAG_* (only LOG is passed through)
};

// Parses a profile; the error names the place: "default.json: syscalls[3].action: unknown
// action \"SCMP_ACT_FOO\"". Unknown syscall names and ignored fields become warnings.
Result<SeccompProfile> parse_seccomp_profile(std::string_view json, const std::string& source_name);
// Every error and warning of a profile, each with its JSON path (for `sbx policy check`).
std::vector<ProfileProblem> check_seccomp_profile(std::string_view json,
                                                  const std::string& source_name);
// The profile as OCI JSON text (pretty); parsing it again gives an equal profile.
std::string seccomp_profile_to_json(const SeccompProfile& profile);

// Whether a rule's includes/excludes hold on this host for a sandbox that keeps the
// capabilities of caps.h; when they do not, *why says which condition failed.
bool seccomp_rule_applies(const SeccompRule& rule, std::string* why = nullptr);

// Compiles with libseccomp, in the parent. i386 and x32 system calls always kill the process.
// A conditional rule of a syscall that also has an unconditional rule is checked first.
Result<SeccompProgram> compile_seccomp(const SeccompProfile& profile);

// Installs the filter on the calling thread; no_new_privs must already be set. Returns 0 or an
// errno value. Async-signal-safe, no allocation: runs in the child after fork().
int apply_seccomp(const SeccompProgram& program);

// For `sbx policy show`: the default action, the allowed syscalls (sorted, wrapped), then every
// other rule with its action, arguments and conditions.
std::string describe_seccomp_profile(const SeccompProfile& profile);

// The profiles built into the binary (policies/NAME.json at build time): default, strict,
// permissive.
std::vector<std::string> builtin_policy_names();
std::optional<std::string_view> builtin_policy_text(std::string_view name);
// The FNV-1a hash of a profile's JSON text, which keys its compiled filter in the cache. A
// built-in profile's is computed at build time (builtin_policy_hash): a start then reads none
// of its text, about four pages of the binary that each cost a fault here.
constexpr uint64_t policy_text_hash(std::string_view json) { return fnv1a(json); }
std::optional<uint64_t> builtin_policy_hash(std::string_view name);

// A NAME means a built-in profile; a PATH (with a '/' or ending in ".json") a user's file. The
// compiled filter is cached in cache_dir (no caching when it is empty), keyed by a hash of the
// JSON text, the libseccomp version, the architecture and the kernel release.
Result<SeccompProfile> load_policy_profile(const std::string& name_or_path);
Result<SeccompProgram> load_policy(const std::string& name_or_path, const std::string& cache_dir);
// The cache file load_policy() uses for a profile's JSON text.
std::string seccomp_cache_path(const std::string& cache_dir, std::string_view json);

}  // namespace sbx
