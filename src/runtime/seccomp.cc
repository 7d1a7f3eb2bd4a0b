// Seccomp profiles: OCI / Docker JSON read into a SeccompProfile (with every problem reported
// by its JSON path), compiled with libseccomp into one classic BPF program, cached on disk, and
// installed just before execve. Everything but apply_seccomp() runs in the parent; nothing here
// keeps state between calls except the host facts read once (thread-safe statics).
#include "runtime/seccomp.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <tuple>

#include "runtime/caps.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/json.h"

namespace sbx {

namespace {

// ---- Names of the format ----

struct ActionName {
  const char* name;
  SeccompActionKind kind;
};
constexpr ActionName kActions[] = {
    {"SCMP_ACT_KILL_PROCESS", SeccompActionKind::kKillProcess},
    {"SCMP_ACT_KILL_THREAD", SeccompActionKind::kKillThread},
    {"SCMP_ACT_KILL", SeccompActionKind::kKill},
    {"SCMP_ACT_TRAP", SeccompActionKind::kTrap},
    {"SCMP_ACT_ERRNO", SeccompActionKind::kErrno},
    {"SCMP_ACT_TRACE", SeccompActionKind::kTrace},
    {"SCMP_ACT_LOG", SeccompActionKind::kLog},
    {"SCMP_ACT_ALLOW", SeccompActionKind::kAllow},
};

struct OpName {
  const char* name;
  SeccompOp op;
  const char* symbol;
};
constexpr OpName kOps[] = {
    {"SCMP_CMP_NE", SeccompOp::kNe, "!="},
    {"SCMP_CMP_LT", SeccompOp::kLt, "<"},
    {"SCMP_CMP_LE", SeccompOp::kLe, "<="},
    {"SCMP_CMP_EQ", SeccompOp::kEq, "=="},
    {"SCMP_CMP_GE", SeccompOp::kGe, ">="},
    {"SCMP_CMP_GT", SeccompOp::kGt, ">"},
    {"SCMP_CMP_MASKED_EQ", SeccompOp::kMaskedEq, "&"},
};

// The OCI runtime spec's architectures; any of them may be listed, only the native one is used.
constexpr const char* kArchitectures[] = {
    "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",    "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",
};

// Filter flags: LOG is passed to seccomp(2); the others make no sense for sbx and are ignored.
constexpr const char* kFlagLog = "SECCOMP_FILTER_FLAG_LOG";
constexpr const char* kIgnoredFlags[] = {"SECCOMP_FILTER_FLAG_TSYNC",
                                         "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                         "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};

#define SBX_CAP_NAME(c) \
  { #c, c }
struct CapName {
  const char* name;
  int cap;
};
constexpr CapName kCapabilities[] = {
    SBX_CAP_NAME(CAP_CHOWN),
    SBX_CAP_NAME(CAP_DAC_OVERRIDE),
    SBX_CAP_NAME(CAP_DAC_READ_SEARCH),
    SBX_CAP_NAME(CAP_FOWNER),
    SBX_CAP_NAME(CAP_FSETID),
    SBX_CAP_NAME(CAP_KILL),
    SBX_CAP_NAME(CAP_SETGID),
    SBX_CAP_NAME(CAP_SETUID),
    SBX_CAP_NAME(CAP_SETPCAP),
    SBX_CAP_NAME(CAP_LINUX_IMMUTABLE),
    SBX_CAP_NAME(CAP_NET_BIND_SERVICE),
    SBX_CAP_NAME(CAP_NET_BROADCAST),
    SBX_CAP_NAME(CAP_NET_ADMIN),
    SBX_CAP_NAME(CAP_NET_RAW),
    SBX_CAP_NAME(CAP_IPC_LOCK),
    SBX_CAP_NAME(CAP_IPC_OWNER),
    SBX_CAP_NAME(CAP_SYS_MODULE),
    SBX_CAP_NAME(CAP_SYS_RAWIO),
    SBX_CAP_NAME(CAP_SYS_CHROOT),
    SBX_CAP_NAME(CAP_SYS_PTRACE),
    SBX_CAP_NAME(CAP_SYS_PACCT),
    SBX_CAP_NAME(CAP_SYS_ADMIN),
    SBX_CAP_NAME(CAP_SYS_BOOT),
    SBX_CAP_NAME(CAP_SYS_NICE),
    SBX_CAP_NAME(CAP_SYS_RESOURCE),
    SBX_CAP_NAME(CAP_SYS_TIME),
    SBX_CAP_NAME(CAP_SYS_TTY_CONFIG),
    SBX_CAP_NAME(CAP_MKNOD),
    SBX_CAP_NAME(CAP_LEASE),
    SBX_CAP_NAME(CAP_AUDIT_WRITE),
    SBX_CAP_NAME(CAP_AUDIT_CONTROL),
    SBX_CAP_NAME(CAP_SETFCAP),
    SBX_CAP_NAME(CAP_MAC_OVERRIDE),
    SBX_CAP_NAME(CAP_MAC_ADMIN),
    SBX_CAP_NAME(CAP_SYSLOG),
    SBX_CAP_NAME(CAP_WAKE_ALARM),
    SBX_CAP_NAME(CAP_BLOCK_SUSPEND),
    SBX_CAP_NAME(CAP_AUDIT_READ),
    SBX_CAP_NAME(CAP_PERFMON),
    SBX_CAP_NAME(CAP_BPF),
    SBX_CAP_NAME(CAP_CHECKPOINT_RESTORE),
};
#undef SBX_CAP_NAME

constexpr uint64_t kMaxErrno = 4095;
constexpr unsigned kMaxArgIndex = 5;

// ---- System call numbers ----

#if defined(__x86_64__)
// x86_64 system calls too new for libseccomp 2.5.4, which stops at futex_requeue (456); a
// newer libseccomp answers first. Numbers from arch/x86/entry/syscalls/syscall_64.tbl.
struct NewerSyscall {
  const char* name;
  int nr;
};
constexpr NewerSyscall kNewerSyscalls[] = {
    {"uretprobe", 335},
    {"statmount", 457},
    {"listmount", 458},
    {"lsm_get_self_attr", 459},
    {"lsm_set_self_attr", 460},
    {"lsm_list_modules", 461},
    {"mseal", 462},
    {"setxattrat", 463},
    {"getxattrat", 464},
    {"listxattrat", 465},
    {"removexattrat", 466},
    {"open_tree_attr", 467},
    {"file_getattr", 468},
    {"file_setattr", 469},
};
// System calls from here on are unknown to sbx: unless a profile names them, a filter that does
// not allow by default answers ENOSYS (so a newer libc falls back) instead of its default
// errno, as runc does. 512 and above are x32 numbers, which always kill.
constexpr int kFirstFutureSyscall = 470;
constexpr int kLastNativeSyscall = 511;
#endif

enum class SyscallKind { kNative, kOtherArch, kUnknown };

struct SyscallLookup {
  SyscallKind kind;
  int nr;  // kNative only
};

SyscallLookup lookup_syscall(const std::string& name) {
  int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, name.c_str());
  if (nr >= 0) return {SyscallKind::kNative, nr};
#if defined(__x86_64__)
  for (const auto& s : kNewerSyscalls)
    if (name == s.name) return {SyscallKind::kNative, s.nr};
#endif
  if (nr != __NR_SCMP_ERROR) return {SyscallKind::kOtherArch, -1};
  return {SyscallKind::kUnknown, -1};
}

int native_syscall(const std::string& name) { return lookup_syscall(name).nr; }

// ---- Facts about the host ----

struct KernelVersion {
  int major = 0, minor = 0, patch = 0;
};

bool operator<(const KernelVersion& a, const KernelVersion& b) {
  return std::tie(a.major, a.minor, a.patch) < std::tie(b.major, b.minor, b.patch);
}

// "4.8" or "5.10.3" (a release such as "6.18.44-fc" is read up to its first non-digit part).
std::optional<KernelVersion> parse_kernel_version(std::string_view s, bool strict) {
  KernelVersion v;
  int* parts[] = {&v.major, &v.minor, &v.patch};
  size_t i = 0, n = 0;
  for (; i < 3; ++i) {
    size_t start = n;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9' && n - start < 6)
      *parts[i] = *parts[i] * 10 + (s[n++] - '0');
    if (n == start) return std::nullopt;
    if (n == s.size() || s[n] != '.') break;
    ++n;
  }
  if (i == 0 || (strict && n != s.size())) return std::nullopt;
  return v;
}

struct HostInfo {
  std::string machine;                  // uname -m
  std::vector<std::string> arch_names;  // names a rule's "arches" may give this host
  std::string release;                  // uname -r
  std::string build;                    // uname -v: which build of that release
  KernelVersion kernel;
};

const HostInfo& host_info() {
  static const HostInfo kHost = [] {
    HostInfo h;
    utsname u{};
    uname(&u);
    h.machine = u.machine;
    h.release = u.release;
    h.build = u.version;
    h.kernel = parse_kernel_version(h.release, false).value_or(KernelVersion{});
    h.arch_names = {h.machine};
    if (h.machine == "x86_64") h.arch_names.push_back("amd64");
    if (h.machine == "aarch64") h.arch_names.push_back("arm64");
    return h;
  }();
  return kHost;
}

bool names_this_host(const std::vector<std::string>& arches) {
  for (const auto& a : arches)
    for (const auto& mine : host_info().arch_names)
      if (a == mine) return true;
  return false;
}

std::optional<int> capability_number(const std::string& name) {
  for (const auto& c : kCapabilities)
    if (name == c.name) return c.cap;
  return std::nullopt;
}

bool sandbox_keeps(const std::string& cap_name) {
  auto cap = capability_number(cap_name);
  return cap && is_kept_capability(*cap);
}

// ---- Small helpers ----

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

const char* action_name(SeccompActionKind kind) {
  for (const auto& a : kActions)
    if (a.kind == kind) return a.name;
  return "?";
}

const OpName& op_info(SeccompOp op) {
  for (const auto& o : kOps)
    if (o.op == op) return o;
  return kOps[0];
}

bool takes_errno(SeccompActionKind kind) {
  return kind == SeccompActionKind::kErrno || kind == SeccompActionKind::kTrace;
}

// ---- Decoding, collecting every problem ----

class Checker {
 public:
  explicit Checker(std::string source) : source_(std::move(source)) {}

