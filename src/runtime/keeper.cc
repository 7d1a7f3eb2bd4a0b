// The keeper: every process pid 1 starts runs under one. It is a child subreaper forked by
// pid 1 that forks the process itself, so everything the process starts stays in its subtree,
// setsid'd and double-forked descendants included (orphans are reparented to the keeper, not to
// pid 1). It forwards signals, and on kKillTree SIGKILLs the whole subtree (stopped processes
// too) before it leaves. It then dies the way the process did, so pid 1 reports the process's
// own status. Runs inside the sandbox, in a fresh single-threaded process forked by pid 1.
#include "runtime/keeper.h"

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "util/proctitle.h"

namespace sbx {

namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// The live processes under `root` in this pid namespace (zombies left out: they are reaped).
std::vector<pid_t> live_descendants(pid_t root) {
  std::vector<std::pair<pid_t, pid_t>> procs;  // pid, ppid
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return {};
  while (dirent* e = readdir(proc)) {
    pid_t pid = static_cast<pid_t>(atoi(e->d_name));
    if (pid <= 0) continue;
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE* f = fopen(path, "re");
    if (f == nullptr) continue;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char* close_paren = strrchr(buf, ')');
    char state;
    int ppid;
    if (close_paren == nullptr || sscanf(close_paren + 1, " %c %d", &state, &ppid) != 2) continue;
    if (state != 'Z') procs.emplace_back(pid, ppid);
  }
  closedir(proc);
  std::vector<pid_t> out = {root};
  for (size_t i = 0; i < out.size(); ++i)
    for (const auto& [pid, ppid] : procs)
      if (ppid == out[i]) out.push_back(pid);
  out.erase(out.begin());
  return out;
}

class Keeper {
 public:
  explicit Keeper(pid_t child) : child_(child) {}
  [[noreturn]] void run(const sigset_t& set);

 private:
  void reap();
  void kill_tree();
  [[noreturn]] void leave();

  pid_t child_;
  int status_ = 0;
  bool child_done_ = false;
};

void Keeper::reap() {
  int st;
  pid_t pid;
  while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
    if (pid == child_) {
      status_ = st;
      child_done_ = true;
    }
}

// SIGKILL to every live descendant until none is left and every child is reaped; a process
// that forks meanwhile only adds one more round.
void Keeper::kill_tree() {
  for (;;) {
    std::vector<pid_t> pids = live_descendants(getpid());
    for (pid_t p : pids) kill(p, SIGKILL);
    reap();
    siginfo_t info{};
    bool no_children = waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD;
    if (pids.empty() && no_children) return;
    timespec pause{0, 1000000};
    nanosleep(&pause, nullptr);
  }
}

[[noreturn]] void Keeper::leave() {
  if (WIFEXITED(status_)) _exit(WEXITSTATUS(status_));
  int sig = WIFSIGNALED(status_) ? WTERMSIG(status_) : SIGKILL;
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  signal(sig, SIG_DFL);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, sig);
  sigprocmask(SIG_UNBLOCK, &only, nullptr);
  kill(getpid(), sig);
  _exit(128 + sig);
}

[[noreturn]] void Keeper::run(const sigset_t& set) {
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&set, &info);
    if (sig == SIGCHLD) {
      reap();
      if (child_done_) leave();
    } else if (sig == kKillTree) {
      kill_tree();
      leave();
    } else if (sig > 0) {
      kill(-child_, sig);  // its process group (it is a session leader), then itself
      kill(child_, sig);
    }
  }
}

}  // namespace

void keeper_signals(sigset_t* set) {
  sigemptyset(set);
  sigaddset(set, SIGCHLD);
  sigaddset(set, kKillTree);
  for (int s : kForwarded) sigaddset(set, s);
}

[[noreturn]] void keep(pid_t child) {
  set_process_title("sbx-keeper");
  sigset_t set;
  keeper_signals(&set);
  Keeper(child).run(set);
}

}  // namespace sbx
