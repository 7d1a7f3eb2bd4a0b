// `sbx doctor`'s checks: each tries the real thing (a user namespace, an overlay mount inside
// one, a seccomp filter, an io_uring) in a short-lived child, or reads what the kernel and the
// system files say, and describes the result in words. Runs in the parent, single-threaded.
#include "runtime/host_probe.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include "runtime/host_base.h"
#include "runtime/seccomp.h"
#include "util/fd.h"
#include "util/fs.h"

namespace sbx {

namespace {

// The oldest kernel with everything the runtime calls: mount_setattr (5.12), overlayfs'
// userxattr (5.11), close_range (5.9), openat2 (5.6), clone3 (5.3), open_tree (5.2).
constexpr int kMinKernel[] = {5, 12};

// What a child reports: the step that failed (0: none) and its errno.
struct ChildResult {
  int step = 0;
  int err = 0;
  bool crashed = false;
};

// Runs fn in a forked child; fn returns {step, errno} of its first failure, or {0, 0}.
ChildResult in_child(const std::function<ChildResult()>& fn) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return {-1, errno, false};
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    ChildResult r = fn();
    (void)!write(fds[1], &r, sizeof r);
    _exit(0);
  }
  close(fds[1]);
  ChildResult r{-1, 0, true};
  if (pid > 0) {
    if (read(fds[0], &r, sizeof r) != sizeof r) r = {-1, 0, true};
    waitpid(pid, nullptr, 0);
  } else {
    r = {-1, errno, false};
  }
  close(fds[0]);
  return r;
}

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string err_text(int err) { return err == 0 ? std::string("failed") : strerror(err); }