  void error(const std::string& path, std::string message) { add(false, path, std::move(message)); }
  void warn(const std::string& path, std::string message) { add(true, path, std::move(message)); }
  // A JsonNode error reads "<path>: <what>"; the path never contains ": ".
  void error(const Error& e) {
    const std::string& m = e.message();
    size_t colon = m.find(": ");
    bool has_path = colon != std::string::npos && m.find(' ') > colon;
    if (has_path)
      error(m.substr(0, colon), m.substr(colon + 2));
    else
      error("", m);
  }
  template <typename T>
  std::optional<T> take(Result<T> r) {
    if (r.ok()) return std::move(r).value();
    error(r.error());
    return std::nullopt;
  }
  bool has_errors() const {
    return std::any_of(problems_.begin(), problems_.end(), [](auto& p) { return !p.warning; });
  }
  std::vector<ProfileProblem>& problems() { return problems_; }
  const std::string& source() const { return source_; }

 private:
  void add(bool warning, const std::string& path, std::string message) {
    problems_.push_back({warning, source_, path, std::move(message)});
  }
  std::string source_;
  std::vector<ProfileProblem> problems_;
};

// The member key of obj (an object), or nothing when it is missing or null.
std::optional<JsonNode> member(const JsonNode& obj, std::string_view key, Checker& c) {
  auto found = c.take(obj.find(key));
  return found ? *found : std::nullopt;
}

std::optional<JsonNode> required(const JsonNode& obj, std::string_view key, Checker& c) {
  auto n = member(obj, key, c);
  if (!n) c.error(child_path(obj.path(), key), "required field is missing");
  return n;
}

bool expect_object(const JsonNode& n, Checker& c) {
  if (n.value().is_object()) return true;
  c.error(n.path(), std::string("expected an object, got ") + n.value().type_name());
  return false;
}

void warn_unknown_keys(const JsonNode& obj, std::initializer_list<std::string_view> known,
                       Checker& c) {
  for (const auto& [key, value] : obj.value().items())
    if (std::find(known.begin(), known.end(), key) == known.end())
      c.warn(child_path(obj.path(), key), "unknown field, ignored");
}

std::vector<std::string> decode_strings(const std::optional<JsonNode>& n, Checker& c) {
  if (!n) return {};
  return c.take(n->strings()).value_or(std::vector<std::string>{});
}

std::optional<SeccompActionKind> decode_action(const JsonNode& n, Checker& c) {
  auto s = c.take(n.string());
  if (!s) return std::nullopt;
  for (const auto& a : kActions)
    if (*s == a.name) return a.kind;
  if (*s == "SCMP_ACT_NOTIFY") {
    c.error(n.path(), "SCMP_ACT_NOTIFY is not supported: sbx runs no seccomp agent");
  } else {
    c.error(n.path(), "unknown action " + quoted(*s));
  }
  return std::nullopt;
}

std::optional<uint32_t> decode_errno(const JsonNode& obj, std::string_view key, Checker& c) {
  auto n = member(obj, key, c);
  if (!n) return std::nullopt;
  auto v = c.take(n->uint64());
  if (v && *v > kMaxErrno) {
    c.error(n->path(), "errno " + std::to_string(*v) + " is out of range (0 to 4095)");
    return std::nullopt;
  }
  return v ? std::optional<uint32_t>(static_cast<uint32_t>(*v)) : std::nullopt;
}

SeccompAction decode_rule_action(const JsonNode& obj, const char* action_key, const char* errno_key,
                                 Checker& c) {
  SeccompAction action;
  if (auto n = required(obj, action_key, c))
    if (auto kind = decode_action(*n, c)) action.kind = *kind;
  action.ret = decode_errno(obj, errno_key, c);
  if (action.ret && !takes_errno(action.kind))
    c.warn(child_path(obj.path(), errno_key),
           std::string("ignored with ") + action_name(action.kind));
  return action;
}

void check_syscall_name(const std::string& name, const std::string& path, Checker& c) {
  if (lookup_syscall(name).kind == SyscallKind::kUnknown)
    c.warn(path, "unknown system call " + quoted(name) + ", skipped");
}

std::vector<std::string> decode_names(const JsonNode& rule, Checker& c) {
  auto names = member(rule, "names", c);
  auto name = member(rule, "name", c);
  if (names && name) c.error(rule.path(), "both \"name\" and \"names\" are given");
  if (!names && !name) c.error(child_path(rule.path(), "names"), "required field is missing");
  std::vector<std::string> out;
  if (name && !names) {
    if (auto s = c.take(name->string())) out.push_back(*s);
    if (!out.empty()) check_syscall_name(out[0], name->path(), c);
    return out;
  }
  if (!names) return out;
  auto elements = c.take(names->elements());
  if (!elements) return out;
  for (const JsonNode& e : *elements) {
    auto s = c.take(e.string());
    if (!s) continue;
    check_syscall_name(*s, e.path(), c);
    out.push_back(std::move(*s));
  }
  if (elements->empty()) c.warn(names->path(), "no system calls named: the rule does nothing");
  return out;
}

std::optional<SeccompOp> decode_op(const JsonNode& n, Checker& c) {
  auto s = c.take(n.string());
  if (!s) return std::nullopt;
  for (const auto& o : kOps)
    if (*s == o.name) return o.op;
  c.error(n.path(), "unknown operator " + quoted(*s));
  return std::nullopt;
}

SeccompArg decode_arg(const JsonNode& n, Checker& c) {
  SeccompArg arg;
  if (!expect_object(n, c)) return arg;
  warn_unknown_keys(n, {"index", "value", "valueTwo", "op"}, c);
  if (auto i = required(n, "index", c)) {
    auto index = c.take(i->uint64());
    if (index && *index > kMaxArgIndex)
      c.error(i->path(), "argument index " + std::to_string(*index) + " is out of range (0 to 5)");
    else if (index)
      arg.index = static_cast<unsigned>(*index);
  }
  if (auto v = required(n, "value", c)) arg.value = c.take(v->uint64()).value_or(0);
  if (auto v = member(n, "valueTwo", c)) arg.value_two = c.take(v->uint64());
  if (auto o = required(n, "op", c)) arg.op = decode_op(*o, c).value_or(SeccompOp::kEq);
  return arg;
}

std::vector<SeccompArg> decode_args(const JsonNode& n, Checker& c) {
  std::vector<SeccompArg> out;
  auto elements = c.take(n.elements());
  if (!elements) return out;
  for (const JsonNode& e : *elements) out.push_back(decode_arg(e, c));
  return out;
}

SeccompFilter decode_filter(const JsonNode& rule, std::string_view key, Checker& c) {
  SeccompFilter f;
  auto n = member(rule, key, c);
  if (!n || !expect_object(*n, c)) return f;
  warn_unknown_keys(*n, {"arches", "caps", "minKernel"}, c);
  f.arches = decode_strings(member(*n, "arches", c), c);
  f.caps = decode_strings(member(*n, "caps", c), c);
  for (size_t i = 0; i < f.caps.size(); ++i)
    if (!capability_number(f.caps[i]))
      c.warn(child_path(n->path(), "caps") + "[" + std::to_string(i) + "]",
             "unknown capability " + quoted(f.caps[i]));
  if (auto k = member(*n, "minKernel", c)) {
    f.min_kernel = c.take(k->string()).value_or("");
    if (!f.min_kernel.empty() && !parse_kernel_version(f.min_kernel, true))
      c.error(k->path(), "expected a kernel version such as \"5.10\", got " + quoted(f.min_kernel));
  }
  return f;
}

SeccompRule decode_rule(const JsonNode& n, Checker& c) {
  SeccompRule rule;
  if (!expect_object(n, c)) return rule;
  warn_unknown_keys(
      n, {"names", "name", "action", "errnoRet", "args", "comment", "includes", "excludes"}, c);
  rule.names = decode_names(n, c);
  rule.action = decode_rule_action(n, "action", "errnoRet", c);
  if (auto a = member(n, "args", c)) rule.args = decode_args(*a, c);
  if (auto m = member(n, "comment", c)) rule.comment = c.take(m->string()).value_or("");
  rule.includes = decode_filter(n, "includes", c);
  rule.excludes = decode_filter(n, "excludes", c);
  return rule;
}

std::vector<std::string> decode_architectures(const JsonNode& root, Checker& c) {
  auto n = member(root, "architectures", c);
  std::vector<std::string> arches = decode_strings(n, c);
  for (size_t i = 0; i < arches.size(); ++i)
    if (std::find(std::begin(kArchitectures), std::end(kArchitectures), arches[i]) ==
        std::end(kArchitectures))
      c.warn(n->path() + "[" + std::to_string(i) + "]",
             "unknown architecture " + quoted(arches[i]));
  return arches;
}

std::vector<SeccompArchMap> decode_arch_map(const JsonNode& root, Checker& c) {
  std::vector<SeccompArchMap> out;
  auto n = member(root, "archMap", c);
  if (!n) return out;
  for (const JsonNode& e : c.take(n->elements()).value_or(std::vector<JsonNode>{})) {
    if (!expect_object(e, c)) continue;
    warn_unknown_keys(e, {"architecture", "subArchitectures"}, c);
    SeccompArchMap m;
    if (auto a = required(e, "architecture", c)) m.architecture = c.take(a->string()).value_or("");
    m.sub_architectures = decode_strings(member(e, "subArchitectures", c), c);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<std::string> decode_flags(const JsonNode& root, Checker& c) {
  auto n = member(root, "flags", c);
  std::vector<std::string> flags = decode_strings(n, c);
  for (size_t i = 0; i < flags.size(); ++i) {
    std::string path = n->path() + "[" + std::to_string(i) + "]";
    bool ignored = std::find(std::begin(kIgnoredFlags), std::end(kIgnoredFlags), flags[i]) !=
                   std::end(kIgnoredFlags);
    if (ignored)
      c.warn(path, quoted(flags[i]) + " is ignored by sbx");
    else if (flags[i] != kFlagLog)
      c.error(path, "unknown flag " + quoted(flags[i]));
  }
  return flags;
}

void warn_listener(const JsonNode& root, Checker& c) {
  for (const char* key : {"listenerPath", "listenerMetadata"}) {
    auto n = member(root, key, c);
    if (n && !(n->value().is_string() && n->value().as_string().empty()))
      c.warn(n->path(), "ignored: sbx runs no seccomp agent");
  }
}

SeccompProfile decode_profile(const JsonNode& root, Checker& c) {
  SeccompProfile p;
  p.source = c.source();
  if (!expect_object(root, c)) return p;
  warn_unknown_keys(root,
                    {"defaultAction", "defaultErrnoRet", "architectures", "archMap", "syscalls",
                     "flags", "listenerPath", "listenerMetadata"},
                    c);
  p.default_action = decode_rule_action(root, "defaultAction", "defaultErrnoRet", c);
  p.architectures = decode_architectures(root, c);
  p.arch_map = decode_arch_map(root, c);
  p.flags = decode_flags(root, c);
  warn_listener(root, c);
  if (auto s = member(root, "syscalls", c))
    for (const JsonNode& e : c.take(s->elements()).value_or(std::vector<JsonNode>{}))
      p.rules.push_back(decode_rule(e, c));
  return p;
}

// Two unconditional rules for one syscall (that both apply here): the first one wins, as in
// libseccomp; the later one is reported.
void warn_shadowed_rules(const SeccompProfile& p, Checker& c) {
  std::map<int, size_t> first;  // syscall -> rule index
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const SeccompRule& r = p.rules[i];
    if (!r.args.empty() || !seccomp_rule_applies(r)) continue;
    for (const auto& name : r.names) {
      int nr = native_syscall(name);
      if (nr < 0) continue;
      auto [it, fresh] = first.try_emplace(nr, i);
      if (!fresh && !(p.rules[it->second].action == r.action))
        c.warn("syscalls[" + std::to_string(i) + "]",
               quoted(name) + " already has a rule without arguments (syscalls[" +
                   std::to_string(it->second) + "]): this one is ignored for it");
    }
  }
}

SeccompProfile read_profile(std::string_view json, Checker& c) {
  auto doc = parse_json(json);
  if (!doc.ok()) {
    c.error("", doc.error().message());
    return {};
  }
  SeccompProfile p = decode_profile(JsonNode(doc.value()), c);
  if (!c.has_errors()) warn_shadowed_rules(p, c);
  return p;
}

}  // namespace

uint32_t SeccompAction::errno_value() const { return ret.value_or(EPERM); }

std::string ProfileProblem::to_string() const {
  std::string out = source.empty() ? "" : source + ": ";
  if (!path.empty()) out += path + ": ";
  return out + (warning ? "warning: " : "") + message;
}

std::vector<ProfileProblem> check_seccomp_profile(std::string_view json,
                                                  const std::string& source_name) {
  Checker c(source_name);
  (void)read_profile(json, c);
  return std::move(c.problems());
}

Result<SeccompProfile> parse_seccomp_profile(std::string_view json,
                                             const std::string& source_name) {
  Checker c(source_name);
  SeccompProfile p = read_profile(json, c);
  std::vector<ProfileProblem> errors, warnings;
  for (auto& problem : c.problems()) (problem.warning ? warnings : errors).push_back(problem);
  if (!errors.empty()) {
    std::string more =
        errors.size() == 1 ? "" : " (and " + std::to_string(errors.size() - 1) + " more errors)";
    return invalid(errors[0].to_string() + more);
  }
  p.warnings = std::move(warnings);
  return p;
}

// ---- Writing a profile back as JSON ----

namespace {

void write_filter(JsonWriter& w, const char* key, const SeccompFilter& f) {
  if (f.empty()) return;
  w.key(key).begin_object();
  if (!f.arches.empty()) w.field("arches", f.arches);
  if (!f.caps.empty()) w.field("caps", f.caps);
  if (!f.min_kernel.empty()) w.field("minKernel", f.min_kernel);
  w.end_object();
}

void write_rule(JsonWriter& w, const SeccompRule& r) {
  w.begin_object().field("names", r.names).field("action", action_name(r.action.kind));
  if (r.action.ret) w.field("errnoRet", *r.action.ret);
  if (!r.args.empty()) {
    w.key("args").begin_array();
    for (const auto& a : r.args) {
      w.begin_object().field("index", a.index).field("value", a.value);
      if (a.value_two) w.field("valueTwo", *a.value_two);
      w.field("op", op_info(a.op).name).end_object();
    }
    w.end_array();
  }
  if (!r.comment.empty()) w.field("comment", r.comment);
  write_filter(w, "includes", r.includes);
  write_filter(w, "excludes", r.excludes);
  w.end_object();
}

}  // namespace

std::string seccomp_profile_to_json(const SeccompProfile& p) {
  JsonWriter w(true);
  w.begin_object().field("defaultAction", action_name(p.default_action.kind));
  if (p.default_action.ret) w.field("defaultErrnoRet", *p.default_action.ret);
  if (!p.architectures.empty()) w.field("architectures", p.architectures);
  if (!p.arch_map.empty()) {
    w.key("archMap").begin_array();
    for (const auto& m : p.arch_map) {
      w.begin_object().field("architecture", m.architecture);
      if (!m.sub_architectures.empty()) w.field("subArchitectures", m.sub_architectures);
      w.end_object();
    }
    w.end_array();
  }
  if (!p.flags.empty()) w.field("flags", p.flags);
  w.key("syscalls").begin_array();
  for (const auto& r : p.rules) write_rule(w, r);
  w.end_array().end_object();
  return w.take() + "\n";
}

// ---- Conditions of a rule ----

bool seccomp_rule_applies(const SeccompRule& rule, std::string* why) {
  auto no = [why](std::string reason) {
    if (why != nullptr) *why = std::move(reason);
    return false;
  };
  const SeccompFilter& in = rule.includes;
  const SeccompFilter& ex = rule.excludes;
  const KernelVersion& kernel = host_info().kernel;
  if (!in.arches.empty() && !names_this_host(in.arches))
    return no("only on " + join(in.arches, ", "));
  for (const auto& cap : in.caps)
    if (!sandbox_keeps(cap)) return no("only with " + cap);
  if (!in.min_kernel.empty()) {
    auto v = parse_kernel_version(in.min_kernel, true);
    if (!v || kernel < *v) return no("only from kernel " + in.min_kernel);
  }
  if (!ex.arches.empty() && names_this_host(ex.arches))
    return no("not on " + join(ex.arches, ", "));
  for (const auto& cap : ex.caps)
    if (sandbox_keeps(cap)) return no("not with " + cap);
  if (!ex.min_kernel.empty()) {
    auto v = parse_kernel_version(ex.min_kernel, true);
    if (!v || !(kernel < *v)) return no("not from kernel " + ex.min_kernel);
  }
  return true;
}

// ---- Compiling with libseccomp ----

namespace {

struct ContextDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using ScmpContext = std::unique_ptr<void, ContextDeleter>;

// The default action of a filter that runs before the profile's own: its "no opinion". No
// profile action can equal it, since a profile's errnoRet is at most 4095.
constexpr uint32_t kDeferAction = SCMP_ACT_TRACE(0xFFFF);

uint32_t scmp_action(const SeccompAction& a) {
  switch (a.kind) {
    case SeccompActionKind::kKillProcess: return SCMP_ACT_KILL_PROCESS;
    case SeccompActionKind::kKillThread:
    case SeccompActionKind::kKill: return SCMP_ACT_KILL_THREAD;
    case SeccompActionKind::kTrap: return SCMP_ACT_TRAP;
    case SeccompActionKind::kErrno: return SCMP_ACT_ERRNO(a.errno_value());
    case SeccompActionKind::kTrace: return SCMP_ACT_TRACE(a.errno_value());
    case SeccompActionKind::kLog: return SCMP_ACT_LOG;
    case SeccompActionKind::kAllow: return SCMP_ACT_ALLOW;
  }
  return SCMP_ACT_KILL_PROCESS;
}

scmp_compare scmp_op(SeccompOp op) {
  switch (op) {
    case SeccompOp::kNe: return SCMP_CMP_NE;
    case SeccompOp::kLt: return SCMP_CMP_LT;
    case SeccompOp::kLe: return SCMP_CMP_LE;
    case SeccompOp::kEq: return SCMP_CMP_EQ;
    case SeccompOp::kGe: return SCMP_CMP_GE;
    case SeccompOp::kGt: return SCMP_CMP_GT;
    case SeccompOp::kMaskedEq: return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

// One libseccomp rule to add: a syscall of one profile rule, with its action.
struct FilterRule {
  int nr = 0;
  uint32_t action = 0;
  const std::vector<SeccompArg>* args = nullptr;  // null: unconditional
  std::string where;                              // "syscalls[3] (ioctl)" for errors
};

// The applicable rules of a profile, per syscall of this architecture.
struct RuleSet {
  std::map<int, FilterRule> unconditional;  // a syscall's first rule without arguments
  std::vector<FilterRule> conditional;
};

RuleSet collect_rules(const SeccompProfile& p) {
  RuleSet set;
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const SeccompRule& r = p.rules[i];
    if (!seccomp_rule_applies(r)) continue;
    for (const auto& name : r.names) {
      int nr = native_syscall(name);
      if (nr < 0) continue;
      FilterRule fr{nr, scmp_action(r.action), r.args.empty() ? nullptr : &r.args,
                    "syscalls[" + std::to_string(i) + "] (" + name + ")"};
      if (fr.args == nullptr)
        set.unconditional.try_emplace(nr, std::move(fr));
      else
        set.conditional.push_back(std::move(fr));
    }
  }
  return set;
}

// ENOSYS for the syscalls sbx does not know, unless the profile allows by default or names them.
void add_future_syscalls(const SeccompProfile& p, const RuleSet& set,
                         std::vector<FilterRule>& out) {
#if defined(__x86_64__)
  auto kind = p.default_action.kind;
  uint32_t fallback = scmp_action(p.default_action);
  if (kind == SeccompActionKind::kAllow || kind == SeccompActionKind::kLog ||
      kind == SeccompActionKind::kTrace || fallback == SCMP_ACT_ERRNO(ENOSYS))
    return;
  std::set<int> named;
  for (const auto& entry : set.unconditional) named.insert(entry.first);
  for (const auto& fr : set.conditional) named.insert(fr.nr);
  for (int nr = kFirstFutureSyscall; nr <= kLastNativeSyscall; ++nr)
    if (named.count(nr) == 0) out.push_back({nr, SCMP_ACT_ERRNO(ENOSYS), nullptr, "future"});
#else
  (void)p, (void)set, (void)out;
#endif
}

struct FilterPlan {
  std::vector<FilterRule> first;  // conditional rules that outrank an unconditional one
  std::vector<FilterRule> main;
};

// A syscall's unconditional rule sets its action; its conditional rules with another action
// are checked before it, in the first filter. Rules that repeat the default are left out.
FilterPlan plan_filter(const SeccompProfile& p) {
  RuleSet set = collect_rules(p);
  FilterPlan plan;
  uint32_t fallback = scmp_action(p.default_action);
  for (const auto& [nr, fr] : set.unconditional)
    if (fr.action != fallback) plan.main.push_back(fr);
  for (const auto& fr : set.conditional) {
    auto it = set.unconditional.find(fr.nr);
    if (it == set.unconditional.end() && fr.action != fallback) plan.main.push_back(fr);
    if (it != set.unconditional.end() && it->second.action != fr.action) plan.first.push_back(fr);
  }
  add_future_syscalls(p, set, plan.main);
  return plan;
}

Error rule_error(const FilterRule& fr, int rc) {
  return Error(ErrorKind::kInvalidArgument,
               fr.where + ": libseccomp refused the rule: " + strerror(-rc), -rc);
}

// Several comparisons on one argument are alternatives (each its own rule), as in runc and crun.
Status add_rule(void* ctx, const FilterRule& fr) {
  if (fr.args == nullptr) {
    int rc = seccomp_rule_add_exact(ctx, fr.action, fr.nr, 0);
    return rc == 0 ? Status() : Status(rule_error(fr, rc));
  }
  std::vector<scmp_arg_cmp> cmps;
  bool repeated = false;
  for (const auto& a : *fr.args) {
    for (const auto& c : cmps) repeated = repeated || c.arg == a.index;
    cmps.push_back({a.index, scmp_op(a.op), a.value, a.value_two.value_or(0)});
  }
  int rc = 0;
  if (!repeated) rc = seccomp_rule_add_exact_array(ctx, fr.action, fr.nr, cmps.size(), cmps.data());
  for (size_t i = 0; repeated && i < cmps.size() && rc == 0; ++i)
    rc = seccomp_rule_add_exact_array(ctx, fr.action, fr.nr, 1, &cmps[i]);
  return rc == 0 ? Status() : Status(rule_error(fr, rc));
}

Result<std::vector<sock_filter>> export_bpf(void* ctx) {
  UniqueFd fd(memfd_create("sbx-seccomp", MFD_CLOEXEC));
  if (!fd) return sys_error("memfd_create for the seccomp filter");
  int rc = seccomp_export_bpf(ctx, fd.get());
  if (rc != 0) return Error(ErrorKind::kInternal, "seccomp_export_bpf failed", -rc);
  std::string bytes;
  char buf[4096];
  for (ssize_t n; (n = pread(fd.get(), buf, sizeof buf, static_cast<off_t>(bytes.size()))) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read the exported seccomp filter");
    bytes.append(buf, static_cast<size_t>(n));
  }
  if (bytes.empty() || bytes.size() % sizeof(sock_filter) != 0)
    return internal("seccomp_export_bpf wrote " + std::to_string(bytes.size()) + " bytes");
  std::vector<sock_filter> out(bytes.size() / sizeof(sock_filter));
  memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

Result<std::vector<sock_filter>> build_filter(uint32_t default_action,
                                              const std::vector<FilterRule>& rules) {
  ScmpContext ctx(seccomp_init(default_action));
  if (!ctx) return internal("seccomp_init failed");
  if (seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) != 0)
    return internal("libseccomp cannot kill foreign-architecture system calls");
  (void)seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);  // a binary tree; speed only
  for (const auto& fr : rules) SBX_TRY(add_rule(ctx.get(), fr));
  return export_bpf(ctx.get());
}

// Turns the first filter's "no opinion" returns into jumps to the instruction after it, where
// the main filter starts: the two run as one program.
Status chain_to_next(std::vector<sock_filter>& prog) {
  for (size_t i = 0; i < prog.size(); ++i) {
    sock_filter& insn = prog[i];
    if (BPF_CLASS(insn.code) != BPF_RET) continue;
    if (BPF_RVAL(insn.code) != BPF_K) return internal("unexpected BPF return in seccomp filter");
    if (insn.k != kDeferAction) continue;
    insn = BPF_JUMP(BPF_JMP | BPF_JA, static_cast<uint32_t>(prog.size() - i - 1), 0, 0);
  }
  return {};
}

Status check_actions(const SeccompProfile& p) {
  auto bad = [](const SeccompAction& a) { return a.ret && *a.ret > kMaxErrno; };
  if (bad(p.default_action)) return invalid(p.source + ": defaultErrnoRet is out of range");
  for (size_t i = 0; i < p.rules.size(); ++i)
    if (bad(p.rules[i].action))
      return invalid(p.source + ": syscalls[" + std::to_string(i) + "].errnoRet is out of range");
  return {};
}

unsigned filter_flags(const SeccompProfile& p) {
  unsigned flags = 0;
  for (const auto& f : p.flags)
    if (f == kFlagLog) flags |= SECCOMP_FILTER_FLAG_LOG;
  return flags;
}

}  // namespace

Result<SeccompProgram> compile_seccomp(const SeccompProfile& profile) {
  SBX_TRY(check_actions(profile));
  FilterPlan plan = plan_filter(profile);
  SeccompProgram program;
  program.flags = filter_flags(profile);
  if (!plan.first.empty()) {
    SBX_ASSIGN_OR_RETURN(program.filter, build_filter(kDeferAction, plan.first));
    SBX_TRY(chain_to_next(program.filter));
  }
  SBX_ASSIGN_OR_RETURN(std::vector<sock_filter> main,
                       build_filter(scmp_action(profile.default_action), plan.main));
  program.filter.insert(program.filter.end(), main.begin(), main.end());
  if (program.filter.size() > BPF_MAXINSNS)
    return invalid(profile.source + ": the compiled filter has " +
                   std::to_string(program.filter.size()) + " instructions, more than the " +
                   std::to_string(BPF_MAXINSNS) + " the kernel accepts");
  return program;
}

int apply_seccomp(const SeccompProgram& program) {
  size_t n = program.filter.size();
  if (n == 0 || n > BPF_MAXINSNS) return EINVAL;
  sock_fprog prog{static_cast<unsigned short>(n), const_cast<sock_filter*>(program.filter.data())};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, program.flags, &prog) != 0) return errno;
  return 0;
}

