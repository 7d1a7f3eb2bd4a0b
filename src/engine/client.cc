// Talking to a live sandbox's supervisor: exec, wait, poll and terminate. When the supervisor
// cannot be reached, the store (after the liveness check) has the last word.
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <unistd.h>

#include <thread>

#include "engine/internal.h"
#include "engine/spec.h"
#include "engine/supervisor.h"
#include "engine/unix_socket.h"
#include "sbx/engine.h"
#include "stream/event_loop.h"
#include "util/fd.h"
#include "util/ids.h"
#include "util/msg.h"

namespace sbx {

namespace {

Error not_running(const SandboxRow& row) {
  std::string why = row.end_reason.empty() ? row.state : "ended: " + row.end_reason;
  return Error(ErrorKind::kFailedPrecondition,
               "sandbox " + row.id + " is not running (" + why + ")");
}

Error reply_error(const Message& m) {
  for (ErrorKind k :
       {ErrorKind::kInvalidArgument, ErrorKind::kNotFound, ErrorKind::kFailedPrecondition})
    if (m.at(1) == error_kind_name(k)) return Error(k, m.at(2));
  return internal(m.at(2));
}

Result<UniqueFd> connect_to(const std::string& home, const SandboxRow& row) {
  if (row.state != "running") return not_running(row);
  auto sock = connect_unix(sandbox_layout(home, row.id).socket());
  if (!sock.ok()) return not_running(row);
  return sock;
}

// Waits for the next message on sock; an empty optional if the supervisor went away.
Result<std::optional<Message>> next_reply(int sock) { return recv_message(sock); }

std::vector<std::string> exec_request(const ExecSpec& spec, const EnvList& env) {
  std::vector<std::string> f = {kReqExec, spec.detach ? "1" : "0",
                                std::to_string(spec.timeout_s * 1000), spec.workdir,
                                std::to_string(spec.argv.size())};
  f.insert(f.end(), spec.argv.begin(), spec.argv.end());
  for (const auto& [k, v] : env) f.push_back(k + "=" + v);
  return f;
}

// Streams given to the process: the caller's own, or pipes relayed to a terminal.
struct ExecStreams {
  int fds[3];
  std::vector<UniqueFd> keep;  // our ends of the relay pipes
  std::vector<RelayPair> relays;
};

Result<ExecStreams> exec_streams(const Stdio& stdio, bool detach) {
  ExecStreams s{{stdio.in, stdio.out, stdio.err}, {}, {}};
  if (detach) return s;
  for (int i = 0; i < 3; ++i) {
    if (!isatty(s.fds[i])) continue;
    SBX_ASSIGN_OR_RETURN(Pipe p, make_pipe());
    if (i == 0) {
      s.relays.push_back({stdio.in, p.write.get(), true, false});
      s.fds[0] = p.read.get();
      s.keep.push_back(std::move(p.read));
      s.keep.push_back(std::move(p.write));
    } else {
      s.relays.push_back({p.read.get(), i == 1 ? stdio.out : stdio.err, false, true});
      s.fds[i] = p.write.get();
      s.keep.push_back(std::move(p.write));
      s.keep.push_back(std::move(p.read));
    }
  }
  return s;
}

// Reads "exited rc reason": the process's return code.
Result<int> read_exit(int sock, const SandboxRow& row) {
  SBX_ASSIGN_OR_RETURN(auto m, next_reply(sock));
  if (!m) return Error(ErrorKind::kInternal, "lost contact with the supervisor of " + row.id);
  if (m->verb() == kRepError) return reply_error(*m);
  return std::stoi(m->at(1));
}

// Blocks until no supervisor holds the sandbox's lock: a shared lock waits out its exclusive
// one, and is let go at once. Wakes the moment the supervisor exits, with no polling.
void wait_supervisor_gone(const SandboxLayout& layout) {
  UniqueFd fd(open(layout.lock().c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return;
  (void)lock_fd(fd.get(), LOCK_SH, layout.lock());
}

// Sends request (if the supervisor is reachable), takes its reply, then waits until the
// supervisor has let go of the sandbox's lock: the sandbox is over and its end recorded.
// Returns the row as it now stands.
Result<SandboxRow> await_end(Store& store, const std::string& home, const SandboxRow& row,
                             const std::vector<std::string>& request) {
  auto sock = connect_to(home, row);
  if (sock.ok() && send_message(sock->get(), request).ok()) (void)next_reply(sock->get());
  wait_supervisor_gone(sandbox_layout(home, row.id));
  SBX_ASSIGN_OR_RETURN(SandboxRow now, store.get_sandbox(row.id));
  return refresh_sandbox(store, home, std::move(now));
}

// The exec itself, over sock to the supervisor of row's sandbox. *hung_up says whether the
// supervisor closed the connection without taking the process (it was ending).
Result<ExecOutcome> exec_over(const UniqueFd& sock, const SandboxRow& row, const ExecSpec& spec,
                              EnvList env, const Stdio& stdio, bool* hung_up) {
  if (getenv("TERM") != nullptr && isatty(stdio.out) && !spec.detach)
    env = merge_env({{"TERM", getenv("TERM")}}, env);
  SBX_ASSIGN_OR_RETURN(ExecStreams streams, exec_streams(stdio, spec.detach));
  std::vector<int> fds;
  if (!spec.detach) fds.assign(streams.fds, streams.fds + 3);
  SBX_TRY(send_message(sock.get(), exec_request(spec, env), fds));
  SBX_ASSIGN_OR_RETURN(auto started, next_reply(sock.get()));
  *hung_up = !started;
  if (!started) return not_running(row);
  if (started->verb() == kRepError) return reply_error(*started);
  ExecOutcome out{started->at(1), std::nullopt};
  if (spec.detach) return out;
  if (streams.relays.empty()) {
    SBX_ASSIGN_OR_RETURN(int rc, read_exit(sock.get(), row));
    out.returncode = rc;
    return out;
  }
  // A terminal: relay it while waiting. Our copies of the process's pipe ends go now, so the
  // relays see EOF when the process (and whatever it started) closes them.
  for (int i = 0; i < 3; ++i)
    for (auto& k : streams.keep)
      if (k.get() == streams.fds[i]) k.reset();
  Result<int> rc = internal("no exit status");
  std::thread waiter([&] { rc = read_exit(sock.get(), row); });
  Status relayed = relay(streams.relays);
  waiter.join();
  (void)relayed;
  if (!rc.ok()) return std::move(rc).error();
  out.returncode = rc.value();
  return out;
}

}  // namespace

Result<ExecOutcome> Engine::exec(const Ref& sandbox, const ExecSpec& spec, const Stdio& stdio) {
  SBX_TRY(validate_exec_spec(spec));
  SBX_ASSIGN_OR_RETURN(SandboxRow row, resolve_sandbox(*store_, home_, sandbox));
  SBX_ASSIGN_OR_RETURN(EnvList secrets, resolve_secrets(*store_, spec.secrets));
  SBX_ASSIGN_OR_RETURN(UniqueFd sock, connect_to(home_, row));
  bool hung_up = false;
  return exec_over(sock, row, spec, merge_env(spec.env, secrets), stdio, &hung_up);
}

// The socket exists only while the supervisor serves the sandbox (finish() removes it, and a
// dead supervisor's socket refuses connections), so a connection is as good as the store's
// "running" after its liveness check.
std::optional<Result<ExecOutcome>> Engine::exec_direct(const Ref& sandbox, const ExecSpec& spec,
                                                       const Stdio& stdio) {
  if (!is_id(sandbox.ref, "sb") || !spec.secrets.empty()) return std::nullopt;
  if (!validate_exec_spec(spec).ok()) return std::nullopt;
  Result<std::string> home = resolve_home();
  if (!home.ok()) return std::nullopt;
  Result<UniqueFd> sock = connect_unix(sandbox_layout(*home, sandbox.ref).socket());
  if (!sock.ok()) return std::nullopt;
  SandboxRow row;
  row.id = sandbox.ref;
  row.state = "running";
  bool hung_up = false;
  Result<ExecOutcome> out = exec_over(*sock, row, spec, spec.env, stdio, &hung_up);
  if (hung_up) return std::nullopt;  // the sandbox was ending: the store has the last word
  return out;
}

// The supervisor answers a terminate once pid 1 is reaped (so nothing of the sandbox runs),
// its network and limits are gone and its end is recorded; only removing the sandbox's
// writable layer from disk is left to it, and nobody has to wait for that.
std::optional<Status> Engine::terminate_direct(const Ref& sandbox) {
  if (!is_id(sandbox.ref, "sb")) return std::nullopt;
  Result<std::string> home = resolve_home();
  if (!home.ok()) return std::nullopt;
  SandboxLayout layout = sandbox_layout(*home, sandbox.ref);
  Result<UniqueFd> sock = connect_unix(layout.socket());
  if (!sock.ok() || !send_message(sock->get(), {kReqTerminate}).ok()) return std::nullopt;
  Result<std::optional<Message>> reply = next_reply(sock->get());
  if (!reply.ok() || !*reply || (*reply)->verb() != kRepExited) return std::nullopt;
  return Status();
}

Status Engine::terminate(const Ref& sandbox) {
  SBX_ASSIGN_OR_RETURN(SandboxRow row, resolve_sandbox(*store_, home_, sandbox));
  if (row.state == "ended") return {};
  SBX_TRY(await_end(*store_, home_, row, {kReqTerminate}));
  return {};
}

Result<int> Engine::wait(const Ref& target) {
  if (is_id(target.ref, "pr")) {
    SBX_ASSIGN_OR_RETURN(ProcessRow proc, store_->get_process(target.ref));
    if (proc.state == "running") {
      SBX_ASSIGN_OR_RETURN(SandboxRow row, resolve_sandbox(*store_, home_, {proc.sandbox_id}));
      auto sock = connect_to(home_, row);
      if (sock.ok() && send_message(sock->get(), {kReqWait, proc.id}).ok()) {
        auto rc = read_exit(sock->get(), row);
        if (rc.ok()) return rc;
      }
      SBX_TRY(refresh_sandbox(*store_, home_, row));
      SBX_ASSIGN_OR_RETURN(proc, store_->get_process(target.ref));
    }
    return proc.returncode.value_or(kReturnCodeTerminated);
  }
  SBX_ASSIGN_OR_RETURN(SandboxRow row, resolve_sandbox(*store_, home_, target));
  if (row.state != "ended") {
    SBX_ASSIGN_OR_RETURN(row, await_end(*store_, home_, row, {kReqWait, ""}));
  }
  return row.returncode.value_or(kReturnCodeTerminated);
}

Result<std::optional<int>> Engine::poll(const Ref& target) {
  if (is_id(target.ref, "pr")) {
    SBX_ASSIGN_OR_RETURN(ProcessRow proc, store_->get_process(target.ref));
    if (proc.state == "running") {
      SBX_ASSIGN_OR_RETURN(SandboxRow row, store_->get_sandbox(proc.sandbox_id));
      SBX_TRY(refresh_sandbox(*store_, home_, row));
      SBX_ASSIGN_OR_RETURN(proc, store_->get_process(target.ref));
    }
    return proc.state == "ended" ? std::optional<int>(proc.returncode.value_or(137)) : std::nullopt;
  }
  SBX_ASSIGN_OR_RETURN(SandboxRow row, resolve_sandbox(*store_, home_, target));
  if (row.state != "ended") return std::optional<int>();
  return std::optional<int>(row.returncode.value_or(kReturnCodeTerminated));
}

}  // namespace sbx
