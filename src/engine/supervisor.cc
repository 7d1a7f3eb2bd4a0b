// The supervisor's event loop: init events, control-socket clients, timers, output pumps and
// signals, all on one EventLoop. The end of a sandbox is a two-phase affair: begin_end() kills
// pid 1 (the kernel then kills everything in the pid namespace); finish() runs once pid 1 is
// reaped and every output pump has drained, records the end and answers everyone waiting.
#include "engine/supervisor.h"

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <optional>

#include "engine/capped_log.h"
#include "engine/layout.h"
#include "engine/sandbox_network.h"
#include "engine/spec.h"
#include "engine/trash.h"
#include "engine/unix_socket.h"
#include "runtime/runtime.h"
#include "store/store.h"
#include "stream/event_loop.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/ids.h"
#include "util/json.h"
#include "util/msg.h"
#include "util/trace.h"

namespace sbx {

namespace {

// A process running in the sandbox (the entrypoint or an exec).
struct Proc {
  std::string id;  // pr-…; empty for the entrypoint
  bool entrypoint = false;
  bool detached = false;
  uint64_t client = 0;  // the connection waiting for its end (0: none)
  uint64_t timer = 0;
  bool timed_out = false;
  std::vector<uint64_t> waiters;
};

struct Client {
  UniqueFd fd;
  uint64_t watch = 0;
  uint64_t exec_seq = 0;  // a non-detached exec this client waits for
};

constexpr int kForwardedSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

int returncode_for(EndReason r, int rc) {
  switch (r) {
    case EndReason::kTimeout:
    case EndReason::kIdle: return kReturnCodeTimeout;
    case EndReason::kTerminated:
    case EndReason::kLost: return kReturnCodeTerminated;
    default: return rc;
  }
}

class Supervisor {
 public:
  Supervisor(SupervisorConfig& cfg, EventLoop& loop)
      : cfg_(cfg), loop_(loop), layout_(sandbox_layout(cfg.home, cfg.id)) {}

  Status start();
  Result<int> run();

 private:
  Status start_network();
  Status listen_control();
  Status watch_signals();
  Status spawn_entrypoint();
  Status relay_terminal(int fds[3], std::vector<UniqueFd>& child_ends);
  Result<UniqueFd> output_to_file(const std::string& path);
  uint64_t spawn(Proc proc, const ProcessSpec& spec, int in, int out, int err);

  void on_init_event();
  void on_accept();
  void on_client(uint64_t id);
  void on_signal();
  Status hand_over();
  Status set_runtime(const std::string& key, const std::string& json);
  Result<Store*> store();
  void handle_exec(uint64_t client, Message& m);
  void handle_wait(uint64_t client, const Message& m);
  void handle_layer(uint64_t client);
  Status set_up_limits();
  void on_oom_event();
  std::string usage_json();
  void process_exited(uint64_t seq, int status);
  void reply(uint64_t client, const std::vector<std::string>& fields);
  void drop_client(uint64_t id);
  void arm_idle_timer();
  void empty_trash_step();

  void begin_end(EndReason reason, int rc);
  void on_init_gone();
  void maybe_finish();
  void finish();

