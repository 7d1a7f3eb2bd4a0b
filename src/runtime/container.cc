// Starting a sandbox: the parent side (clone3 into new namespaces, write the id maps, wait for
// the verdict) and the child's setup checklist, which reads top to bottom like ISOLATION.md.
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "runtime/child_steps.h"
#include "runtime/limits.h"
#include "runtime/runtime.h"
#include "util/msg.h"
#include "util/proctitle.h"
#include "util/trace.h"

namespace sbx {

namespace {

// What the child reports on the status pipe: step 0 means ready.
struct ChildReport {
  int step = 0;
  int err = 0;
};

constexpr const char* kStepNames[] = {
    "ready",
    "wait for id maps",
    "open sources",
    "become root",
    "make mounts private",
    "mount the disk layer",
    "mount overlay root",
    "open new root",
    "bind host base",
    "mask sensitive paths",
    "mount /tmp",
    "bind mounts",
    "mount /proc",
    "mount /dev",
    "create workdir",
    "set hostname",
    "bring up loopback",
    "pivot_root",
    "drop privileges",
    "detach stdio",
};

[[noreturn]] void fail(int status_fd, int step, int err) {
  ChildReport r{step, err};
  (void)!write(status_fd, &r, sizeof r);
  _exit(1);
}

// The checklist. Runs in the child after clone(); on failure reports {step, errno} and exits.
[[noreturn]] void child_main(const SandboxPlan& plan, int sync_fd, int status_fd, int control_fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  char go;
  if (read(sync_fd, &go, 1) != 1) _exit(1);  // the parent died or gave up before the maps
  trace_mark("child: go");
  // Not dumpable from here on: nothing in the sandbox may ptrace pid 1 or open its /proc files
  // (it still runs sbx's own code). The parent needed them dumpable to write the id maps.
  prctl(PR_SET_DUMPABLE, 0);
  set_process_title("sbx-init");
  int rootfd = -1;
  int step = 1;
  auto check = [&](int err) {
    ++step;
    if (err != 0) fail(status_fd, step, err);
  };
  child::Sources src;
  check(child::open_sources(plan, &src));
  check(child::become_root());
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // a change of credentials cleared it
  check(child::make_mounts_private());
  check(child::mount_disk_layer(plan, &src));
  check(child::mount_root_overlay(plan, src));
  check(child::open_new_root(&rootfd));
  check(child::bind_system_dirs(rootfd, plan, src));
  check(child::mask_paths(rootfd, plan, src));
  check(child::mount_tmp(rootfd, plan, src));  // before the binds: a --mount below /tmp stays seen
  check(child::bind_user_mounts(rootfd, plan, src));
  check(child::mount_proc(rootfd, plan, src));
  check(child::mount_dev(rootfd, plan, src));
  check(child::make_workdir(rootfd, plan));
  check(child::set_hostname(plan));
  check(plan.host_network ? 0 : child::bring_up_loopback());
  trace_mark("child: mounted");
  check(child::pivot_to(rootfd));
  check(child::drop_privileges());
  check(child::quiet_stdio());
  if (src.layer >= 0 && !send_message(control_fd, {"layer"}, {src.layer}).ok()) _exit(1);
  trace_mark("child: ready");
  ChildReport ready{};
  if (write(status_fd, &ready, sizeof ready) != sizeof ready) _exit(1);
  if (dup2(control_fd, 3) != 3) _exit(1);
  close_range(4, ~0U, 0);
  init_main(3, plan);
}

Status write_proc_file(pid_t pid, const char* name, const std::string& text) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return sys_error("open " + path);
  UniqueFd f(fd);
  if (write(f.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return sys_error("write " + path);
  return {};
}

std::string map_line(const IdRange& r) {
  return std::to_string(r.inside) + " " + std::to_string(r.outside) + " " +
         std::to_string(r.count) + "\n";
}

}  // namespace

Status write_id_maps(pid_t pid, const Identity& id) {
  SBX_TRY(write_proc_file(pid, "setgroups", "deny"));
  SBX_TRY(write_proc_file(pid, "uid_map", map_line(id.uid)));
  SBX_TRY(write_proc_file(pid, "gid_map", map_line(id.gid)));
  return {};
}

namespace {

pid_t clone_into_namespaces(const SandboxPlan& plan, int cgroup_fd, int* pidfd) {
  clone_args args{};
  args.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
               CLONE_NEWCGROUP | CLONE_PIDFD;
  if (!plan.host_network) args.flags |= CLONE_NEWNET;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
  }
  args.pidfd = reinterpret_cast<uint64_t>(pidfd);
  args.exit_signal = SIGCHLD;
  return static_cast<pid_t>(syscall(SYS_clone3, &args, sizeof args));
}

// The namespaces the network helpers join (runtime/network.h), and the mount namespace.
Status open_namespaces(const SandboxPlan& plan, SandboxProcess& sp) {
  std::string ns = "/proc/" + std::to_string(sp.pid) + "/ns/";
  sp.mntns.reset(open((ns + "mnt").c_str(), O_RDONLY | O_CLOEXEC));
  if (!sp.mntns) return sys_error("open the namespaces of " + ns);
  if (!plan.network_helpers) return {};
  sp.userns.reset(open((ns + "user").c_str(), O_RDONLY | O_CLOEXEC));
  sp.netns.reset(open((ns + "net").c_str(), O_RDONLY | O_CLOEXEC));
  if (!sp.userns || !sp.netns) return sys_error("open the namespaces of " + ns);
  return {};
}

Error setup_error(const ChildReport& r) {
  const char* step = r.step > 0 && r.step < static_cast<int>(std::size(kStepNames))
                         ? kStepNames[r.step]
                         : "unknown step";
  return sys_error(std::string("sandbox setup failed at '") + step + "'", r.err);
}

}  // namespace

Result<SandboxProcess> start_sandbox(
    const SandboxPlan& plan, LimitsBackend* limits,
    const std::function<Status(const SandboxProcess&)>& meanwhile) {
  SBX_ASSIGN_OR_RETURN(Pipe sync, make_pipe());
  SBX_ASSIGN_OR_RETURN(Pipe status, make_pipe());
  SBX_ASSIGN_OR_RETURN(auto control, make_seqpacket_pair());
  int pidfd = -1;
  trace_mark("start: clone");
  pid_t pid = clone_into_namespaces(plan, limits ? limits->clone_into_fd() : -1, &pidfd);
  if (pid < 0) return sys_error("clone into new namespaces");
  if (pid == 0) {
    sync.write.reset();
    status.read.reset();
    control.first.reset();
    child_main(plan, sync.read.get(), status.write.get(), control.second.get());
  }
  SandboxProcess sp{pid, UniqueFd(pidfd), std::move(control.first)};
  sync.read.reset();
  status.write.reset();
  control.second.reset();
  auto kill_child = [&] {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  };
  if (Status s = write_id_maps(pid, plan.identity); !s.ok()) {
    kill_child();
    return std::move(s).error().context("set up the user namespace");
  }
  if (Status s = limits ? limits->attach(pid) : Status(); !s.ok()) {
    kill_child();
    return std::move(s).error().context("put the sandbox in its cgroups");
  }
  if (Status s = open_namespaces(plan, sp); !s.ok()) {
    kill_child();
    return std::move(s).error();
  }
  trace_mark("start: maps written");
  if (write(sync.write.get(), "g", 1) != 1) {
    kill_child();
    return sys_error("start sandbox");
  }
  if (meanwhile) {
    if (Status s = meanwhile(sp); !s.ok()) {
      kill_child();
      return std::move(s).error();
    }
  }
  ChildReport report;
  auto got = read_exact(status.read.get(), &report, sizeof report);
  if (!got.ok() || !got.value() || report.step != 0) {
    kill_child();
    if (got.ok() && got.value()) return setup_error(report);
    return internal("sandbox setup died before reporting");
  }
  trace_mark("start: child ready");
  if (plan.disk_bytes > 0) {
    auto m = recv_message(sp.control.get());
    if (!m.ok() || !m.value() || (*m)->fds.size() != 1) {
      kill_child();
      return internal("the sandbox did not hand over its disk layer");
    }
    sp.layer = std::move((*m)->fds[0]);
  }
  return sp;
}

int returncode_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 128;
}

}  // namespace sbx
