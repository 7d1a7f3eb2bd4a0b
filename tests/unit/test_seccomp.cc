// Unit tests of runtime/seccomp: reading and checking OCI profiles (Docker's own, the shipped
// ones, broken ones), compiling them, the on-disk cache, and real enforcement: forked children
// install a filter and report, call by call, what the kernel answered.
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/seccomp.h"
#include "util/fs.h"

using namespace sbx;

extern char** environ;

namespace {

// ---- Helpers ----

std::string testdata_dir() {
  const char* env = getenv("SBX_TESTDATA");
  return env != nullptr && *env != '\0' ? env : "../shared/testdata";  // from the repo root
}

SeccompProfile parsed(std::string_view json, const std::string& source = "test.json") {
  auto p = parse_seccomp_profile(json, source);
  INFO(json);
  if (!p.ok()) FAIL(p.error().to_string());
  return std::move(p).value();
}

SeccompProgram builtin_program(const std::string& name) {
  auto p = load_policy(name, "");
  if (!p.ok()) FAIL(p.error().to_string());
  return std::move(p).value();
}

const ProfileProblem* find_problem(const std::vector<ProfileProblem>& problems,
                                   const std::string& path) {
  for (const auto& p : problems)
    if (p.path == path) return &p;
  return nullptr;
}

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/sbx-seccomp-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { (void)remove_tree(path); }
};

std::string bytes_of(const SeccompProgram& p) {
  return std::string(reinterpret_cast<const char*>(p.filter.data()),
                     p.filter.size() * sizeof(sock_filter));
}

// ---- Running code under a filter ----

// Forks; the child drops Catch's crash handlers, sets no_new_privs, installs program (when given),
// runs body and exits 0. Returns the child's wait status.
template <typename F>
int run_confined(const SeccompProgram* program, F body) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS}) signal(sig, SIG_DFL);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(120);
    if (program != nullptr && apply_seccomp(*program) != 0) _exit(121);
    body();
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return status;
}

bool killed_by_sigsys(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS; }

// One system call to try: what it should give under the filter (0: success, else that errno).
struct Probe {
  const char* name;
  long (*call)();
  int expect;
};

struct ProbeResult {
  int index;
  int err;
  long ret;
};

char g_mount_target[64];  // an empty directory, made by the parent

long fail_with(int err) {
  errno = err;
  return -1;
}

// Runs a child that execs /bin/true (through fork+execve or posix_spawn); 0 when it exited 0.
long wait_ok(pid_t pid) {
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return fail_with(ECHILD);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : fail_with(ECANCELED);
}

long fork_exec_true() {
  pid_t pid = fork();
  if (pid == 0) {
    char* argv[] = {const_cast<char*>("true"), nullptr};
    execve("/bin/true", argv, environ);
    _exit(127);
  }
  return wait_ok(pid);
}

long spawn_true() {
  pid_t pid = -1;
  char* argv[] = {const_cast<char*>("true"), nullptr};
  int rc = posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ);
  return rc != 0 ? fail_with(rc) : wait_ok(pid);
}

// clone() through the raw system call; a child that should not exist leaves at once.
long raw_clone(unsigned long flags) {
  long r = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (r == 0) _exit(0);
  if (r > 0) waitpid(static_cast<pid_t>(r), nullptr, 0);
  return r;
}

long closed(long fd) {
  if (fd >= 0) close(static_cast<int>(fd));
  return fd;
}

long dev_null_ioctl(unsigned long request) {
  int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  char c = 'x';
  long r = syscall(SYS_ioctl, fd, request, &c);
  int err = errno;
  close(fd);
  errno = err;
  return r;
}

long pipe_round_trip() {
  int p[2];
  char c = 'x';
  if (pipe(p) != 0) return -1;
  long r = write(p[1], &c, 1) == 1 && read(p[0], &c, 1) == 1 ? 0 : -1;
  close(p[0]);
  close(p[1]);
  return r;
}

constexpr unsigned long kHigh = 1UL << 32;
constexpr int kAfAlg = 38, kAfPacket = 17, kAfVsock = 40;