// ---- Describing a profile ----

namespace {

std::string action_text(const SeccompAction& a) {
  std::string out = action_name(a.kind);
  if (a.kind == SeccompActionKind::kErrno) {
    const char* name = strerrorname_np(static_cast<int>(a.errno_value()));
    out += std::string("(") + (name ? name : std::to_string(a.errno_value()).c_str()) + ")";
  } else if (a.kind == SeccompActionKind::kTrace) {
    out += "(" + std::to_string(a.errno_value()) + ")";
  }
  return out;
}

std::string number_text(uint64_t v) {
  if (v < 10) return std::to_string(v);
  char buf[24];
  snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string arg_text(const SeccompArg& a) {
  std::string arg = "arg" + std::to_string(a.index);
  if (a.op == SeccompOp::kMaskedEq)
    return arg + " & " + number_text(a.value) + " == " + number_text(a.value_two.value_or(0));
  return arg + " " + op_info(a.op).symbol + " " + number_text(a.value);
}

std::string args_text(const std::vector<SeccompArg>& args) {
  bool repeated = false;
  for (size_t i = 0; i < args.size(); ++i)
    for (size_t j = 0; j < i; ++j) repeated = repeated || args[i].index == args[j].index;
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : repeated ? " or " : " and ") + arg_text(a);
  return out;
}

std::string conditions_text(const SeccompRule& r) {
  std::vector<std::string> parts;
  auto add = [&parts](const char* what, const SeccompFilter& f) {
    if (!f.arches.empty()) parts.push_back(std::string(what) + " arches " + join(f.arches, ", "));
    if (!f.caps.empty()) parts.push_back(std::string(what) + " caps " + join(f.caps, ", "));
    if (!f.min_kernel.empty()) parts.push_back(std::string(what) + " minKernel " + f.min_kernel);
  };
  add("includes", r.includes);
  add("excludes", r.excludes);
  if (parts.empty()) return "";
  std::string why;
  bool applies = seccomp_rule_applies(r, &why);
  return " [" + join(parts, "; ") + ": " + (applies ? "applies here" : "skipped here, " + why) +
         "]";
}

// Words wrapped to lines of at most `width` columns, each line indented.
std::string wrapped(const std::vector<std::string>& words, size_t indent, size_t width = 100) {
  std::string out, line;
  for (const auto& w : words) {
    if (!line.empty() && indent + line.size() + 1 + w.size() > width) {
      out += std::string(indent, ' ') + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + w;
  }
  if (!line.empty()) out += std::string(indent, ' ') + line + "\n";
  return out;
}

bool is_plain_allow(const SeccompRule& r) {
  return r.action.kind == SeccompActionKind::kAllow && r.args.empty() && r.includes.empty() &&
         r.excludes.empty();
}

std::vector<std::string> native_names(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& n : names)
    if (native_syscall(n) >= 0) out.push_back(n);
  return out;
}

}  // namespace

