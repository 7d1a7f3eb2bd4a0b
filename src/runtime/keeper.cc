// The keeper: every process pid 1 starts, but the entrypoint, runs under one. It is a child
// subreaper of pid 1 that starts the process itself, so everything the process starts stays in
// its subtree, setsid'd and double-forked descendants included (orphans are reparented to the
// keeper, not to pid 1). It forwards signals, and on kKillTree SIGKILLs the whole subtree
// (stopped processes too) before it leaves. It then dies the way the process did, so pid 1
// reports the process's own status.
//
// A keeper shares pid 1's memory (CLONE_VM without CLONE_THREAD: a process of its own, with its
// own signal mask, descriptors and children). A fork of pid 1 would copy its page tables and
// then take a copy-on-write fault on every page either side writes, which costs more than the
// rest of starting a process. The price is discipline: pid 1 waits until the process has
// started, and from then on the keeper touches nothing but its own stack and makes its system
// calls directly, never through libc, whose wrappers write errno, pid 1's errno too.
#include "runtime/keeper.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sbx {

namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
constexpr size_t kStackBytes = 256 * 1024;  // touched only as deep as it is used
constexpr int kMaxPids = 2048;              // descendants killed per round; rounds repeat

// A system call without libc: returns the result, or -errno. Touches no memory but its
// arguments' targets.
long raw(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0) {
  long ret;
#if defined(__x86_64__)
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                   : "rcx", "r11", "memory");
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = nr;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
  ret = x0;
#else
#error "keeper.cc: raw system calls are written for x86_64 and aarch64"
#endif
  return ret;
}

// The kernel's sigset (what rt_sig* take): 64 bits.
using KernelSigset = unsigned long;

KernelSigset bit(int sig) { return 1UL << (sig - 1); }

KernelSigset keeper_set() {
  KernelSigset set = bit(SIGCHLD) | bit(kKillTree);
  for (int s : kForwarded) set |= bit(s);
  return set;
}

[[noreturn]] void raw_exit(int code) {
  for (;;) raw(SYS_exit_group, code);
}

// Parses a decimal number from s; returns the first character after it.
const char* parse_int(const char* s, long* out) {
  long v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  *out = v;
  return s;
}