// What the default profile must allow and deny. Before the filter, the child enters a new user
// and mount namespace where it could do most of these, so a right errno means the filter did.
const Probe kDefaultProbes[] = {
    {"getpid", [] { return static_cast<long>(getpid()); }, 0},
    {"read and write", pipe_round_trip, 0},
    {"fork and execve", fork_exec_true, 0},
    {"posix_spawn (clone3, then clone)", spawn_true, 0},
    {"socket(AF_UNIX)", [] { return closed(socket(AF_UNIX, SOCK_STREAM, 0)); }, 0},
    {"socket(AF_INET)", [] { return closed(socket(AF_INET, SOCK_DGRAM, 0)); }, 0},
    {"socket(AF_NETLINK)", [] { return closed(socket(AF_NETLINK, SOCK_RAW, 0)); }, 0},
    {"socketpair(AF_UNIX)",
     [] {
       int sv[2];
       long r = socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
       if (r == 0) close(sv[0]), close(sv[1]);
       return r;
     },
     0},
    {"socket(AF_ALG)", [] { return closed(socket(kAfAlg, SOCK_SEQPACKET, 0)); }, EAFNOSUPPORT},
    {"socket(AF_ALG | 1<<32)",
     [] { return closed(syscall(SYS_socket, kAfAlg | kHigh, SOCK_SEQPACKET, 0)); }, EAFNOSUPPORT},
    {"socket(AF_PACKET)", [] { return closed(socket(kAfPacket, SOCK_RAW, 0)); }, EAFNOSUPPORT},
    {"socket(AF_VSOCK)", [] { return closed(socket(kAfVsock, SOCK_STREAM, 0)); }, EAFNOSUPPORT},
    {"socketpair(AF_ALG)",
     [] {
       int sv[2];
       return static_cast<long>(socketpair(kAfAlg, SOCK_SEQPACKET, 0, sv));
     },
     EAFNOSUPPORT},
    {"ioctl(TCGETS) passes the filter", [] { return dev_null_ioctl(TCGETS); }, ENOTTY},
    {"ioctl(TIOCSTI)", [] { return dev_null_ioctl(TIOCSTI); }, EPERM},
    {"ioctl(TIOCSTI | 1<<32)", [] { return dev_null_ioctl(TIOCSTI | kHigh); }, EPERM},
    {"ioctl(TIOCLINUX)", [] { return dev_null_ioctl(TIOCLINUX); }, EPERM},
    {"ioctl(TIOCSETD | 1<<32)", [] { return dev_null_ioctl(TIOCSETD | kHigh); }, EPERM},
    {"mount", [] { return static_cast<long>(mount("none", g_mount_target, "tmpfs", 0, "")); },
     EPERM},
    {"umount2", [] { return static_cast<long>(umount2(g_mount_target, 0)); }, EPERM},
    {"fsopen", [] { return closed(syscall(SYS_fsopen, "tmpfs", 0)); }, EPERM},
    {"open_tree", [] { return closed(syscall(SYS_open_tree, AT_FDCWD, "/", 0)); }, EPERM},
    {"move_mount", [] { return syscall(SYS_move_mount, -1, "", -1, "", 0); }, EPERM},
    {"pivot_root", [] { return syscall(SYS_pivot_root, "/nonexistent-a", "/nonexistent-b"); },
     EPERM},
    {"chroot", [] { return static_cast<long>(chroot("/")); }, EPERM},
    {"unshare(CLONE_NEWUSER)", [] { return static_cast<long>(unshare(CLONE_NEWUSER)); }, EPERM},
    {"setns", [] { return static_cast<long>(setns(-1, 0)); }, EPERM},
    {"clone(CLONE_NEWUSER)", [] { return raw_clone(CLONE_NEWUSER); }, EPERM},
    {"clone(CLONE_NEWNET)", [] { return raw_clone(CLONE_NEWNET); }, EPERM},
    {"clone3", [] { return syscall(SYS_clone3, nullptr, 0); }, ENOSYS},
    {"keyctl",
     [] { return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0); }, EPERM},
    {"add_key", [] { return syscall(SYS_add_key, "", "", nullptr, 0, 0); }, EPERM},
    {"ptrace", [] { return ptrace(PTRACE_PEEKUSER, getppid(), nullptr, nullptr); }, EPERM},
    {"process_vm_readv",
     [] { return syscall(SYS_process_vm_readv, getppid(), nullptr, 0, nullptr, 0, 0); }, EPERM},
    {"io_uring_setup",
     [] {
       char params[120] = {};
       return closed(syscall(SYS_io_uring_setup, 1, params));
     },
     EPERM},
    {"io_uring_enter", [] { return syscall(SYS_io_uring_enter, -1, 0, 0, 0, nullptr, 0); }, EPERM},
    {"bpf", [] { return syscall(SYS_bpf, 5, nullptr, 0); }, EPERM},
    {"perf_event_open", [] { return syscall(SYS_perf_event_open, nullptr, 0, -1, -1, 0); }, EPERM},
    {"userfaultfd", [] { return closed(syscall(SYS_userfaultfd, 0)); }, EPERM},
    {"open_by_handle_at", [] { return syscall(SYS_open_by_handle_at, -1, nullptr, 0); }, EPERM},
    {"name_to_handle_at",
     [] { return syscall(SYS_name_to_handle_at, AT_FDCWD, "/", nullptr, nullptr, 0); }, EPERM},
    {"settimeofday(NULL, NULL)", [] { return syscall(SYS_settimeofday, nullptr, nullptr); }, EPERM},
    {"reboot", [] { return syscall(SYS_reboot, 0, 0, 0, nullptr); }, EPERM},
    {"finit_module", [] { return syscall(SYS_finit_module, -1, "", 0); }, EPERM},
    {"modify_ldt (read)",
     [] {
       char buf[16];
       return syscall(SYS_modify_ldt, 0, buf, sizeof buf);
     },
     EPERM},
    {"personality(query)", [] { return syscall(SYS_personality, 0xffffffffUL); }, 0},
    {"personality(PER_LINUX32)", [] { return syscall(SYS_personality, 0x0008UL); }, 0},
    {"personality(PER_LINUX | 1<<32)", [] { return syscall(SYS_personality, kHigh); }, 0},
    {"personality(ADDR_NO_RANDOMIZE)", [] { return syscall(SYS_personality, 0x0040000UL); }, EPERM},
    {"personality(READ_IMPLIES_EXEC)", [] { return syscall(SYS_personality, 0x0400000UL); }, EPERM},
    {"a syscall newer than sbx knows", [] { return syscall(500); }, ENOSYS},
};