std::string describe_seccomp_profile(const SeccompProfile& p) {
  std::string out = "default action: " + action_text(p.default_action) + "\n";
  out += "architecture: " + host_info().machine +
         " only (system calls of other ABIs, such as i386 and x32, kill the process)\n";
  std::set<std::string> allowed;
  for (const auto& r : p.rules)
    if (is_plain_allow(r))
      for (const auto& n : native_names(r.names)) allowed.insert(n);
  out += "allowed (" + std::to_string(allowed.size()) + " system calls):\n";
  out += wrapped({allowed.begin(), allowed.end()}, 2);
  out += "rules:\n";
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const SeccompRule& r = p.rules[i];
    if (is_plain_allow(r)) continue;
    out += "  syscalls[" + std::to_string(i) + "]: " + action_text(r.action);
    if (!r.args.empty()) out += " when " + args_text(r.args);
    out += conditions_text(r) + "\n";
    std::vector<std::string> names = native_names(r.names);
    out += names.empty() ? "      (no system call of " + host_info().machine + ")\n"
                         : wrapped(names, 6);
  }
  for (const auto& w : p.warnings) out += "warning: " + w.path + ": " + w.message + "\n";
  return out;
}

// ---- Loading by name or path, with the cache ----

namespace {

constexpr char kCacheMagic[8] = {'S', 'B', 'X', 'S', 'E', 'C', 'C', '1'};
// Bump when the way profiles compile changes, so old cache files are not used.
constexpr const char* kCompilerVersion = "sbx-seccomp-1";

// What a compiled program depends on besides the profile (its JSON, by hash): this compiler,
// libseccomp's version, and the kernel it was compiled for (which system calls and actions it
// has). The kernel is named by its build (machine, release and build string) rather than by
// libseccomp's API level, which libseccomp learns by probing the kernel with nine system calls
// (about 0.2 ms, at every start): the same kernel build has the same API.
uint64_t cache_key(uint64_t json_hash) {
  const scmp_version* v = seccomp_version();
  const HostInfo& host = host_info();
  std::string parts = std::string(kCompilerVersion) + '\0' + std::to_string(v->major) + "." +
                      std::to_string(v->minor) + "." + std::to_string(v->micro) + '\0' +
                      host.machine + '\0' + host.release + '\0' + host.build + '\0';
  for (int cap : kKeptCapabilities) parts += std::to_string(cap) + ",";
  return fnv1a(std::string_view(reinterpret_cast<const char*>(&json_hash), sizeof json_hash),
               fnv1a(parts));
}

template <typename T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// magic, key, flags, count, the instructions, then an FNV-1a checksum of all that.
std::string encode_cache(uint64_t key, const SeccompProgram& prog) {
  std::string out(kCacheMagic, sizeof kCacheMagic);
  put(out, key);
  put(out, static_cast<uint32_t>(prog.flags));
  put(out, static_cast<uint32_t>(prog.filter.size()));
  out.append(reinterpret_cast<const char*>(prog.filter.data()),
             prog.filter.size() * sizeof(sock_filter));
  put(out, fnv1a(out));
  return out;
}

std::optional<SeccompProgram> decode_cache(const std::string& data, uint64_t key) {
  constexpr size_t kHeader = sizeof kCacheMagic + 8 + 4 + 4;
  if (data.size() < kHeader + 8 || memcmp(data.data(), kCacheMagic, sizeof kCacheMagic) != 0)
    return std::nullopt;
  uint64_t stored_key, sum;
  uint32_t flags, count;
  memcpy(&stored_key, data.data() + 8, 8);
  memcpy(&flags, data.data() + 16, 4);
  memcpy(&count, data.data() + 20, 4);
  if (stored_key != key || count == 0 || count > BPF_MAXINSNS) return std::nullopt;
  if (data.size() != kHeader + count * sizeof(sock_filter) + 8) return std::nullopt;
  memcpy(&sum, data.data() + data.size() - 8, 8);
  if (sum != fnv1a(std::string_view(data).substr(0, data.size() - 8))) return std::nullopt;
  SeccompProgram prog;
  prog.flags = flags;
  prog.filter.resize(count);
  memcpy(prog.filter.data(), data.data() + kHeader, count * sizeof(sock_filter));
  return prog;
}

bool is_policy_path(const std::string& s) {
  return s.find('/') != std::string::npos ||
         (s.size() >= 5 && s.compare(s.size() - 5, 5, ".json") == 0);
}

// A policy's JSON: a built-in one is used where it lies in the binary, a file's is read.
struct PolicyText {
  std::string source;
  std::string file_text;
  std::optional<std::string_view> builtin;
  uint64_t hash = 0;  // policy_text_hash(json())
  std::string_view json() const { return builtin ? *builtin : std::string_view(file_text); }
};

Result<PolicyText> policy_text(const std::string& name_or_path) {
  if (is_policy_path(name_or_path)) {
    auto text = read_file(name_or_path);
    if (!text.ok()) return std::move(text).error().context("seccomp policy");
    uint64_t hash = policy_text_hash(*text);
    return PolicyText{name_or_path, std::move(text).value(), std::nullopt, hash};
  }
  if (auto text = builtin_policy_text(name_or_path))
    return PolicyText{name_or_path + ".json", {}, *text, *builtin_policy_hash(name_or_path)};
  return not_found("unknown seccomp policy " + quoted(name_or_path) +
                   " (built in: " + join(builtin_policy_names(), ", ") +
                   "; a file path needs a '/' or a .json suffix)");
}

}  // namespace

