// The sandbox's pid 1: a minimal init that spawns what the supervisor asks for, reaps every
// process (including orphans reparented to it) and reports ends over the control socket. It
// runs inside the sandbox with the sandbox's credentials; when the supervisor goes away, or
// once the entrypoint has ended and been reported, it exits and the kernel kills everything
// left in the pid namespace.
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <set>

#include "runtime/child_steps.h"
#include "runtime/keeper.h"
#include "runtime/runtime.h"
#include "util/msg.h"
#include "util/trace.h"

namespace sbx {

namespace {

// A decoded "spawn" request, with every string the child needs prepared before the clone.
struct SpawnRequest {
  uint64_t seq = 0;
  bool kept = true;  // under a keeper (keeper.cc); the entrypoint is not (see Init::spawn)
  std::string cwd;
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::vector<std::string> candidates;  // paths to try for argv[0]
};

std::string env_value(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& kv : env)
    if (kv.size() > key.size() && kv.compare(0, key.size(), key) == 0 && kv[key.size()] == '=')
      return kv.substr(key.size() + 1);
  return {};
}

std::vector<std::string> exec_candidates(const std::string& file, const std::string& path) {
  if (file.find('/') != std::string::npos) return {file};
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? end : end - start);
    out.push_back((dir.empty() ? "." : dir) + "/" + file);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// Writes the parts of one message to stderr without allocating (the child shares pid 1's
// memory until execve).
void say(std::initializer_list<const char*> parts) {
  iovec iov[8];
  int n = 0;
  for (const char* p : parts)
    if (n < 8) iov[n++] = {const_cast<char*>(p), strlen(p)};
  (void)!writev(2, iov, n);
}

const char* error_text(int err) {
  const char* text = strerrordesc_np(err);
  return text != nullptr ? text : "unknown error";
}

// The sandbox's rlimits, never above the hard limit already in place; 0 or an errno value.
int apply_rlimits(const std::vector<RlimitSetting>& rlimits) {
  for (const auto& r : rlimits) {
    rlimit cur;
    if (getrlimit(r.resource, &cur) != 0) return errno;
    rlim_t v = r.value < cur.rlim_max ? r.value : cur.rlim_max;
    rlimit next{v, v};
    if (setrlimit(r.resource, &next) != 0) return errno;
  }
  return 0;
}

// Runs in the child of a vfork-style clone made by the process's keeper, on its own stack and
// in the keeper's memory until execve: only system calls, no allocation, nothing written but
// locals. Becomes the process the caller asked for.
[[noreturn]] void become_process(const SpawnRequest& req, char* const* argv, char* const* envp,
                                 const int fds[3], const SandboxPlan& plan) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);  // the child has its own signal handlers (no CLONE_SIGHAND)
  setsid();
  for (int i = 0; i < 3; ++i)
    if (dup2(fds[i], i) != i) _exit(126);
  close_range(3, ~0U, 0);
  if (chdir(req.cwd.c_str()) != 0) {
    say({"sbx: cannot enter working directory ", req.cwd.c_str(), ": ", error_text(errno), "\n"});
    _exit(126);
  }
  if (int rerr = apply_rlimits(plan.rlimits); rerr != 0) {
    say({"sbx: cannot apply the resource limits: ", error_text(rerr), "\n"});
    _exit(126);
  }
  // Last step before execve: from here on the sandbox's seccomp profile holds.
  if (int serr = apply_seccomp(plan.seccomp); serr != 0) {
    say({"sbx: cannot load the seccomp profile: ", error_text(serr), "\n"});
    _exit(126);
  }
  trace_mark("process: execve");
  int err = ENOENT;
  for (const auto& path : req.candidates) {
    execve(path.c_str(), argv, envp);
    if (errno != ENOENT && errno != ENOTDIR) err = errno;
    if (errno == ENOEXEC || errno == E2BIG || errno == ENOMEM) break;
  }
  say({"sbx: cannot run ", req.argv[0].c_str(), ": ",
       err == ENOENT ? "command not found" : error_text(err), "\n"});
  _exit(err == ENOENT ? 127 : 126);
}

struct ChildArgs {
  const SpawnRequest* req;
  char* const* argv;
  char* const* envp;
  const int* fds;
  const SandboxPlan* plan;
};