// The child's half: enter fresh namespaces if it can, install the filter, try every probe and
// write one fixed-size record per probe (no allocation after fork).
void run_probes(const SeccompProgram& program, const Probe* probes, size_t count, int out) {
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) (void)unshare(CLONE_NEWNS);
  if (apply_seccomp(program) != 0) _exit(121);
  for (size_t i = 0; i < count; ++i) {
    errno = 0;
    long ret = probes[i].call();
    ProbeResult r{static_cast<int>(i), ret < 0 ? errno : 0, ret};
    if (write(out, &r, sizeof r) != sizeof r) _exit(122);
  }
}

void check_probes(const SeccompProgram& program, const Probe* probes, size_t count) {
  TempDir target;
  snprintf(g_mount_target, sizeof g_mount_target, "%s", target.path.c_str());
  int p[2];
  REQUIRE(pipe(p) == 0);
  int status = run_confined(nullptr, [&] {
    close(p[0]);
    run_probes(program, probes, count, p[1]);
  });
  close(p[1]);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  std::vector<ProbeResult> results;
  ProbeResult r;
  while (read(p[0], &r, sizeof r) == sizeof r) results.push_back(r);
  close(p[0]);
  REQUIRE(results.size() == count);
  for (const auto& res : results) {
    const Probe& probe = probes[res.index];
    INFO(probe.name << ": returned " << res.ret << ", errno " << res.err << " ("
                    << strerror(res.err) << ")");
    CHECK(res.err == probe.expect);
  }
}

// i386 getpid (20) through int $0x80; returns what the kernel answered.
long i386_getpid() {
#if defined(__x86_64__)
  long r;
  asm volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory", "r8", "r9", "r10", "r11");
  return r;
#else
  return -1;
#endif
}

