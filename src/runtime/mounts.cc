// Mount steps of sandbox setup: the overlay root, read-only binds of the host base, masks,
// user binds, /proc, /dev and /tmp. Runs in the child after clone(). Every target inside the
// new root is resolved with openat2(RESOLVE_IN_ROOT), so no symlink can point a mount outside
// it; sources are opened once, by open_sources, while the child still has the caller's uid.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "runtime/child_steps.h"

namespace sbx::child {

namespace {

int open_beneath(int rootfd, const char* rel, int flags) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(syscall(SYS_openat2, rootfd, rel, &how, sizeof how));
}

std::string relative(const std::string& path) {
  size_t i = path.find_first_not_of('/');
  return i == std::string::npos ? std::string(".") : path.substr(i);
}

// Returns an O_PATH fd of directory `rel` under root, creating missing parts; or -errno.
int ensure_dir(int rootfd, const std::string& rel) {
  int fd = open_beneath(rootfd, rel.c_str(), O_PATH | O_DIRECTORY);
  if (fd >= 0 || errno != ENOENT) return fd >= 0 ? fd : -errno;
  size_t slash = rel.rfind('/');
  int parent = slash == std::string::npos ? open_beneath(rootfd, ".", O_PATH | O_DIRECTORY)
                                          : ensure_dir(rootfd, rel.substr(0, slash));
  if (parent < 0) return parent < -1 ? parent : -errno;
  const char* base = rel.c_str() + (slash == std::string::npos ? 0 : slash + 1);
  int err = (mkdirat(parent, base, 0755) != 0 && errno != EEXIST) ? errno : 0;
  if (err == 0) fd = openat(parent, base, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (err == 0 && fd < 0) err = errno;
  close(parent);
  return err != 0 ? -err : fd;
}

// Returns an O_PATH fd of a file `rel` under root, creating it (and its parents) if missing.
int ensure_file(int rootfd, const std::string& rel) {
  int fd = open_beneath(rootfd, rel.c_str(), O_PATH);
  if (fd >= 0 || errno != ENOENT) return fd >= 0 ? fd : -errno;
  size_t slash = rel.rfind('/');
  int parent = slash == std::string::npos ? open_beneath(rootfd, ".", O_PATH | O_DIRECTORY)
                                          : ensure_dir(rootfd, rel.substr(0, slash));
  if (parent < 0) return parent < -1 ? parent : -errno;
  const char* base = rel.c_str() + (slash == std::string::npos ? 0 : slash + 1);
  int made = openat(parent, base, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  int err = made < 0 && errno != EEXIST ? errno : 0;
  if (made >= 0) close(made);
  if (err == 0) fd = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (err == 0 && fd < 0) err = errno;
  close(parent);
  return err != 0 ? -err : fd;
}

// Clones the mount tree at src_fd, sets attributes on the detached copy, attaches it at target.
int bind_fd(int src_fd, int target_fd, uint64_t attrs, bool recursive) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH;
  if (recursive) flags |= AT_RECURSIVE;
  int tree = open_tree(src_fd, "", flags);
  if (tree < 0) return errno;
  mount_attr attr{};
  attr.attr_set = attrs;
  int err = 0;
  if (attrs != 0 &&
      mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr))
    err = errno;
  if (err == 0 &&
      move_mount(tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    err = errno;
  close(tree);
  return err;
}

int bind_plan(int rootfd, const BindPlan& b, int source, uint64_t attrs) {
  std::string rel = relative(b.target);
  int target = b.is_dir ? ensure_dir(rootfd, rel) : ensure_file(rootfd, rel);
  if (target < 0) return -target;
  if (b.read_only) attrs |= MOUNT_ATTR_RDONLY;
  int err = bind_fd(source, target, attrs, true);
  close(target);
  return err;
}

// Mounts a new filesystem instance on the directory `rel` under root.
int mount_fs(int rootfd, const std::string& rel, const char* type, unsigned long flags,
             const char* data) {
  int target = ensure_dir(rootfd, rel);
  if (target < 0) return -target;
  std::string where = "/proc/self/fd/" + std::to_string(target);
  int err = mount(type, where.c_str(), type, flags, data) != 0 ? errno : 0;
  close(target);
  return err;
}

// Hides one path: /dev/null over a file, an empty read-only tmpfs over a directory.
int mask_one(int rootfd, const MaskPlan& m, int dev_null) {
  std::string rel = relative(m.target);
  int target = open_beneath(rootfd, rel.c_str(), O_PATH);
  if (target < 0) return errno == ENOENT ? 0 : errno;
  int err;
  if (m.is_dir) {
    std::string where = "/proc/self/fd/" + std::to_string(target);
    err = mount("tmpfs", where.c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "size=4k,mode=0755") != 0
              ? errno
              : 0;
  } else {
    err =
        bind_fd(dev_null, target, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, false);
  }
  close(target);
  return err;
}

constexpr uint64_t kSafeAttrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;

// What a fresh /proc hides (masked) or freezes (read-only), as Docker and crun do.
constexpr const char* kProcMaskedFiles[] = {
    "kcore", "keys", "timer_list", "sched_debug", "latency_stats", "kallsyms", "sysrq-trigger"};
constexpr const char* kProcMaskedDirs[] = {"acpi", "asound", "scsi"};
constexpr const char* kProcReadOnly[] = {"sys", "bus", "fs", "irq"};

int open_path(const std::string& path, int flags) {
  int fd = open(path.c_str(), O_PATH | O_CLOEXEC | flags);
  return fd < 0 ? -errno : fd;
}

std::string fd_link(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

}  // namespace

int open_sources(const SandboxPlan& plan, Sources* out) {
  auto add = [](std::vector<int>& to, int fd) {
    if (fd >= 0) to.push_back(fd);
    return fd < 0 ? -fd : 0;
  };
  for (const auto& dir : plan.lower_dirs)
    if (int err = add(out->lower, open_path(dir, O_DIRECTORY))) return err;
  if ((out->upper = open_path(plan.upper_dir, O_DIRECTORY)) < 0) return -out->upper;
  if ((out->work = open_path(plan.work_dir, O_DIRECTORY)) < 0) return -out->work;
  for (const auto& b : plan.system_binds)
    if (int err = add(out->system, open_path(b.source, 0))) return err;
  for (const auto& b : plan.user_binds)
    if (int err = add(out->user, open_path(b.source, 0))) return err;
  if ((out->dev_null = open_path("/dev/null", 0)) < 0) return -out->dev_null;
  for (const auto& name : plan.devices)
    if (int err = add(out->devices, open_path("/dev/" + name, 0))) return err;
  return 0;
}

int make_mounts_private() {
  return mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ? errno : 0;
}

int mount_root_overlay(const SandboxPlan& plan, const Sources& src) {
  std::string lower;
  for (int fd : src.lower) lower += (lower.empty() ? "" : ":") + fd_link(fd);
  std::string opts = "lowerdir=" + lower + ",upperdir=" + fd_link(src.upper) +
                     ",workdir=" + fd_link(src.work) + ",userxattr";
  if (plan.volatile_upper) opts += ",volatile";
  return mount("overlay", kNewRoot, "overlay", MS_NOSUID | MS_NODEV, opts.c_str()) != 0 ? errno : 0;
}

int open_new_root(int* rootfd) {
  *rootfd = open(kNewRoot, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return *rootfd < 0 ? errno : 0;
}

int bind_system_dirs(int rootfd, const SandboxPlan& plan, const Sources& src) {
  for (size_t i = 0; i < plan.system_binds.size(); ++i)
    if (int err = bind_plan(rootfd, plan.system_binds[i], src.system[i], kSafeAttrs)) return err;
  return 0;
}

int mask_paths(int rootfd, const SandboxPlan& plan, const Sources& src) {
  for (const auto& m : plan.masks)
    if (int err = mask_one(rootfd, m, src.dev_null)) return err;
  return 0;
}

int bind_user_mounts(int rootfd, const SandboxPlan& plan, const Sources& src) {
  for (size_t i = 0; i < plan.user_binds.size(); ++i)
    if (int err = bind_plan(rootfd, plan.user_binds[i], src.user[i], kSafeAttrs)) return err;
  return 0;
}

int mount_proc(int rootfd, const SandboxPlan& /*plan*/, const Sources& src) {
  if (int err = mount_fs(rootfd, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr))
    return err;
  int proc = open_beneath(rootfd, "proc", O_PATH | O_DIRECTORY);
  if (proc < 0) return errno;
  int err = 0;
  for (const char* name : kProcMaskedFiles) {
    if (err != 0) break;
    int t = openat(proc, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (t < 0) continue;
    err = bind_fd(src.dev_null, t, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC, false);
    close(t);
  }
  for (const char* name : kProcMaskedDirs) {
    if (err != 0) break;
    err = mask_one(proc, MaskPlan{name, true}, -1);
  }
  for (const char* name : kProcReadOnly) {
    if (err != 0) break;
    int t = openat(proc, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (t < 0) continue;
    err = bind_fd(t, t, MOUNT_ATTR_RDONLY | kSafeAttrs | MOUNT_ATTR_NOEXEC, true);
    close(t);
  }
  close(proc);
  return err;
}

int mount_dev(int rootfd, const SandboxPlan& plan, const Sources& src) {
  if (int err = mount_fs(rootfd, "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k"))
    return err;
  int dev = open_beneath(rootfd, "dev", O_PATH | O_DIRECTORY);
  if (dev < 0) return errno;
  int err = 0;
  for (size_t i = 0; i < plan.devices.size(); ++i) {
    int t = ensure_file(dev, plan.devices[i]);
    if (t < 0) {
      err = -t;
      break;
    }
    err = bind_fd(src.devices[i], t, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, false);
    close(t);
    if (err != 0) break;
  }
  if (err == 0)
    err =
        mount_fs(dev, "pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620");
  std::string shm_opts = "mode=1777,size=" + plan.shm_size;
  if (err == 0) err = mount_fs(dev, "shm", "tmpfs", MS_NOSUID | MS_NODEV, shm_opts.c_str());
  const std::pair<const char*, const char*> links[] = {{"pts/ptmx", "ptmx"},
                                                       {"/proc/self/fd", "fd"},
                                                       {"/proc/self/fd/0", "stdin"},
                                                       {"/proc/self/fd/1", "stdout"},
                                                       {"/proc/self/fd/2", "stderr"}};
  for (const auto& [to, name] : links)
    if (err == 0 && symlinkat(to, dev, name) != 0 && errno != EEXIST) err = errno;
  close(dev);
  return err;
}

// A size-capped tmpfs; with --disk, the tmp/ of the disk layer instead (one cap for both).
int mount_tmp(int rootfd, const SandboxPlan& plan, const Sources& src) {
  if (src.tmp >= 0) {
    int target = ensure_dir(rootfd, "tmp");
    if (target < 0) return -target;
    int err = bind_fd(src.tmp, target, kSafeAttrs, false);
    close(target);
    return err;
  }
  std::string opts = "mode=1777,size=" + plan.tmp_size + ",nr_inodes=" + plan.tmp_inodes;
  return mount_fs(rootfd, "tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str());
}

int make_workdir(int rootfd, const SandboxPlan& plan) {
  int fd = ensure_dir(rootfd, relative(plan.workdir));
  if (fd < 0) return -fd;
  close(fd);
  return 0;
}

int pivot_to(int rootfd) {
  if (fchdir(rootfd) != 0) return errno;
  if (syscall(SYS_pivot_root, ".", ".") != 0) return errno;
  if (umount2(".", MNT_DETACH) != 0) return errno;
  if (chdir("/") != 0) return errno;
  // The old root is gone: the cwd must now be the new root, reached from nowhere else.
  char cwd[8];
  if (getcwd(cwd, sizeof cwd) == nullptr || std::string_view(cwd) != "/") return EPERM;
  return 0;
}

}  // namespace sbx::child