  SupervisorConfig& cfg_;
  Store* store_ = nullptr;            // null until recorded (one-shot) or handed over
  bool journalled_ = false;           // recorded in the store's journal: store_ opened on need
  std::unique_ptr<Store> own_store_;  // a detached supervisor's connection
  RuntimeValues early_values_;        // runtime values before the row exists
  EventLoop& loop_;
  SandboxLayout layout_;
  SandboxProcess sandbox_;
  std::unique_ptr<SandboxNetwork> net_;
  std::unique_ptr<LimitsBackend> limits_;
  rusage init_usage_{};  // pid 1's and everything it reaped
  UniqueFd listener_, signals_, dev_null_;
  std::map<uint64_t, Proc> procs_;
  std::map<uint64_t, Client> clients_;
  std::map<std::string, std::pair<int, EndReason>> ended_;  // pr-… -> outcome, this life
  std::vector<uint64_t> sandbox_waiters_;
  std::vector<UniqueFd> held_;  // pump ends and log files, closed at exit
  int control_ = -1;  // pid 1's end of the control socket (sandbox_.control once it is set)
  UniqueFd stdin_pipe_;
  uint64_t stdin_pump_ = 0;
  uint64_t next_seq_ = 1, next_client_ = 1;
  uint64_t timeout_timer_ = 0, idle_timer_ = 0, init_watch_ = 0;
  int active_execs_ = 0, pumps_ = 0;
  bool ending_ = false, init_reaped_ = false, finished_ = false;
  EndReason end_reason_ = EndReason::kNone;
  int end_rc_ = 0;
};

Status Supervisor::start() {
  SBX_TRY(set_up_limits());
  trace_mark("sup: limits");
  std::function<Status()> record;  // a one-shot records itself while its sandbox starts
  if (cfg_.record)
    record = [this]() -> Status {
      SBX_ASSIGN_OR_RETURN(store_, cfg_.record(early_values_));
      journalled_ = store_ == nullptr;
      early_values_.clear();
      return {};
    };
  bool after_spawn = record && cfg_.record_after_spawn && !cfg_.command.empty();
  // A foreground entrypoint that needs nothing set up outside the sandbox first (no pasta, no
  // forwarded port) is handed to pid 1 while pid 1 still mounts: the request waits in its
  // queue, and the command starts the moment pid 1 is ready, with no wakeup in between.
  bool early =
      cfg_.foreground && !cfg_.command.empty() && cfg_.network != "nat" && cfg_.ports.empty();
  auto meanwhile = [&](const SandboxProcess& sp) -> Status {
    if (record && !after_spawn) SBX_TRY(record());  // a name may be taken: before it runs
    if (!early) return {};
    SBX_TRY(watch_signals());
    control_ = sp.control.get();
    SBX_TRY(spawn_entrypoint());
    // If this fails, start_sandbox kills pid 1, and the command with it.
    if (after_spawn) SBX_TRY(record());
    return {};
  };
  SBX_ASSIGN_OR_RETURN(sandbox_, start_sandbox(cfg_.plan, limits_.get(), meanwhile));
  control_ = sandbox_.control.get();
  if (limits_ && limits_->oom_fd() >= 0)
    loop_.watch(limits_->oom_fd(), [this](int) {
      on_oom_event();
      return !ending_;
    });
  SBX_TRY(start_network());
  dev_null_.reset(open("/dev/null", O_RDWR | O_CLOEXEC));
  SBX_TRY(listen_control());
  if (!early) SBX_TRY(watch_signals());
  init_watch_ = loop_.watch(sandbox_.control.get(), [this](int) {
    on_init_event();
    return !init_reaped_;
  });
  loop_.watch(sandbox_.pidfd.get(), [this](int) {
    on_init_gone();
    return false;
  });
  if (!early && !cfg_.command.empty()) SBX_TRY(spawn_entrypoint());
  if (!early && after_spawn) {
    if (Status recorded = record(); !recorded.ok()) {
      // Its command has started: it must not outlive a sandbox that was never recorded.
      syscall(SYS_pidfd_send_signal, sandbox_.pidfd.get(), SIGKILL, nullptr, 0);
      waitpid(sandbox_.pid, nullptr, 0);
      return recorded;
    }
  }
  timeout_timer_ = loop_.after(cfg_.timeout_s * 1000, [this] {
    timeout_timer_ = 0;
    begin_end(EndReason::kTimeout, kReturnCodeTimeout);
  });
  arm_idle_timer();
  trace_mark("sup: started");
  // What earlier one-shots left to remove, while this one's command starts and runs.
  if (cfg_.foreground && !cfg_.command.empty()) empty_trash_step();
  if (!cfg_.foreground) SBX_TRY(hand_over());
  return {};
}

// A step of emptying the trash (trash.h), and the next one once pending events are handled.
void Supervisor::empty_trash_step() {
  constexpr int kRemovalsPerStep = 16;  // about 3 ms where each rmdir waits for a discard
  TrashOwner owner{cfg_.plan.identity.uid.outside, cfg_.plan.identity.gid.outside};
  if (!ending_ && empty_trash_some(cfg_.home, kRemovalsPerStep, owner))
    loop_.after(0, [this] { empty_trash_step(); });
}

// The sandbox's cgroup (or the note that only rlimits hold), made before clone().
Status Supervisor::set_up_limits() {
  SBX_ASSIGN_OR_RETURN(limits_, make_limits(cfg_.limits_kind, cfg_.id, cfg_.limits));
  if (!limits_) return {};
  std::string kind = std::string("\"") + limits_kind_name(limits_->kind()) + "\"";
  return set_runtime("limits_backend", kind);
}

// The kernel's OOM notification (the process it killed may not have been reaped yet).
void Supervisor::on_oom_event() {
  uint64_t n;
  while (read(limits_->oom_fd(), &n, sizeof n) > 0) {
  }
  if (limits_->oom_kills() > 0) begin_end(EndReason::kOom, kReturnCodeTerminated);
}

// Peak memory and CPU time: the cgroup's counters, else what pid 1 and all it reaped used.
std::string Supervisor::usage_json() {
  Usage u = limits_ ? limits_->usage() : Usage{};
  if (!u.peak_memory) u.peak_memory = int64_t{init_usage_.ru_maxrss} * 1024;  // largest process
  if (!u.cpu_seconds) {
    auto secs = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    u.cpu_seconds = secs(init_usage_.ru_utime) + secs(init_usage_.ru_stime);
  }
  JsonWriter w;
  w.begin_object().field("peak_memory", *u.peak_memory).field("cpu_seconds", *u.cpu_seconds);
  w.end_object();
  return w.take();
}

// A key of the row's runtime_json; before the row exists, it is kept: a one-shot records it
// with its row, and a detached supervisor hands it to the CLI, which records it with the row.
Status Supervisor::set_runtime(const std::string& key, const std::string& json) {
  if (store_ == nullptr && !journalled_) {
    early_values_.emplace_back(key, json);
    return {};
  }
  SBX_ASSIGN_OR_RETURN(Store * store, this->store());
  return store->set_runtime_value(cfg_.id, key, json);
}

// The store for what follows the row: a journalled one-shot opens it only when something other
// than its end must be written (a process exec'd into it, a late runtime value); opening folds
// the journal, so the row is there first.
Result<Store*> Supervisor::store() {
  if (store_ != nullptr) return store_;
  if (!journalled_ || !cfg_.open_store) return internal("the sandbox has no store yet");
  SBX_ASSIGN_OR_RETURN(store_, cfg_.open_store());
  return store_;
}

// Detached: report readiness (and what the CLI records) to the creating CLI, open our own
// store meanwhile, then wait for its ack: the row exists from then on, so the sandbox's end
// (maybe_finish) waits for it. If the CLI dies first (EOF), the sandbox is torn down, and
// recorded as lost if the CLI got as far as recording it.
Status Supervisor::hand_over() {
  std::string verdict = "OK " + std::to_string(getpid()) + "\n";
  for (const auto& [key, json] : early_values_) verdict += key + " " + json + "\n";
  {
    SigpipeIgnored held;  // a CLI that died meanwhile: EPIPE, and the ack's EOF ends the sandbox
    (void)write_all(cfg_.ready_fd, verdict);
  }
  close(cfg_.ready_fd);
  cfg_.ready_fd = -1;
  SBX_ASSIGN_OR_RETURN(own_store_, Store::open(store_path(cfg_.home)));
  store_ = own_store_.get();
  loop_.watch(cfg_.ack_fd, [this](int) {
    char c;
    ssize_t n = read(cfg_.ack_fd, &c, 1);
    if (n < 0 && errno == EINTR) return true;
    if (n <= 0) begin_end(EndReason::kLost, kReturnCodeTerminated);
    close(cfg_.ack_fd);
    cfg_.ack_fd = -1;
    maybe_finish();
    return false;
  });
  return {};
}

// Before the entrypoint: it starts with its network (and its tunnels recorded) in place.
Status Supervisor::start_network() {
  SBX_ASSIGN_OR_RETURN(
      net_, SandboxNetwork::start(cfg_.network, cfg_.ports, sandbox_, layout_.dir, loop_));
  if (!net_->has_tunnels()) return {};
  return set_runtime("tunnels", net_->tunnels_json());
}

Status Supervisor::listen_control() {
  SBX_ASSIGN_OR_RETURN(listener_, listen_unix(layout_.socket()));
  loop_.watch(listener_.get(), [this](int) {
    on_accept();
    return !ending_;
  });
  return {};
}

Status Supervisor::watch_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : kForwardedSignals) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  signals_.reset(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signals_) return sys_error("signalfd");
  loop_.watch(signals_.get(), [this](int) {
    on_signal();
    return true;
  });
  return {};
}