// A classic-BPF interpreter for the instructions libseccomp emits: enough to run a filter on a
// seccomp_data this process cannot produce (an i386 call on a kernel that runs no i386 code).
uint32_t run_bpf(const std::vector<sock_filter>& prog, const seccomp_data& data) {
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {};
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const sock_filter& f = prog[pc];
    switch (f.code) {
      case BPF_LD | BPF_W | BPF_ABS:
        REQUIRE(f.k + 4 <= sizeof data);
        memcpy(&a, reinterpret_cast<const char*>(&data) + f.k, 4);
        break;
      case BPF_LD | BPF_MEM: a = mem[f.k % BPF_MEMWORDS]; break;
      case BPF_LDX | BPF_MEM: x = mem[f.k % BPF_MEMWORDS]; break;
      case BPF_ST: mem[f.k % BPF_MEMWORDS] = a; break;
      case BPF_STX: mem[f.k % BPF_MEMWORDS] = x; break;
      case BPF_ALU | BPF_AND | BPF_K: a &= f.k; break;
      case BPF_MISC | BPF_TAX: x = a; break;
      case BPF_MISC | BPF_TXA: a = x; break;
      case BPF_JMP | BPF_JA: pc += f.k; break;
      case BPF_JMP | BPF_JEQ | BPF_K: pc += a == f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JGT | BPF_K: pc += a > f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JGE | BPF_K: pc += a >= f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JSET | BPF_K: pc += (a & f.k) != 0 ? f.jt : f.jf; break;
      case BPF_RET | BPF_K: return f.k;
      default: FAIL("BPF opcode " << f.code << " at " << pc << " is not interpreted");
    }
  }
  FAIL("the filter ran past its end");
  return 0;
}

}  // namespace

// ---- Reading profiles ----

TEST_CASE("Docker's default profile parses and compiles unchanged", "[seccomp]") {
  std::string path = testdata_dir() + "/docker-default-seccomp.json";
  if (!path_exists(path)) {
    WARN("SKIPPED: " << path << " is missing (set SBX_TESTDATA)");
    return;
  }
  std::string text = read_file(path).value();
  SeccompProfile p = parsed(text, "docker-default-seccomp.json");
  CHECK(p.default_action.kind == SeccompActionKind::kErrno);
  CHECK(p.default_action.errno_value() == EPERM);
  CHECK(p.arch_map.size() >= 3);
  CHECK(p.rules.size() > 20);
  for (const auto& w : p.warnings) {
    INFO(w.to_string());
    CHECK(w.message.find("unknown system call") != std::string::npos);
  }
  auto program = compile_seccomp(p);
  REQUIRE(program.ok());
  CHECK(program->filter.size() > 100);
  CHECK(parsed(seccomp_profile_to_json(p), "docker-default-seccomp.json") == p);
  std::string text_out = describe_seccomp_profile(p);
  CHECK(text_out.find("includes caps CAP_SYS_ADMIN: skipped here") != std::string::npos);
  CHECK(text_out.find("includes minKernel 4.8: applies here") != std::string::npos);
}

TEST_CASE("the shipped profiles parse without warnings, compile and round-trip", "[seccomp]") {
  for (const auto& name : builtin_policy_names()) {
    INFO(name);
    auto file = read_file("policies/" + name + ".json");
    REQUIRE(file.ok());
    CHECK(builtin_policy_text(name).value() == file.value());  // embedded == source of truth
    SeccompProfile p = parsed(file.value(), name + ".json");
    for (const auto& w : p.warnings) FAIL_CHECK(w.to_string());
    CHECK(check_seccomp_profile(file.value(), name + ".json").empty());
    auto program = compile_seccomp(p);
    REQUIRE(program.ok());
    CHECK(program->filter.size() < 4096);
    CHECK(parsed(seccomp_profile_to_json(p), name + ".json") == p);
  }
  CHECK(builtin_policy_names() == std::vector<std::string>{"default", "strict", "permissive"});
  CHECK_FALSE(builtin_policy_text("nope").has_value());
}

TEST_CASE("a parse error names the file, the field and the value", "[seccomp]") {
  auto r = parse_seccomp_profile(
      R"({"defaultAction": "SCMP_ACT_ERRNO",
          "syscalls": [{"names": ["read"], "action": "SCMP_ACT_FOO"}]})",
      "default.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind() == ErrorKind::kInvalidArgument);
  CHECK(r.error().message() == "default.json: syscalls[0].action: unknown action \"SCMP_ACT_FOO\"");

  auto bad_json = parse_seccomp_profile("{\"defaultAction\": ", "x.json");
  REQUIRE_FALSE(bad_json.ok());
  CHECK(bad_json.error().message().rfind("x.json: invalid JSON", 0) == 0);
}