bool write_text(const char* path, const std::string& text) {
  UniqueFd fd(open(path, O_WRONLY | O_CLOEXEC));
  return fd && write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

// In a child: a new user namespace (and mount namespace when asked) where we are root.
ChildResult enter_userns(bool with_mounts) {
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (unshare(CLONE_NEWUSER | (with_mounts ? CLONE_NEWNS : 0)) != 0) return {1, errno};
  if (!write_text("/proc/self/setgroups", "deny")) return {2, errno};
  if (!write_text("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1\n")) return {2, errno};
  if (!write_text("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1\n")) return {2, errno};
  return {};
}

HostCheck check_kernel() {
  utsname u{};
  uname(&u);
  int major = 0, minor = 0;
  (void)sscanf(u.release, "%d.%d", &major, &minor);
  bool ok = major > kMinKernel[0] || (major == kMinKernel[0] && minor >= kMinKernel[1]);
  return {"kernel", ok ? "ok" : "missing",
          std::string("Linux ") + u.release + " " + u.machine + " (sbx needs 5.12 or newer)",
          "sbx cannot set up a sandbox (it needs openat2, clone3, open_tree, mount_setattr)", true};
}

HostCheck check_userns() {
  HostCheck c{"user_namespaces", "ok", "", "sbx cannot run: every sandbox is a user namespace",
              true};
  std::string max = first_line("/proc/sys/user/max_user_namespaces");
  std::string unpriv = first_line("/proc/sys/kernel/unprivileged_userns_clone");
  std::string apparmor = first_line("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  std::string facts = "max_user_namespaces=" + (max.empty() ? "?" : max);
  if (!unpriv.empty()) facts += ", unprivileged_userns_clone=" + unpriv;
  if (!apparmor.empty()) facts += ", apparmor_restrict_unprivileged_userns=" + apparmor;
  ChildResult r = in_child([] { return enter_userns(false); });
  if (r.step == 0) {
    c.found = "a new user namespace with an id map works (" + facts + ")";
  } else {
    c.status = "missing";
    c.found = std::string(r.step == 2 ? "writing the id map" : "unshare(CLONE_NEWUSER)") +
              " failed: " + err_text(r.err) + " (" + facts + ")";
  }
  return c;
}

HostCheck check_overlayfs(const std::string& scratch_dir) {
  HostCheck c{"overlayfs", "ok", "", "sbx cannot run: a sandbox's root is an overlay", true};
  std::string dir = scratch_dir + "/doctor-overlay." + std::to_string(getpid());
  (void)remove_tree(dir);
  for (const char* sub : {"", "/lower", "/upper", "/work", "/merged"})
    if (!make_dirs(dir + sub, 0700).ok()) {
      c.status = "missing";
      c.found = "cannot make test directories in " + scratch_dir + ": " + strerror(errno);
      return c;
    }
  std::string opts =
      "lowerdir=" + dir + "/lower,upperdir=" + dir + "/upper,workdir=" + dir + "/work,userxattr";
  std::string merged = dir + "/merged";
  ChildResult r = in_child([&] {
    if (ChildResult u = enter_userns(true); u.step != 0) return u;
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      return ChildResult{3, errno};
    if (mount("overlay", merged.c_str(), "overlay", MS_NOSUID | MS_NODEV, opts.c_str()) != 0)
      return ChildResult{4, errno};
    std::string file = merged + "/probe";
    int fd = open(file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return ChildResult{5, errno};
    close(fd);
    return ChildResult{};
  });
  (void)remove_tree(dir);
  const char* steps[] = {
      "", "unshare", "the id map", "private mounts", "mount overlay", "write through the overlay"};
  if (r.step == 0) {
    c.found =
        "overlay with userxattr mounts and takes writes inside a user namespace, on " + scratch_dir;
  } else {
    c.status = "missing";
    c.found = std::string(r.step > 0 && r.step <= 5 ? steps[r.step] : "the test child") +
              " failed: " + err_text(r.err) + " (on " + scratch_dir + ")";
  }
  return c;
}

HostCheck check_seccomp() {
  HostCheck c{"seccomp", "ok", "",
              "sbx cannot run: every sandboxed process runs under a seccomp profile", true};
  auto program = load_policy("default", "");
  if (!program.ok()) {
    c.status = "missing";
    c.found = "the default profile does not compile: " + program.error().message();
    return c;
  }
  ChildResult r = in_child([&] {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return ChildResult{1, errno};
    if (int err = apply_seccomp(program.value()); err != 0) return ChildResult{2, err};
    if (syscall(SYS_keyctl, 0, -3, 0, 0, 0) != -1 || errno != EPERM) return ChildResult{3, 0};
    return ChildResult{};
  });
  std::string actions = first_line("/proc/sys/kernel/seccomp/actions_avail");
  if (r.step == 0) {
    c.found = "the default profile loads and denies keyctl with EPERM (actions: " + actions + ")";
  } else {
    c.status = "missing";
    c.found = r.step == 3 ? "a loaded filter did not deny keyctl"
                          : "loading a filter failed: " + err_text(r.err);
  }
  return c;
}

HostCheck check_io_uring() {
  HostCheck c{"io_uring", "ok", "",
              "sbx relays standard streams with poll(2) instead: the same behaviour, more copies",
              false};
  unsigned char params[120] = {};
  long fd = syscall(SYS_io_uring_setup, 4, params);
  int err = errno;
  std::string disabled = first_line("/proc/sys/kernel/io_uring_disabled");
  std::string note = disabled.empty() ? "" : " (io_uring_disabled=" + disabled + ")";
  if (fd >= 0) {
    close(static_cast<int>(fd));
    c.found = "io_uring_setup works" + note;
  } else {
    c.status = "degraded";
    c.found = std::string("io_uring_setup failed: ") + strerror(err) + note;
  }
  return c;
}

// The cgroup v2 directory of this process, from /proc/self/cgroup ("0::/path").
std::string own_cgroup2() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("0::", 0) == 0) return "/sys/fs/cgroup" + line.substr(3);
  return "";
}

bool has_word(const std::string& words, const std::string& w) {
  std::istringstream in(words);
  std::string x;
  while (in >> x)
    if (x == w) return true;
  return false;
}

HostCheck check_cgroups() {
  HostCheck c{"cgroups", "ok", "",
              "limits (--memory, --pids, --cpus) fall back to per-process rlimits, and a "
              "sandbox's memory and CPU use are not measured",
              false};
  struct statfs fs {};
  if (statfs("/sys/fs/cgroup", &fs) != 0) {
    c.status = "degraded";
    c.found = "no /sys/fs/cgroup";
    return c;
  }
  if (fs.f_type == CGROUP2_SUPER_MAGIC) {
    std::string dir = own_cgroup2();
    std::string controllers = first_line(dir + "/cgroup.controllers");
    bool writable =
        access(dir.c_str(), W_OK) == 0 && access((dir + "/cgroup.procs").c_str(), W_OK) == 0;
    bool enough = has_word(controllers, "memory") && has_word(controllers, "pids");
    c.found = "cgroup v2; " + dir + " has controllers [" + controllers + "] and is " +
              (writable ? "writable (delegated)" : "not writable (not delegated to this user)");
    if (!writable || !enough) c.status = "degraded";
    return c;
  }
  bool memory = access("/sys/fs/cgroup/memory", W_OK) == 0;
  bool pids = access("/sys/fs/cgroup/pids", W_OK) == 0;
  c.found = std::string("cgroup v1; memory ") + (memory ? "writable" : "not writable") + ", pids " +
            (pids ? "writable" : "not writable");
  if (!memory || !pids) c.status = "degraded";
  return c;
}

std::string in_path(const std::string& program) {
  const char* path = getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string p = (dir.empty() ? "." : dir) + "/" + program;
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

HostCheck check_user_network() {
  HostCheck c{"user_network", "ok", "",
              "--network nat is not available; --network none (loopback only) and host still "
              "work",
              false};
  std::string pasta = in_path("pasta");
  std::string slirp = in_path("slirp4netns");
  c.found = "pasta: " + (pasta.empty() ? std::string("not found") : pasta) +
            ", slirp4netns: " + (slirp.empty() ? std::string("not found") : slirp);
  if (pasta.empty() && slirp.empty()) c.status = "degraded";
  return c;
}

// "START+COUNT" of NAME's first range in an /etc/subuid-style file, or "".
std::string subid_range(const char* file, const std::string& name) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string user, start, count;
    if (std::getline(fields, user, ':') && std::getline(fields, start, ':') &&
        std::getline(fields, count) && user == name)
      return start + "+" + count;
  }
  return "";
}