// A pipe whose read end is pumped into the file at path; returns the write end.
Result<UniqueFd> Supervisor::output_to_file(const std::string& path) {
  SBX_ASSIGN_OR_RETURN(Pipe p, make_pipe());
  UniqueFd file(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!file) return sys_error("open " + path);
  int src = p.read.get();
  ++pumps_;
  pump_capped(loop_, src, file.get(), dev_null_.get(), kLogCapBytes, [this](Status) {
    --pumps_;
    maybe_finish();
  });
  held_.push_back(std::move(p.read));
  held_.push_back(std::move(file));
  return std::move(p.write);
}

Status Supervisor::spawn_entrypoint() {
  ProcessSpec spec{cfg_.command, env_strings(cfg_.env), cfg_.workdir};
  Proc proc;
  proc.entrypoint = true;
  if (cfg_.foreground) {
    int fds[3] = {cfg_.stdio.in, cfg_.stdio.out, cfg_.stdio.err};
    std::vector<UniqueFd> child_ends;  // closed on return: the sandbox holds its own copies
    SBX_TRY(relay_terminal(fds, child_ends));
    spawn(std::move(proc), spec, fds[0], fds[1], fds[2]);
    return {};
  }
  SBX_TRY(make_dirs(layout_.logs(), 0700));
  SBX_ASSIGN_OR_RETURN(auto out, output_to_file(layout_.stdout_log()));
  SBX_ASSIGN_OR_RETURN(auto err, output_to_file(layout_.stderr_log()));
  spawn(std::move(proc), spec, dev_null_.get(), out.get(), err.get());
  return {};
}