TEST_CASE("check_seccomp_profile reports every problem with its path", "[seccomp]") {
  auto problems = check_seccomp_profile(R"({
    "defaultAction": "SCMP_ACT_ERRNO",
    "defaultErrnoRet": "one",
    "syscalls": [
      {"names": ["read"], "action": "SCMP_ACT_FOO"},
      {"names": ["write"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 7, "value": 1, "op": "SCMP_CMP_ALMOST"}]},
      {"action": "SCMP_ACT_ALLOW"},
      {"names": "close", "action": 5},
      {"names": ["getpid", "not_a_syscall"], "action": "SCMP_ACT_ALLOW",
       "includes": {"minKernel": "five", "caps": ["CAP_NOPE"]}, "colour": "red"},
      {"names": ["exit"], "action": "SCMP_ACT_NOTIFY"}
    ]})",
                                        "bad.json");
  struct Expected {
    const char* path;
    bool warning;
    const char* text;
  };
  const Expected expected[] = {
      {"defaultErrnoRet", false, "expected a non-negative integer, got string"},
      {"syscalls[0].action", false, "unknown action \"SCMP_ACT_FOO\""},
      {"syscalls[1].args[0].index", false, "out of range"},
      {"syscalls[1].args[0].op", false, "unknown operator \"SCMP_CMP_ALMOST\""},
      {"syscalls[2].names", false, "required field is missing"},
      {"syscalls[3].names", false, "expected an array, got string"},
      {"syscalls[3].action", false, "expected a string, got integer"},
      {"syscalls[4].names[1]", true, "unknown system call \"not_a_syscall\""},
      {"syscalls[4].includes.minKernel", false, "kernel version"},
      {"syscalls[4].includes.caps[0]", true, "unknown capability"},
      {"syscalls[4].colour", true, "unknown field"},
      {"syscalls[5].action", false, "SCMP_ACT_NOTIFY is not supported"},
  };
  for (const auto& e : expected) {
    INFO(e.path);
    const ProfileProblem* p = find_problem(problems, e.path);
    REQUIRE(p != nullptr);
    CHECK(p->warning == e.warning);
    CHECK(p->message.find(e.text) != std::string::npos);
    CHECK(p->to_string().rfind(std::string("bad.json: ") + e.path + ": ", 0) == 0);
  }
  CHECK(problems.size() == std::size(expected));
  auto r = parse_seccomp_profile(R"({"defaultAction": 1, "syscalls": 2})", "two.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() ==
        "two.json: defaultAction: expected a string, got integer (and 1 more errors)");
}

TEST_CASE("unknown syscall names are warnings and are skipped", "[seccomp]") {
  SeccompProfile p = parsed(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": ["read", "no_such_call"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["chown32"], "action": "SCMP_ACT_ALLOW", "comment": "i386 only: no warning"}]})");
  REQUIRE(p.warnings.size() == 1);
  CHECK(p.warnings[0].warning);
  CHECK(p.warnings[0].path == "syscalls[0].names[1]");
  CHECK(p.warnings[0].to_string() ==
        "test.json: syscalls[0].names[1]: warning: unknown system call \"no_such_call\", skipped");
  CHECK(compile_seccomp(p).ok());
}

TEST_CASE("a second unconditional rule for a syscall is reported", "[seccomp]") {
  SeccompProfile p = parsed(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": ["getpid"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5}]})");
  REQUIRE(p.warnings.size() == 1);
  CHECK(p.warnings[0].path == "syscalls[1]");
}

