// Creating sandboxes: `create` (a detached supervisor, handed over to the caller only once it
// runs) and `run` (the caller's own process supervises a one-shot sandbox). Both prepare
// everything that can fail before anything is recorded, so bad input changes nothing. Both
// open the store only when they must: a sandbox is recorded while it sets up, so that opening
// the store (a few milliseconds) overlaps the setup instead of preceding it.
#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "engine/internal.h"
#include "engine/spec.h"
#include "engine/supervisor.h"
#include "engine/trash.h"
#include "runtime/host_base.h"
#include "runtime/limits.h"
#include "runtime/seccomp.h"
#include "sbx/engine.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/ids.h"
#include "util/proctitle.h"
#include "util/trace.h"

namespace sbx {

namespace {

// Everything a new sandbox needs, prepared before its row exists.
struct Prepared {
  std::string app_id;
  SupervisorConfig cfg;
  UniqueFd lock;
  SandboxLayout layout;
  SandboxSpec spec;      // as recorded: the image resolved to its id
  UniqueFd images_lock;  // keeps the image from removal until the row exists
};

Status make_owned_dir(const std::string& path, const Identity& id, mode_t mode = 0700) {
  SBX_TRY(make_dirs(path, mode));
  if (chown(path.c_str(), id.uid.outside, id.gid.outside) != 0) return sys_error("chown " + path);
  return {};
}

Result<SandboxPlan> plan_for(const std::string& home, const SandboxLayout& layout,
                             const SandboxSpec& spec, const std::string& id,
                             const RootLayers& root) {
  SBX_ASSIGN_OR_RETURN(Identity identity, choose_identity());
  std::vector<std::string> lowers = root.lowers;
  if (root.host_base) {
    std::string skeleton = skeleton_dir(home, identity.uid.outside);
    SBX_TRY(ensure_skeleton(skeleton, identity));
    lowers.push_back(skeleton);
  }
  std::string upper = root.upper_dir.empty() ? layout.upper() : root.upper_dir;
  std::string work = root.work_dir.empty() ? layout.work() : root.work_dir;
  // A clean one from the trash (trash.h), else new. The upper dir's mode is the mode of the
  // sandbox's "/": 0755, so that a non-root uid inside can reach /usr; the sandbox's own
  // directory above it stays 0700 on the host.
  bool reused = root.upper_dir.empty() && root.work_dir.empty() &&
                reuse_trashed_dir(home, layout.dir, {identity.uid.outside, identity.gid.outside});
  if (!reused) {
    SBX_TRY(make_dirs(layout.dir, 0700));
    SBX_TRY(make_owned_dir(upper, identity, 0755));
    SBX_TRY(make_owned_dir(work, identity));
  }
  RootfsRequest req{
      identity, id, lowers, upper, work, spec.mounts, spec.workdir.empty() ? "/" : spec.workdir};
  req.bind_host = root.host_base;
  SBX_ASSIGN_OR_RETURN(SandboxPlan plan, build_plan(req));
  plan.host_network = spec.network == "host";
  plan.network_helpers = !plan.host_network && (spec.network == "nat" || !spec.ports.empty());
  plan.volatile_upper = root.upper_dir.empty();
  return plan;
}

// The limits: the backend this host offers, the rlimits each process gets, the disk layer.
void plan_limits(const SandboxSpec& spec, SupervisorConfig& cfg) {
  cfg.limits = spec.limits;
  cfg.limits_kind = detect_limits(spec.limits);
  cfg.plan.rlimits = rlimits_for(cfg.limits_kind, spec.limits, spec.timeout_s);
  cfg.plan.disk_bytes = spec.limits.disk_bytes;
}

// Takes the sandbox's lock: held by whoever supervises it, from before its row exists.
Result<UniqueFd> take_lock(const SandboxLayout& layout) {
  return lock_file(layout.lock(), LOCK_EX);
}

// The caller's store, opened on first use.
using StoreFn = std::function<Result<Store*>()>;

Result<Prepared> prepare(const StoreFn& store, const std::string& home, const SandboxSpec& given,
                         bool command_required, const RootLayers* given_root) {
  SBX_TRY(validate_sandbox_spec(given, command_required));
  Prepared p;
  // An image (or a given root: an image build step's) must not be removed before the row that
  // uses it exists. The host base alone needs no lock.
  if (given_root != nullptr || !given.image.empty()) {
    SBX_ASSIGN_OR_RETURN(p.images_lock, lock_images(home, false));
  }
  RootLayers root;
  if (given_root != nullptr) {
    root = *given_root;
  } else if (!given.image.empty()) {
    SBX_ASSIGN_OR_RETURN(root, image_root(home, given.image, store));
  }
  p.spec = given;
  p.spec.image = root.image_id;
  if (p.spec.workdir.empty()) p.spec.workdir = root.workdir;
  const SandboxSpec& spec = p.spec;
  for (const auto& m : spec.mounts)
    if (!path_exists(m.host_path))
      return invalid("mount source '" + m.host_path + "' does not exist");
  EnvList secrets;
  if (!spec.secrets.empty()) {
    SBX_ASSIGN_OR_RETURN(Store * named, store());
    SBX_ASSIGN_OR_RETURN(secrets, resolve_secrets(*named, spec.secrets));
  }
  p.cfg.home = home;
  p.cfg.id = new_id("sb");
  p.layout = sandbox_layout(home, p.cfg.id);
  auto plan = plan_for(home, p.layout, spec, p.cfg.id, root);
  if (!plan.ok()) {
    (void)remove_tree(p.layout.dir);
    return std::move(plan).error();
  }
  p.cfg.plan = std::move(plan).value();
  auto seccomp = load_policy(spec.policy, home + "/cache");
  if (!seccomp.ok()) {
    (void)remove_tree(p.layout.dir);
    return std::move(seccomp).error().context("seccomp policy '" + spec.policy + "'");
  }
  p.cfg.plan.seccomp = std::move(seccomp).value();
  p.cfg.env = merge_env(merge_env(merge_env(base_environment(), root.env), spec.env), secrets);
  p.cfg.workdir = spec.workdir.empty() ? "/" : spec.workdir;
  p.cfg.command = spec.command;
  p.cfg.timeout_s = spec.timeout_s;
  p.cfg.idle_timeout_s = spec.idle_timeout_s;
  p.cfg.network = spec.network;
  p.cfg.ports = spec.ports;
  plan_limits(spec, p.cfg);
  SBX_ASSIGN_OR_RETURN(p.lock, take_lock(p.layout));
  return p;
}

// Records the running sandbox, supervised by supervisor_pid, with what its supervisor learnt.
// The sandbox's row as it starts running; its app by name (app_id is the store's to find).
SandboxRow running_row(const Prepared& p, int64_t supervisor_pid) {
  SandboxRow row;
  row.id = p.cfg.id;
  row.app_name = p.spec.app;
  row.name = p.spec.name;
  row.state = "running";
  row.spec_json = encode_spec(p.spec);
  row.created_at = now_seconds();
  row.supervisor_pid = supervisor_pid;
  row.tags = p.spec.tags;
  return row;
}

Status record(Store& store, Prepared& p, int64_t supervisor_pid, const RuntimeValues& values) {
  SBX_ASSIGN_OR_RETURN(AppInfo app, store.ensure_app(p.spec.app));
  SandboxRow row = running_row(p, supervisor_pid);
  row.app_id = app.id;
  SBX_TRY(store.insert_sandbox(row, values));
  p.images_lock.reset();  // the row now keeps the image in use
  return {};
}

// The same row, for an unnamed one-shot, appended to the store's journal instead.
Status journal_record(const std::string& home, Prepared& p, int64_t supervisor_pid,
                      const RuntimeValues& values) {
  SBX_TRY(Store::journal_sandbox(store_path(home), running_row(p, supervisor_pid), values));
  p.images_lock.reset();  // every reader folds the journal in first: the row keeps the image
  return {};
}

// Closes every descriptor from 3 up except those in keep.
void close_all_except(std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned from = 3;
  for (int fd : keep) {
    if (fd < 3) continue;
    if (static_cast<unsigned>(fd) > from) close_range(from, static_cast<unsigned>(fd) - 1, 0);
    from = static_cast<unsigned>(fd) + 1;
  }
  close_range(from, ~0U, 0);
}

// The detached supervisor process: a grandchild of the CLI in a session of its own that it
// does not lead (so it can never gain a controlling terminal), with none of the caller's
// descriptors. Never returns.
[[noreturn]] void become_supervisor(Prepared& p, int ready_fd, int ack_fd) {
  prctl(PR_SET_NAME, "sbx-supervisor");
  set_process_title(("sbx-supervisor " + p.cfg.id).c_str());
  int null = open("/dev/null", O_RDWR);
  for (int i = 0; i < 3; ++i) dup2(null, i);
  close_all_except({p.lock.get(), ready_fd, ack_fd});
  p.cfg.ready_fd = ready_fd;
  p.cfg.ack_fd = ack_fd;
  trace_mark("sup: forked");
  Result<int> rc = supervise(p.cfg);
  if (!rc.ok() && p.cfg.ready_fd >= 0) {
    const Error& e = rc.error();
    (void)write_all(ready_fd,
                    std::string("ERR ") + error_kind_name(e.kind()) + "\t" + e.to_string() + "\n");
  }
  _exit(rc.ok() ? 0 : 1);
}

struct SupervisorStart {
  Prepared* p;
  int ready_fd, ack_fd;
};

// The supervisor's parent, which exits at once so that the caller never has to reap the
// supervisor. It runs vfork-style, in the caller's memory and on a stack of its own, while
// the caller waits: only its fork() copies the caller's memory, once, for the supervisor.
int supervisor_parent(void* arg) {
  const auto* s = static_cast<const SupervisorStart*>(arg);
  setsid();
  pid_t pid = fork();
  if (pid == 0) become_supervisor(*s->p, s->ready_fd, s->ack_fd);
  _exit(pid < 0 ? 1 : 0);
}

// Starts the supervisor; returns its parent's pid (reap it) or -1 with errno.
pid_t start_supervisor(SupervisorStart& start) {
  constexpr size_t kStackBytes = 64 * 1024;  // setsid and glibc's fork()
  alignas(16) char stack[kStackBytes];
  return clone(supervisor_parent, stack + kStackBytes, CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
}

// Reads the supervisor's verdict (parse_verdict) to its end.
Result<Verdict> read_verdict(int fd) {
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) text.append(buf, static_cast<size_t>(n));
  return parse_verdict(text);
}

// Gives up a sandbox whose supervisor runs but which could not be recorded: the closed ack
// pipe makes the supervisor tear it down, and once it has let go of the sandbox's lock nothing
// of the sandbox is left but its directory.
void abandon(const Prepared& p, UniqueFd& ack) {
  ack.reset();
  UniqueFd lock(open(p.layout.lock().c_str(), O_RDWR | O_CLOEXEC));
  if (lock) (void)flock(lock.get(), LOCK_EX);
  (void)remove_tree(p.layout.dir);
}

}  // namespace

std::string limits_backend_for(const ResourceLimits& limits) {
  return limits_kind_name(detect_limits(limits));
}

Result<std::string> Engine::create(const SandboxSpec& spec,
                                   const std::function<Status(const std::string&)>& on_ready) {
  SBX_ASSIGN_OR_RETURN(Prepared p, prepare(store_on_demand(), home_, spec, false, nullptr));
  trace_mark("create: prepared");
  SBX_ASSIGN_OR_RETURN(Pipe ready, make_pipe());
  SBX_ASSIGN_OR_RETURN(Pipe ack, make_pipe());
  // SQLite keeps per-process lock state that a forked child would inherit and corrupt: no
  // connection may be open across fork(). Ours is opened while the supervisor starts.
  store_.reset();
  SupervisorStart start{&p, ready.write.get(), ack.read.get()};
  pid_t pid = start_supervisor(start);
  int fork_err = errno;
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    (void)remove_tree(p.layout.dir);
    return pid < 0 ? sys_error("start the supervisor", fork_err)
                   : internal("cannot start the sandbox's supervisor (fork failed)");
  }
  ready.write.reset();
  ack.read.reset();
  p.lock.reset();  // the supervisor holds it now
  Status opened = open_store();
  trace_mark("create: store open");
  Result<Verdict> verdict = read_verdict(ready.read.get());
  trace_mark("create: verdict");
  if (!verdict.ok()) {  // the supervisor has given up, and its sandbox died with it
    (void)remove_tree(p.layout.dir);
    return std::move(verdict).error().context("create sandbox");
  }
  Status recorded =
      opened.ok() ? record(*store_, p, verdict->supervisor_pid, verdict->runtime_values) : opened;
  if (!recorded.ok()) {
    abandon(p, ack.write);
    return std::move(recorded).error();
  }
  trace_mark("create: recorded");
  SBX_TRY(on_ready(p.cfg.id));  // on failure, closing the ack pipe tears the sandbox down
  SBX_TRY(write_all(ack.write.get(), "A"));
  return p.cfg.id;
}