// `run` on a terminal: nothing in the sandbox gets the caller's tty. Each tty stream is
// replaced by a pipe, relayed by the loop; output relays must drain before the end.
Status Supervisor::relay_terminal(int fds[3], std::vector<UniqueFd>& child_ends) {
  for (int i = 0; i < 3; ++i) {
    if (!isatty(fds[i])) continue;
    SBX_ASSIGN_OR_RETURN(Pipe p, make_pipe());
    if (i == 0) {
      stdin_pipe_ = std::move(p.write);
      stdin_pump_ = loop_.pump(fds[0], stdin_pipe_.get(), [this](Status) {
        stdin_pump_ = 0;
        stdin_pipe_.reset();  // the process sees EOF when the terminal does
      });
      fds[0] = p.read.get();
      child_ends.push_back(std::move(p.read));
    } else {
      ++pumps_;
      loop_.pump(p.read.get(), fds[i], [this](Status) {
        --pumps_;
        maybe_finish();
      });
      fds[i] = p.write.get();
      child_ends.push_back(std::move(p.write));
      held_.push_back(std::move(p.read));
    }
  }
  return {};
}

uint64_t Supervisor::spawn(Proc proc, const ProcessSpec& spec, int in, int out, int err) {
  uint64_t seq = next_seq_++;
  bool entry = proc.entrypoint;
  procs_[seq] = std::move(proc);
  if (!spawn_in_sandbox(control_, seq, !entry, spec, in, out, err).ok()) {
    procs_.erase(seq);
    return 0;
  }
  if (!entry) {
    ++active_execs_;
    if (idle_timer_ != 0) loop_.cancel(idle_timer_);
    idle_timer_ = 0;
  }
  return seq;
}