// The parent pid and state of /proc/<pid>/stat ("pid (comm) S ppid ..."); false if gone.
bool read_stat(int proc_fd, const char* pid_name, long* ppid, char* state) {
  char path[64] = {};
  size_t n = 0;
  while (pid_name[n] != '\0' && n < 40) {
    path[n] = pid_name[n];
    ++n;
  }
  memcpy(path + n, "/stat", 6);
  long fd = raw(SYS_openat, proc_fd, reinterpret_cast<long>(path), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[512];
  long got = raw(SYS_read, fd, reinterpret_cast<long>(buf), sizeof buf - 1);
  raw(SYS_close, fd);
  if (got <= 0) return false;
  buf[got] = '\0';
  const char* close_paren = nullptr;
  for (const char* p = buf; *p != '\0'; ++p)
    if (*p == ')') close_paren = p;
  if (close_paren == nullptr || close_paren[1] != ' ' || close_paren[2] == '\0') return false;
  *state = close_paren[2];
  if (close_paren[3] != ' ') return false;
  parse_int(close_paren + 4, ppid);
  return true;
}

// Up to kMaxPids live (not zombie) processes under root in this pid namespace, by walking
// /proc's parent links from root down; returns how many.
int live_descendants(long root, long* out) {
  static_assert(kMaxPids > 0);
  long pids[kMaxPids], ppids[kMaxPids];
  int n = 0;
  long proc = raw(SYS_openat, AT_FDCWD, reinterpret_cast<long>("/proc"),
                  O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (proc < 0) return 0;
  alignas(8) char buf[4096];
  for (;;) {
    long got = raw(SYS_getdents64, proc, reinterpret_cast<long>(buf), sizeof buf);
    if (got <= 0) break;
    for (long off = 0; off < got;) {
      unsigned short reclen;  // struct linux_dirent64: d_reclen at 16, d_name at 19
      memcpy(&reclen, buf + off + 16, sizeof reclen);
      const char* name = buf + off + 19;
      off += reclen;
      if (name[0] < '1' || name[0] > '9' || n == kMaxPids) continue;
      long pid, ppid;
      char state;
      parse_int(name, &pid);
      if (read_stat(static_cast<int>(proc), name, &ppid, &state) && state != 'Z') {
        pids[n] = pid;
        ppids[n] = ppid;
        ++n;
      }
    }
  }
  raw(SYS_close, proc);
  // Breadth first from root: out[0..count) are root's descendants, each one's children
  // appended as it comes up.
  int count = 0;
  for (int next = -1; next < count; ++next) {
    long parent = next < 0 ? root : out[next];
    for (int i = 0; i < n && count < kMaxPids; ++i)
      if (ppids[i] == parent) out[count++] = pids[i];
  }
  return count;
}

class Keeping {
 public:
  explicit Keeping(pid_t child) : child_(child) {}
  [[noreturn]] void run();

 private:
  void reap();
  void kill_tree();
  [[noreturn]] void leave();

  pid_t child_;
  int status_ = 0;
  bool child_done_ = false;
};

void Keeping::reap() {
  int st;
  long pid;
  while ((pid = raw(SYS_wait4, -1, reinterpret_cast<long>(&st), WNOHANG, 0)) > 0)
    if (pid == child_) {
      status_ = st;
      child_done_ = true;
    }
}

// SIGKILL to every live descendant until none is left and every child is reaped; a process
// that forks meanwhile only adds one more round.
void Keeping::kill_tree() {
  long self = raw(SYS_getpid);
  long pids[kMaxPids];
  for (;;) {
    int n = live_descendants(self, pids);
    for (int i = 0; i < n; ++i) raw(SYS_kill, pids[i], SIGKILL);
    reap();
    siginfo_t info;
    memset(&info, 0, sizeof info);
    bool no_children = raw(SYS_waitid, P_ALL, 0, reinterpret_cast<long>(&info),
                           WEXITED | WNOHANG | WNOWAIT, 0) == -ECHILD;
    if (n == 0 && no_children) return;
    timespec pause{0, 1000000};
    raw(SYS_nanosleep, reinterpret_cast<long>(&pause), 0);
  }
}

// Dies the way the process did: its exit code, or its signal (without a core dump).
[[noreturn]] void Keeping::leave() {
  if (WIFEXITED(status_)) raw_exit(WEXITSTATUS(status_));
  int sig = WIFSIGNALED(status_) ? WTERMSIG(status_) : SIGKILL;
  rlimit no_core{0, 0};
  raw(SYS_prlimit64, 0, RLIMIT_CORE, reinterpret_cast<long>(&no_core), 0);
  struct {
    unsigned long handler, flags, restorer;
    KernelSigset mask;
  } dfl = {reinterpret_cast<unsigned long>(SIG_DFL), 0, 0, 0};
  raw(SYS_rt_sigaction, sig, reinterpret_cast<long>(&dfl), 0, sizeof(KernelSigset));
  KernelSigset only = bit(sig);
  raw(SYS_rt_sigprocmask, SIG_UNBLOCK, reinterpret_cast<long>(&only), 0, sizeof only);
  raw(SYS_kill, raw(SYS_getpid), sig);
  raw_exit(128 + sig);
}

[[noreturn]] void Keeping::run() {
  KernelSigset set = keeper_set();
  for (;;) {
    siginfo_t info;
    long sig = raw(SYS_rt_sigtimedwait, reinterpret_cast<long>(&set), reinterpret_cast<long>(&info),
                   0, sizeof set);
    if (sig == SIGCHLD) {
      reap();
      if (child_done_) leave();
    } else if (sig == kKillTree) {
      kill_tree();
      leave();
    } else if (sig > 0) {
      raw(SYS_kill, -child_, sig);  // its process group (it is a session leader), then itself
      raw(SYS_kill, child_, sig);
    }
  }
}

struct Start {
  const KeeperLaunch* launch;
  int ready_fd;  // the write end of the pipe pid 1 waits on
};

// The keeper's life. Until it writes to ready_fd, pid 1 is blocked reading it, so libc is
// safe here; after that, only raw system calls.
int keeper_main(void* arg) {
  const Start* start = static_cast<const Start*>(arg);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  prctl(PR_SET_NAME, "sbx-keeper");  // the command line is pid 1's: its memory is ours
  KernelSigset set = keeper_set();
  raw(SYS_rt_sigprocmask, SIG_BLOCK, reinterpret_cast<long>(&set), 0, sizeof set);
  pid_t child = start->launch->start_process(start->launch->arg);
  int report[2] = {child, child < 0 ? errno : 0};
  int fd = start->ready_fd;
  raw(SYS_write, fd, reinterpret_cast<long>(report), sizeof report);
  // From here on pid 1 runs again, in the same memory: nothing of it may be touched.
  if (child < 0) raw_exit(126);
  raw(SYS_close_range, 3, ~0U, 0);  // the process's streams and pid 1's socket stay with them
  Keeping(child).run();
}

}  // namespace

Keeper start_keeper(const KeeperLaunch& launch) {
  Keeper k;
  void* stack = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return k;
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) {
    munmap(stack, kStackBytes);
    return k;
  }
  Start start{&launch, ready[1]};
  k.pid = clone(keeper_main, static_cast<char*>(stack) + kStackBytes, CLONE_VM | SIGCHLD, &start);
  int clone_err = errno;
  close(ready[1]);
  if (k.pid < 0) {
    close(ready[0]);
    munmap(stack, kStackBytes);
    errno = clone_err;
    return k;
  }
  k.stack = stack;
  int report[2] = {-1, EIO};
  ssize_t got;
  while ((got = read(ready[0], report, sizeof report)) < 0 && errno == EINTR) {
  }
  close(ready[0]);
  k.process = got == sizeof report ? report[0] : -1;
  k.error = got == sizeof report ? report[1] : EIO;
  return k;
}

void release_keeper(Keeper& keeper) {
  if (keeper.stack != nullptr) munmap(keeper.stack, kStackBytes);
  keeper.stack = nullptr;
}

}  // namespace sbx