int process_main(void* arg) {
  const auto* a = static_cast<const ChildArgs*>(arg);
  become_process(*a->req, a->argv, a->envp, a->fds, *a->plan);
}

// Starts the child the way posix_spawn does: CLONE_VM | CLONE_VFORK, on a stack of its own
// carved out of this frame. No page tables are copied and pid 1 takes no copy-on-write faults
// afterwards; pid 1 sleeps only until the child's execve (or _exit).
pid_t spawn_child(ChildArgs& args) {
  constexpr size_t kStackBytes = 16 * 1024;  // a few system calls and one writev deep
  alignas(16) char stack[kStackBytes];
  return clone(process_main, stack + kStackBytes, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
}

std::optional<SpawnRequest> decode_spawn(const Message& m) {
  // spawn, seq, kept, cwd, argc, argv..., env...
  if (m.fields.size() < 6 || m.fds.size() != 3) return std::nullopt;
  SpawnRequest req;
  req.seq = std::stoull(m.at(1));
  req.kept = m.at(2) == "1";
  req.cwd = m.at(3);
  size_t argc = std::stoul(m.at(4));
  if (argc == 0 || 5 + argc > m.fields.size()) return std::nullopt;
  req.argv.assign(m.fields.begin() + 5, m.fields.begin() + 5 + static_cast<long>(argc));
  req.env.assign(m.fields.begin() + 5 + static_cast<long>(argc), m.fields.end());
  req.candidates = exec_candidates(req.argv[0], env_value(req.env, "PATH"));
  return req;
}

// How long pid 1 waits with no event before it trims its heap (Init::run).
constexpr int kSettleMs = 50;

class Init {
 public:
  Init(int control, const SandboxPlan& plan) : control_(control), plan_(plan) {}
  [[noreturn]] void run();

 private:
  void handle(const Message& m);
  void spawn(const SpawnRequest& req, const Message& m);
  void reap();
  void report(std::vector<std::string> fields) {
    if (!send_message(control_, fields).ok()) _exit(0);  // the supervisor is gone
  }

  int control_;
  const SandboxPlan& plan_;
  std::map<pid_t, uint64_t> running_;  // pid -> seq
  std::map<uint64_t, pid_t> by_seq_;
  std::set<pid_t> unkept_;           // started without a keeper: signals go to them directly
  std::map<pid_t, Keeper> keepers_;  // by the keeper's pid, until reaped (its stack is ours)
};

void Init::spawn(const SpawnRequest& req, const Message& m) {
  std::vector<char*> argv, envp;
  for (const auto& a : req.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : req.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int fds[3] = {m.fds[0].get(), m.fds[1].get(), m.fds[2].get()};
  if (!req.kept) {
    // The entrypoint: its end ends the sandbox, and pid 1's death then kills all it started,
    // so it needs no keeper. Started straight from here, vfork-style: no fork of pid 1, no
    // copy-on-write faults, one process fewer.
    ChildArgs args{&req, argv.data(), envp.data(), fds, &plan_};
    pid_t pid = spawn_child(args);
    if (pid < 0) {
      report({"exited", std::to_string(req.seq), std::to_string(W_EXITCODE(126, 0))});
      return;
    }
    unkept_.insert(pid);
    running_[pid] = req.seq;
    by_seq_[req.seq] = pid;
    report({"started", std::to_string(req.seq), std::to_string(pid)});
    return;
  }
  // The keeper (keeper.cc) between us and the process: a kill then reaches all it started.
  ChildArgs args{&req, argv.data(), envp.data(), fds, &plan_};
  KeeperLaunch launch{[](void* a) { return spawn_child(*static_cast<ChildArgs*>(a)); }, &args};
  Keeper keeper = start_keeper(launch);
  if (keeper.pid < 0 || keeper.process < 0) {
    int err = keeper.pid < 0 ? errno : keeper.error;
    std::string text = std::string("sbx: cannot start a process: ") + strerror(err) + "\n";
    (void)!write(fds[2], text.data(), text.size());
    if (keeper.pid < 0) {
      report({"exited", std::to_string(req.seq), std::to_string(W_EXITCODE(126, 0))});
      return;
    }
  }
  pid_t pid = keeper.pid;
  keepers_[pid] = keeper;
  running_[pid] = req.seq;
  by_seq_[req.seq] = pid;
  report({"started", std::to_string(req.seq), std::to_string(pid)});
}

void Init::handle(const Message& m) {
  if (m.verb() == "spawn") {
    if (auto req = decode_spawn(m)) spawn(*req, m);
  } else if (m.verb() == "signal") {
    auto it = by_seq_.find(std::stoull(m.at(1)));
    if (it != by_seq_.end()) {
      int sig = std::stoi(m.at(2));
      if (unkept_.count(it->second) != 0) {
        kill(-it->second, sig);  // its process group (it is a session leader), then itself
        kill(it->second, sig);
      } else {
        kill(it->second, sig == SIGKILL ? kKillTree : sig);  // its keeper forwards or kills all
      }
    }
  }
}

void Init::reap() {
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    auto it = running_.find(pid);
    if (it == running_.end()) continue;  // an orphan that was reparented to us
    uint64_t seq = it->second;
    running_.erase(it);
    bool entrypoint = unkept_.erase(pid) != 0;
    if (auto k = keepers_.find(pid); k != keepers_.end()) {
      release_keeper(k->second);
      keepers_.erase(k);
    }
    by_seq_.erase(seq);
    report({"exited", std::to_string(seq), std::to_string(status)});
    // The entrypoint's end is the sandbox's end: the supervisor would only kill us now. Going
    // at once (the kernel kills what is left) starts the teardown while it reads the report,
    // and spares it waiting for the kill to land; it reads the report before it acts on our
    // death (Supervisor::on_init_gone).
    if (entrypoint) _exit(0);
  }
}

void Init::run() {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, nullptr);
  signal(SIGPIPE, SIG_IGN);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) _exit(1);
  pollfd fds[2] = {{control_, POLLIN, 0}, {sfd, POLLIN, 0}};
  // pid 1 lives as long as the sandbox: once nothing has happened for a while, it gives back
  // what its setup freed. Not sooner: the pages a trim returns would be faulted in again by
  // the first spawn, on the way to the command (about 25 us a page on a VM).
  bool trimmed = false;
  for (;;) {
    int n = poll(fds, 2, trimmed ? -1 : kSettleMs);
    if (n < 0) {
      if (errno == EINTR) continue;
      _exit(1);
    }
    if (n == 0) {
      malloc_trim(0);
      trimmed = true;
      continue;
    }
    if (fds[1].revents != 0) {
      signalfd_siginfo info;
      while (read(sfd, &info, sizeof info) > 0) {
      }
      reap();
    }
    if (fds[0].revents != 0) {
      auto m = recv_message(control_);
      if (!m.ok() || !m.value()) _exit(0);
      handle(**m);
    }
  }
}

}  // namespace