void Supervisor::arm_idle_timer() {
  if (cfg_.idle_timeout_s <= 0 || active_execs_ > 0 || ending_) return;
  if (idle_timer_ != 0) loop_.cancel(idle_timer_);
  idle_timer_ = loop_.after(cfg_.idle_timeout_s * 1000, [this] {
    idle_timer_ = 0;
    begin_end(EndReason::kIdle, kReturnCodeTimeout);
  });
}

void Supervisor::on_init_event() {
  auto ev = receive_init_event(sandbox_.control.get());
  if (!ev.ok() || !ev.value()) {
    loop_.unwatch(init_watch_);
    if (!ending_) begin_end(EndReason::kLost, kReturnCodeTerminated);
    return;
  }
  if ((*ev)->kind == InitEvent::Kind::kExited) process_exited((*ev)->seq, (*ev)->wait_status);
}

void Supervisor::process_exited(uint64_t seq, int status) {
  trace_mark("sup: process exited");
  auto it = procs_.find(seq);
  if (it == procs_.end()) return;
  Proc proc = std::move(it->second);
  procs_.erase(it);
  if (proc.timer != 0) loop_.cancel(proc.timer);
  int rc = proc.timed_out ? kReturnCodeTimeout : returncode_of(status);
  EndReason reason = proc.timed_out        ? EndReason::kTimeout
                     : WIFSIGNALED(status) ? EndReason::kSignal
                                           : EndReason::kExit;
  // The OOM killer acted in the sandbox: as on Modal, the whole sandbox ends with "oom".
  bool oom = !proc.timed_out && limits_ && limits_->oom_kills() > 0;
  if (oom) {
    reason = EndReason::kOom;
    rc = kReturnCodeTerminated;
  }
  if (proc.entrypoint) {
    begin_end(reason, rc);
    return;
  }
  (void)store_->mark_process_ended(proc.id, rc, end_reason_name(reason));
  ended_[proc.id] = {rc, reason};
  std::vector<std::string> done = {kRepExited, std::to_string(rc), end_reason_name(reason)};
  if (proc.client != 0) reply(proc.client, done);
  for (uint64_t w : proc.waiters) reply(w, done);
  --active_execs_;
  if (oom) begin_end(EndReason::kOom, kReturnCodeTerminated);
  arm_idle_timer();
}

void Supervisor::on_accept() {
  for (;;) {
    int fd = accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    uint64_t id = next_client_++;
    Client& c = clients_[id];
    c.fd.reset(fd);
    c.watch = loop_.watch(fd, [this, id](int) {
      on_client(id);
      return clients_.count(id) != 0;
    });
  }
}

void Supervisor::on_client(uint64_t id) {
  Client& c = clients_[id];
  auto m = recv_message(c.fd.get());
  if (!m.ok() || !m.value()) {
    drop_client(id);
    return;
  }
  Message& msg = **m;
  if (ending_) {
    reply(id, {kRepError, "failed_precondition", "sandbox " + cfg_.id + " is ending"});
  } else if (msg.verb() == kReqExec) {
    handle_exec(id, msg);
  } else if (msg.verb() == kReqWait) {
    handle_wait(id, msg);
  } else if (msg.verb() == kReqLayer) {
    handle_layer(id);
  } else if (msg.verb() == kReqTerminate) {
    sandbox_waiters_.push_back(id);
    begin_end(EndReason::kTerminated, kReturnCodeTerminated);
  } else {
    reply(id, {kRepError, "invalid_argument", "unknown request '" + msg.verb() + "'"});
  }
}

void Supervisor::drop_client(uint64_t id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  // A caller that goes away before its process ends takes the process with it.
  if (it->second.exec_seq != 0 && procs_.count(it->second.exec_seq) != 0) {
    procs_[it->second.exec_seq].client = 0;
    (void)signal_in_sandbox(sandbox_.control.get(), it->second.exec_seq, SIGKILL);
  }
  loop_.unwatch(it->second.watch);
  clients_.erase(it);
}

void Supervisor::reply(uint64_t client, const std::vector<std::string>& fields) {
  auto it = clients_.find(client);
  if (it == clients_.end()) return;
  if (!send_message(it->second.fd.get(), fields).ok()) drop_client(client);
}