TEST_CASE("includes and excludes follow the arch, the kept caps and the kernel", "[seccomp]") {
  auto applies = [](SeccompFilter in, SeccompFilter ex) {
    SeccompRule r;
    r.includes = std::move(in);
    r.excludes = std::move(ex);
    return seccomp_rule_applies(r);
  };
  CHECK(applies({}, {}));
  CHECK(applies({{"amd64"}, {}, ""}, {}));
  CHECK(applies({{"x86_64", "arm64"}, {}, ""}, {}));
  CHECK_FALSE(applies({{"arm64", "s390x"}, {}, ""}, {}));
  CHECK_FALSE(applies({}, {{"amd64"}, {}, ""}));
  CHECK(applies({}, {{"s390", "s390x"}, {}, ""}));
  CHECK(applies({{}, {"CAP_CHOWN", "CAP_KILL"}, ""}, {}));
  CHECK_FALSE(applies({{}, {"CAP_CHOWN", "CAP_SYS_ADMIN"}, ""}, {}));
  CHECK_FALSE(applies({}, {{}, {"CAP_NET_BIND_SERVICE"}, ""}));
  CHECK(applies({}, {{}, {"CAP_SYS_ADMIN"}, ""}));
  CHECK(applies({{}, {}, "4.8"}, {}));
  CHECK_FALSE(applies({{}, {}, "99.0"}, {}));
  CHECK_FALSE(applies({}, {{}, {}, "3.10"}));
  SeccompRule r;
  r.includes.caps = {"CAP_SYS_PTRACE"};
  std::string why;
  CHECK_FALSE(seccomp_rule_applies(r, &why));
  CHECK(why == "only with CAP_SYS_PTRACE");
}

TEST_CASE("describe lists the default, the allowed calls and the other rules", "[seccomp]") {
  SeccompProfile p = parsed(builtin_policy_text("default").value(), "default.json");
  std::string text = describe_seccomp_profile(p);
  INFO(text);
  CHECK(text.rfind("default action: SCMP_ACT_ERRNO(EPERM)\n", 0) == 0);
  CHECK(text.find("\nallowed (") != std::string::npos);
  size_t accept = text.find(" accept "), read = text.find(" read "), writev = text.find(" writev");
  CHECK(accept < read);  // sorted
  CHECK(read < writev);
  CHECK(writev != std::string::npos);
  CHECK(text.find("SCMP_ACT_ERRNO(EPERM) when arg1 & 0xffffffff == 0x5412\n      ioctl\n") !=
        std::string::npos);
  CHECK(text.find("SCMP_ACT_ERRNO(ENOSYS)\n      clone3\n") != std::string::npos);
  CHECK(text.find("SCMP_ACT_ERRNO(EAFNOSUPPORT) when arg0 > 0x10") != std::string::npos);
  for (size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    CHECK(end - start <= 100);
}

// ---- Enforcement ----

TEST_CASE("the default profile denies precisely and lets ordinary calls through", "[seccomp]") {
  check_probes(builtin_program("default"), kDefaultProbes, std::size(kDefaultProbes));
}

TEST_CASE("without a filter, the probes' namespace lets mount succeed", "[seccomp]") {
  TempDir target;
  int status = run_confined(nullptr, [&] {
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) _exit(77);
    _exit(mount("none", target.path.c_str(), "tmpfs", 0, "") == 0 ? 0 : 1);
  });
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
    WARN("SKIPPED: no unprivileged user namespaces here");
    return;
  }
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

// The shape of podman's default profile: ENOSYS by default, null and empty fields, and
// overlapping conditional rules for socket (no NETLINK_AUDIT without CAP_AUDIT_WRITE).
constexpr const char* kPodmanStyle = R"({
  "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
  "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]},
              {"architecture": "SCMP_ARCH_S390X", "subArchitectures": null}],
  "syscalls": [
    {"names": ["vmsplice"], "action": "SCMP_ACT_ERRNO", "args": [], "comment": "",
     "includes": {}, "excludes": {}, "errnoRet": 1},
    {"names": ["exit_group", "write", "close"], "action": "SCMP_ACT_ALLOW", "args": [],
     "comment": "", "includes": {}, "excludes": {}},
    {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22, "excludes": {"caps": ["CAP_AUDIT_WRITE"]},
     "args": [{"index": 0, "value": 16, "valueTwo": 0, "op": "SCMP_CMP_EQ"},
              {"index": 2, "value": 9, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]},
    {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_AUDIT_WRITE"]},
     "args": [{"index": 2, "value": 9, "valueTwo": 0, "op": "SCMP_CMP_NE"}]},
    {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_AUDIT_WRITE"]},
     "args": [{"index": 0, "value": 16, "valueTwo": 0, "op": "SCMP_CMP_NE"}]},
    {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": null, "comment": "",
     "includes": {"caps": ["CAP_AUDIT_WRITE"]}, "excludes": {}}
  ]})";