namespace {

// A one-shot in the caller's process, on the spec's image or on root when given. It is
// recorded while it starts (SupervisorConfig::record); its end is recorded before this returns.
// Unless the caller's store is open anyway (store_open, or opened for the image or secrets),
// an unnamed one-shot is recorded in the store's journal: SQLite stays off its path.
Result<int> run_one_shot(const StoreFn& store, bool store_open, const std::string& home,
                         const SandboxSpec& spec, const Stdio& stdio, const RootLayers* root) {
  bool opened = store_open;
  StoreFn opening = [&]() -> Result<Store*> {
    opened = true;
    return store();
  };
  SBX_ASSIGN_OR_RETURN(Prepared p, prepare(opening, home, spec, true, root));
  trace_mark("run: prepared");
  p.cfg.foreground = true;
  p.cfg.stdio = stdio;
  p.cfg.record_after_spawn = p.spec.name.empty();  // a name may be taken: then before it runs
  if (getenv("TERM") != nullptr && isatty(stdio.out))
    p.cfg.env = merge_env({{"TERM", getenv("TERM")}}, p.cfg.env);
  Store* recorded = nullptr;
  bool journalled = false;
  p.cfg.record = [&](const RuntimeValues& values) -> Result<Store*> {
    if (p.spec.name.empty() && !opened) {
      SBX_TRY(journal_record(home, p, getpid(), values));
      trace_mark("run: recorded");
      journalled = true;
      return nullptr;
    }
    SBX_ASSIGN_OR_RETURN(Store * s, opening());
    SBX_TRY(record(*s, p, getpid(), values));
    trace_mark("run: recorded");
    recorded = s;
    return s;
  };
  p.cfg.open_store = opening;
  Result<int> rc = supervise(p.cfg);
  if (!rc.ok() && journalled) (void)Store::journal_forget(store_path(home), p.cfg.id);
  if (!rc.ok() && recorded != nullptr) (void)recorded->delete_sandbox(p.cfg.id);
  (void)remove_tree(p.layout.dir);  // a one-shot leaves only its row behind
  trace_mark("run: removed");
  return rc;
}

}  // namespace

Result<int> Engine::run(const SandboxSpec& spec, const Stdio& stdio) {
  return run_one_shot(store_on_demand(), store_ != nullptr, home_, spec, stdio, nullptr);
}

Result<int> run_sandbox(Store& store, const std::string& home, const SandboxSpec& spec,
                        const Stdio& stdio, const RootLayers& root) {
  return run_one_shot([&store]() -> Result<Store*> { return &store; }, true, home, spec, stdio,
                      &root);
}

}  // namespace sbx