void Supervisor::handle_exec(uint64_t client, Message& m) {
  // exec, detach, timeout_ms, cwd, argc, argv..., env...
  bool detach = m.at(1) == "1";
  int64_t timeout_ms = std::stoll(m.at(2));
  size_t argc = std::stoul(m.at(4));
  if (argc == 0 || 5 + argc > m.fields.size() || (!detach && m.fds.size() != 3)) {
    reply(client, {kRepError, "invalid_argument", "malformed exec request"});
    return;
  }
  ProcessSpec spec;
  spec.cwd = m.at(3).empty() ? cfg_.workdir : m.at(3);
  spec.argv.assign(m.fields.begin() + 5, m.fields.begin() + 5 + static_cast<long>(argc));
  EnvList extra;
  for (auto it = m.fields.begin() + 5 + static_cast<long>(argc); it != m.fields.end(); ++it) {
    size_t eq = it->find('=');
    extra.emplace_back(it->substr(0, eq), eq == std::string::npos ? "" : it->substr(eq + 1));
  }
  spec.env = env_strings(merge_env(cfg_.env, extra));
  Proc proc;
  proc.id = new_id("pr");
  proc.detached = detach;
  proc.client = detach ? 0 : client;
  trace_mark("sup: exec request");
  ProcessRow row{proc.id, cfg_.id, encode_strings(spec.argv), "running", now_seconds(), {}, {},
                 "",      detach};
  Result<Store*> store = this->store();
  if (Status s = store.ok() ? (*store)->insert_process(row) : Status(store.error()); !s.ok()) {
    reply(client, {kRepError, error_kind_name(s.error().kind()), s.error().to_string()});
    return;
  }
  std::string pr = proc.id;
  uint64_t seq;
  if (detach) {
    auto out = make_dirs(layout_.procs(), 0700).ok() ? output_to_file(layout_.proc_out(pr))
                                                     : Result<UniqueFd>(internal("procs dir"));
    auto err = out.ok() ? output_to_file(layout_.proc_err(pr)) : Result<UniqueFd>(internal(""));
    if (!out.ok() || !err.ok()) {
      (void)store_->mark_process_ended(pr, 126, "exit");
      reply(client, {kRepError, "internal", "cannot create output files for " + pr});
      return;
    }
    seq = spawn(std::move(proc), spec, dev_null_.get(), out->get(), err->get());
  } else {
    seq = spawn(std::move(proc), spec, m.fds[0].get(), m.fds[1].get(), m.fds[2].get());
    clients_[client].exec_seq = seq;
  }
  if (seq == 0) {
    (void)store_->mark_process_ended(pr, 126, "exit");
    reply(client, {kRepError, "internal", "the sandbox did not take the process"});
    return;
  }
  if (timeout_ms > 0)
    procs_[seq].timer = loop_.after(timeout_ms, [this, seq] {
      auto it = procs_.find(seq);
      if (it == procs_.end()) return;
      it->second.timer = 0;
      it->second.timed_out = true;
      (void)signal_in_sandbox(sandbox_.control.get(), seq, SIGKILL);
    });
  reply(client, {kRepStarted, pr});
  trace_mark("sup: exec started");
}