TEST_CASE("a podman-style profile is read and enforced as podman means it", "[seccomp]") {
  static const Probe kProbes[] = {
      {"socket(AF_NETLINK, NETLINK_ROUTE)", [] { return closed(socket(AF_NETLINK, SOCK_RAW, 0)); },
       0},
      {"socket(AF_NETLINK, NETLINK_AUDIT)", [] { return closed(socket(AF_NETLINK, SOCK_RAW, 9)); },
       EINVAL},
      {"socket(AF_UNIX)", [] { return closed(socket(AF_UNIX, SOCK_STREAM, 0)); }, 0},
      {"vmsplice", [] { return syscall(SYS_vmsplice, -1, nullptr, 0, 0); }, EPERM},
      {"getppid (not listed)", [] { return syscall(SYS_getppid); }, ENOSYS},
  };
  SeccompProfile p = parsed(kPodmanStyle, "podman.json");
  CHECK(p.warnings.empty());
  CHECK(p.default_action.errno_value() == ENOSYS);
  auto program = compile_seccomp(p);
  REQUIRE(program.ok());
  check_probes(*program, kProbes, std::size(kProbes));
}

TEST_CASE("the strict profile kills on denied calls but keeps clone3 at ENOSYS", "[seccomp]") {
  SeccompProgram strict = builtin_program("strict");
  CHECK(killed_by_sigsys(
      run_confined(&strict, [] { mount("none", "/nonexistent-sbx", "tmpfs", 0, ""); })));
  CHECK(killed_by_sigsys(run_confined(&strict, [] { socket(kAfAlg, SOCK_SEQPACKET, 0); })));
  CHECK(killed_by_sigsys(run_confined(&strict, [] { dev_null_ioctl(TIOCSTI | kHigh); })));
  CHECK(killed_by_sigsys(run_confined(&strict, [] { syscall(SYS_personality, 0x0040000UL); })));
  CHECK(killed_by_sigsys(run_confined(&strict, [] { syscall(SYS_keyctl, 0, -3, 0); })));
  int status = run_confined(&strict, [] {
    bool ok = syscall(SYS_clone3, nullptr, 0) == -1 && errno == ENOSYS;
    ok = ok && fork_exec_true() == 0 && spawn_true() == 0 && pipe_round_trip() == 0;
    _exit(ok ? 0 : 1);
  });
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("the permissive profile denies only the host-threatening calls", "[seccomp]") {
  static const Probe kProbes[] = {
      {"fork and execve", fork_exec_true, 0},
      {"unshare(CLONE_FS)", [] { return static_cast<long>(unshare(CLONE_FS)); }, 0},
      {"personality(ADDR_NO_RANDOMIZE)", [] { return syscall(SYS_personality, 0x0040000UL); }, 0},
      {"modify_ldt (read)",
       [] {
         char buf[16];
         return syscall(SYS_modify_ldt, 0, buf, sizeof buf);
       },
       0},
      {"mount", [] { return static_cast<long>(mount("none", g_mount_target, "tmpfs", 0, "")); },
       EPERM},
      {"unshare(CLONE_NEWUSER)", [] { return static_cast<long>(unshare(CLONE_NEWUSER)); }, EPERM},
      {"unshare(CLONE_NEWTIME)", [] { return static_cast<long>(unshare(0x80)); }, EPERM},
      {"clone(CLONE_NEWNET)", [] { return raw_clone(CLONE_NEWNET); }, EPERM},
      {"clone3", [] { return syscall(SYS_clone3, nullptr, 0); }, ENOSYS},
      {"socket(AF_ALG | 1<<32)",
       [] { return closed(syscall(SYS_socket, kAfAlg | kHigh, SOCK_SEQPACKET, 0)); }, EPERM},
      {"ioctl(TIOCSTI | 1<<32)", [] { return dev_null_ioctl(TIOCSTI | kHigh); }, EPERM},
      {"keyctl", [] { return syscall(SYS_keyctl, 0, -3, 0); }, EPERM},
      {"io_uring_setup",
       [] {
         char params[120] = {};
         return closed(syscall(SYS_io_uring_setup, 1, params));
       },
       EPERM},
  };
  check_probes(builtin_program("permissive"), kProbes, std::size(kProbes));
}

TEST_CASE("every filter sends other architectures to KILL_PROCESS", "[seccomp]") {
#if defined(__x86_64__)
  for (const auto& name : builtin_policy_names()) {
    INFO(name);
    SeccompProgram program = builtin_program(name);
    seccomp_data call{};
    call.nr = 20;  // getpid in the i386 table
    call.arch = AUDIT_ARCH_I386;
    CHECK(run_bpf(program.filter, call) == SECCOMP_RET_KILL_PROCESS);
    call.arch = AUDIT_ARCH_X86_64;
    call.nr = 0x40000000 | SYS_getpid;  // x32
    CHECK(run_bpf(program.filter, call) == SECCOMP_RET_KILL_PROCESS);
    call.nr = SYS_getpid;
    CHECK(run_bpf(program.filter, call) == SECCOMP_RET_ALLOW);
    call.nr = SYS_ioctl;
    call.args[1] = TIOCSTI | kHigh;
    CHECK(run_bpf(program.filter, call) != SECCOMP_RET_ALLOW);
    call.args[1] = TCGETS;
    CHECK(run_bpf(program.filter, call) == SECCOMP_RET_ALLOW);
  }
#else
  WARN("SKIPPED: not an x86_64 host");
#endif
}

TEST_CASE("i386 and x32 system calls kill the process", "[seccomp]") {
#if defined(__x86_64__)
  for (const char* name : {"default", "permissive"}) {
    INFO(name);
    SeccompProgram program = builtin_program(name);
    CHECK(killed_by_sigsys(run_confined(&program, [] { syscall(0x40000000 | SYS_getpid); })));
    int control = run_confined(nullptr, [] { _exit(i386_getpid() == getpid() ? 0 : 1); });
    if (!WIFEXITED(control) || WEXITSTATUS(control) != 0) {
      WARN("SKIPPED: this kernel runs no i386 code (int $0x80)");
      continue;
    }
    CHECK(killed_by_sigsys(run_confined(&program, [] { i386_getpid(); })));
  }
#else
  WARN("SKIPPED: not an x86_64 host");
#endif
}

// ---- Loading and the cache ----

TEST_CASE("load_policy caches the compiled filter and rebuilds a corrupt cache", "[seccomp]") {
  TempDir tmp;
  std::string cache = tmp.path + "/cache";
  SeccompProgram fresh = builtin_program("default");
  auto first = load_policy("default", cache);
  REQUIRE(first.ok());
  CHECK(bytes_of(*first) == bytes_of(fresh));
  std::string file = seccomp_cache_path(cache, builtin_policy_text("default").value());
  struct stat st {};
  REQUIRE(stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  ino_t inode = st.st_ino;

  auto second = load_policy("default", cache);  // read from the cache: the file is not rewritten
  REQUIRE(second.ok());
  CHECK(bytes_of(*second) == bytes_of(fresh));
  REQUIRE(stat(file.c_str(), &st) == 0);
  CHECK(st.st_ino == inode);

  std::string good = read_file(file).value();
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x40;
  for (const std::string& corrupt : {std::string("garbage"), good.substr(0, 40), flipped}) {
    REQUIRE(write_file_atomic(file, corrupt, 0600).ok());
    auto again = load_policy("default", cache);
    REQUIRE(again.ok());
    CHECK(bytes_of(*again) == bytes_of(fresh));
    CHECK(read_file(file).value() == good);
  }
}

TEST_CASE("load_policy takes built-in names and file paths", "[seccomp]") {
  TempDir tmp;
  auto unknown = load_policy("nope", tmp.path);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().kind() == ErrorKind::kNotFound);
  CHECK(unknown.error().message().find("default, strict, permissive") != std::string::npos);

  std::string mine = tmp.path + "/mine.json";
  REQUIRE(write_file_atomic(mine, R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]})",
                            0600)
              .ok());
  auto program = load_policy(mine, "");
  REQUIRE(program.ok());
  int status = run_confined(&program.value(), [] {
    _exit(mount("none", "/nonexistent-sbx", "tmpfs", 0, "") == -1 && errno == EACCES ? 0 : 1);
  });
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);

  REQUIRE(write_file_atomic(mine, R"({"defaultAction": "SCMP_ACT_NOPE"})", 0600).ok());
  auto broken = load_policy(mine, tmp.path);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message() == mine + ": defaultAction: unknown action \"SCMP_ACT_NOPE\"");
  CHECK_FALSE(load_policy(tmp.path + "/missing.json", "").ok());
  CHECK(load_policy_profile("strict").value().default_action.kind ==
        SeccompActionKind::kKillProcess);
}