HostCheck check_subids() {
  HostCheck c{"subordinate_ids", "ok", "", "", false};
  if (geteuid() == 0) {
    std::string uids = subid_range("/etc/subuid", "sbx");
    std::string gids = subid_range("/etc/subgid", "sbx");
    c.found = uids.empty() ? "no \"sbx\" range in /etc/subuid: sandboxes use uids " +
                                 std::to_string(kDefaultRootfulBase) + "+" +
                                 std::to_string(kRootfulRangeSize)
                           : "sandboxes use the \"sbx\" ranges: uids " + uids + ", gids " +
                                 (gids.empty() ? std::string("(default)") : gids);
    c.without = "as root, sandboxes map to uids from " + std::to_string(kDefaultRootfulBase) +
                ", never to host uid 0";
    return c;
  }
  const char* user = getenv("USER");
  std::string name = user != nullptr ? user : std::to_string(geteuid());
  std::string uids = subid_range("/etc/subuid", name);
  c.found = (uids.empty() ? "no subordinate uids for " + name : name + " has uids " + uids) +
            " (rootless sandboxes map only your own uid, so none are needed)";
  c.without = "a rootless sandbox has one uid: its root is you";
  return c;
}

}  // namespace

std::vector<HostCheck> probe_host(const std::string& scratch_dir) {
  return {check_kernel(),   check_userns(),  check_overlayfs(scratch_dir), check_seccomp(),
          check_io_uring(), check_cgroups(), check_user_network(),         check_subids()};
}

}  // namespace sbx