namespace {

std::string cache_path_for(const std::string& cache_dir, uint64_t key) {
  char hex[17];
  snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(key));
  return cache_dir + "/seccomp-" + hex + ".bpf";
}

}  // namespace

std::string seccomp_cache_path(const std::string& cache_dir, std::string_view json) {
  return cache_path_for(cache_dir, cache_key(policy_text_hash(json)));
}

Result<SeccompProfile> load_policy_profile(const std::string& name_or_path) {
  SBX_ASSIGN_OR_RETURN(PolicyText text, policy_text(name_or_path));
  return parse_seccomp_profile(text.json(), text.source);
}

Result<SeccompProgram> load_policy(const std::string& name_or_path, const std::string& cache_dir) {
  SBX_ASSIGN_OR_RETURN(PolicyText text, policy_text(name_or_path));
  uint64_t key = cache_key(text.hash);
  std::string path = cache_dir.empty() ? "" : cache_path_for(cache_dir, key);
  if (!path.empty()) {
    auto data = read_file(path);
    if (data.ok())
      if (auto cached = decode_cache(data.value(), key)) return std::move(*cached);
  }
  SBX_ASSIGN_OR_RETURN(SeccompProfile profile, parse_seccomp_profile(text.json(), text.source));
  SBX_ASSIGN_OR_RETURN(SeccompProgram program, compile_seccomp(profile));
  // The cache only saves time: a sandbox still starts when it cannot be written.
  if (!path.empty() && make_dirs(cache_dir, 0700).ok())
    (void)write_file_atomic(path, encode_cache(key, program), 0600);
  return program;
}

}  // namespace sbx