[[noreturn]] void init_main(int control, const SandboxPlan& plan) { Init(control, plan).run(); }

namespace child {

int quiet_stdio() {
  int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd < 0) return errno;
  for (int i = 0; i < 3; ++i)
    if (dup2(fd, i) != i) return errno;
  if (fd > 2) close(fd);
  return 0;
}

}  // namespace child

// Supervisor side of the protocol.

Status spawn_in_sandbox(int control, uint64_t seq, bool kept, const ProcessSpec& spec, int in,
                        int out, int err) {
  std::vector<std::string> fields = {"spawn", std::to_string(seq), kept ? "1" : "0", spec.cwd,
                                     std::to_string(spec.argv.size())};
  fields.insert(fields.end(), spec.argv.begin(), spec.argv.end());
  fields.insert(fields.end(), spec.env.begin(), spec.env.end());
  return send_message(control, fields, {in, out, err});
}

Status signal_in_sandbox(int control, uint64_t seq, int sig) {
  return send_message(control, {"signal", std::to_string(seq), std::to_string(sig)});
}

Result<std::optional<InitEvent>> receive_init_event(int control) {
  SBX_ASSIGN_OR_RETURN(auto m, recv_message(control));
  if (!m) return std::optional<InitEvent>();
  InitEvent ev;
  ev.seq = std::stoull(m->at(1));
  if (m->verb() == "started") {
    ev.kind = InitEvent::Kind::kStarted;
    ev.pid = std::stoi(m->at(2));
  } else {
    ev.kind = InitEvent::Kind::kExited;
    ev.wait_status = std::stoi(m->at(2));
  }
  return std::optional<InitEvent>(ev);
}

}  // namespace sbx