// The sandbox's writable layer (upper/) for diff and snapshot: with --disk it lives on a tmpfs
// only the sandbox's mount namespace has, reached through the descriptor pid 1's setup left us.
void Supervisor::handle_layer(uint64_t client) {
  UniqueFd upper(sandbox_.layer
                     ? openat(sandbox_.layer.get(), "upper", O_PATH | O_DIRECTORY | O_CLOEXEC)
                     : open(layout_.upper().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!upper) {
    reply(client, {kRepError, "internal", "cannot open the writable layer of " + cfg_.id});
    return;
  }
  auto it = clients_.find(client);
  if (it != clients_.end() && !send_message(it->second.fd.get(), {kRepLayer}, {upper.get()}).ok())
    drop_client(client);
}

void Supervisor::handle_wait(uint64_t client, const Message& m) {
  const std::string& target = m.at(1);
  if (target.empty()) {
    sandbox_waiters_.push_back(client);
    return;
  }
  if (auto it = ended_.find(target); it != ended_.end()) {
    reply(client,
          {kRepExited, std::to_string(it->second.first), end_reason_name(it->second.second)});
    return;
  }
  for (auto& [seq, proc] : procs_)
    if (proc.id == target) {
      proc.waiters.push_back(client);
      return;
    }
  reply(client, {kRepError, "not_found", "no running process '" + target + "' in " + cfg_.id});
}

void Supervisor::on_signal() {
  signalfd_siginfo info;
  while (read(signals_.get(), &info, sizeof info) == sizeof info) {
    int sig = static_cast<int>(info.ssi_signo);
    if (!cfg_.foreground) {
      if (sig == SIGTERM) begin_end(EndReason::kTerminated, kReturnCodeTerminated);
      continue;  // a detached supervisor has no terminal to hear SIGINT or SIGHUP from
    }
    for (const auto& [seq, proc] : procs_)
      if (proc.entrypoint) (void)signal_in_sandbox(sandbox_.control.get(), seq, sig);
  }
}

void Supervisor::begin_end(EndReason reason, int rc) {
  if (ending_) return;
  ending_ = true;
  end_reason_ = reason;
  end_rc_ = rc;
  if (timeout_timer_ != 0) loop_.cancel(timeout_timer_);
  if (idle_timer_ != 0) loop_.cancel(idle_timer_);
  for (auto& [seq, proc] : procs_)
    if (proc.timer != 0) loop_.cancel(proc.timer);
  trace_mark("sup: kill pid 1");
  syscall(SYS_pidfd_send_signal, sandbox_.pidfd.get(), SIGKILL, nullptr, 0);
}

void Supervisor::on_init_gone() {
  trace_mark("sup: init gone");
  wait4(sandbox_.pid, nullptr, 0, &init_usage_);
  init_reaped_ = true;
  // pid 1 exits by itself once it has reported the entrypoint's end: what it reported before
  // it died comes first, or that end would read as a lost sandbox. Nothing in the sandbox
  // holds the socket now, so this reads what is queued and stops at its end.
  pollfd queued{sandbox_.control.get(), POLLIN, 0};
  while (!ending_ && poll(&queued, 1, 0) > 0 && (queued.revents & POLLIN) != 0) {
    auto ev = receive_init_event(sandbox_.control.get());
    if (!ev.ok() || !ev.value()) break;
    if ((*ev)->kind == InitEvent::Kind::kExited) process_exited((*ev)->seq, (*ev)->wait_status);
  }
  loop_.unwatch(init_watch_);
  if (!ending_ && limits_ && limits_->oom_kills() > 0)
    begin_end(EndReason::kOom, kReturnCodeTerminated);
  if (!ending_) begin_end(EndReason::kLost, kReturnCodeTerminated);
  maybe_finish();
}

void Supervisor::maybe_finish() {
  if (init_reaped_ && pumps_ == 0 && cfg_.ack_fd < 0 && !finished_) finish();
}

void Supervisor::finish() {
  trace_mark("sup: finish");
  finished_ = true;
  // Whatever was still running died with pid 1.
  for (auto& [seq, proc] : procs_) {
    if (proc.entrypoint) continue;
    int rc = returncode_for(end_reason_, kReturnCodeTerminated);
    EndReason reason = end_reason_ == EndReason::kExit || end_reason_ == EndReason::kSignal
                           ? EndReason::kTerminated
                           : end_reason_;
    std::vector<std::string> done = {kRepExited, std::to_string(rc), end_reason_name(reason)};
    (void)store_->mark_process_ended(proc.id, rc, end_reason_name(reason));
    if (proc.client != 0) reply(proc.client, done);
    for (uint64_t w : proc.waiters) reply(w, done);
  }
  procs_.clear();
  if (net_) net_->stop();  // the ports close and pasta is gone before anyone hears of the end
  unlink(layout_.socket().c_str());  // no new clients from here on: exec_direct then asks the store
  std::string usage = usage_json();
  sandbox_.layer.reset();
  if (limits_) limits_->remove();
  Result<bool> ended = true;
  if (store_ != nullptr)
    ended = store_->mark_ended(cfg_.id, end_rc_, end_reason_name(end_reason_), usage);
  else if (Status s = Store::journal_ended(store_path(cfg_.home), cfg_.id, end_rc_,
                                           end_reason_name(end_reason_), usage);
           !s.ok())
    ended = std::move(s).error();
  // No row: the creating CLI died before it recorded the sandbox, and nothing will ever name it.
  bool unrecorded = !ended.ok() && ended.error().kind() == ErrorKind::kNotFound;
  trace_mark("sup: marked ended");
  std::vector<std::string> done = {kRepExited, std::to_string(end_rc_),
                                   end_reason_name(end_reason_)};
  for (uint64_t w : sandbox_waiters_) reply(w, done);
  if (stdin_pump_ != 0) loop_.cancel(stdin_pump_);
  // Nothing runs in the sandbox and we hold the last reference to its mount namespace: closing
  // it unmounts the sandbox's tree, milliseconds of kernel work that pid 1's exit would
  // otherwise have done before anyone could hear of the end.
  sandbox_.mntns.reset();
  trace_mark("sup: unmounted");
  // An ended sandbox keeps its directory for what `sbx logs` reads. With no output kept there
  // (no entrypoint, no detached process), the directory goes: the row says the sandbox ended,
  // which is all a missing lock tells a later command. A foreground one-shot's goes to the
  // trash (trash.h), for the next one-shot to remove while its command runs.
  bool output = path_exists(layout_.logs()) || path_exists(layout_.procs());
  if (cfg_.foreground && !unrecorded && !output && unlink(layout_.lock().c_str()) == 0 &&
      move_to_trash(cfg_.home, cfg_.id).ok()) {
    trace_mark("sup: trashed");
    loop_.stop();
    return;
  }
  (void)remove_tree(unrecorded ? layout_.dir : layout_.upper());
  (void)remove_tree(layout_.work());
  if (!unrecorded && !output && (cfg_.foreground || unlink(layout_.lock().c_str()) == 0))
    (void)rmdir(layout_.dir.c_str());
  trace_mark("sup: removed upper");
  loop_.stop();
}

Result<int> Supervisor::run() {
  SBX_TRY(loop_.run());
  if (!finished_) return internal("supervisor loop ended early");
  return end_rc_;
}

}  // namespace

Result<int> supervise(SupervisorConfig& cfg) {
  auto loop = EventLoop::create();
  Supervisor sup(cfg, *loop);
  SBX_TRY(sup.start());
  // What a detached supervisor inherited from the CLI and freed (its store connection's page
  // cache, the CLI's parsing) stays dirty in the heap for the sandbox's whole life otherwise.
  // A foreground `run` is the CLI itself, about to exit: pages given back now would only be
  // faulted in again (25 µs each on a VM) by what it allocates before then.
  if (!cfg.foreground) malloc_trim(0);
  return sup.run();
}

Result<Verdict> parse_verdict(const std::string& text) {
  if (text.rfind("OK ", 0) == 0) {
    Verdict v;
    size_t end = text.find('\n');
    v.supervisor_pid = std::atoll(text.substr(3, end - 3).c_str());
    while (end != std::string::npos && end + 1 < text.size()) {
      size_t start = end + 1;
      end = text.find('\n', start);
      std::string line = text.substr(start, end == std::string::npos ? end : end - start);
      size_t space = line.find(' ');
      if (space != std::string::npos)
        v.runtime_values.emplace_back(line.substr(0, space), line.substr(space + 1));
    }
    if (v.supervisor_pid > 0) return v;
  }
  if (text.rfind("ERR ", 0) != 0) return internal("the sandbox's supervisor died while starting");
  size_t tab = text.find('\t');
  std::string kind = text.substr(4, tab - 4);
  std::string message = text.substr(tab + 1);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  for (ErrorKind k : {ErrorKind::kInvalidArgument, ErrorKind::kNotFound, ErrorKind::kPermission,
                      ErrorKind::kUnsupported})
    if (kind == error_kind_name(k)) return Error(k, message);
  return internal(message);
}

}  // namespace sbx
