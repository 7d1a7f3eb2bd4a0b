// --disk: the sandbox's writable layer (overlay upper and work) and its /tmp on one tmpfs of
// the asked size, mounted by the child in its own user and mount namespaces, so it works
// rootless too and the kernel enforces the size (ENOSPC) and an inode count. The tmpfs is
// mounted where the new root is assembled and then covered by the overlay; the child keeps
// O_PATH descriptors of its directories and hands the root to the supervisor. Runs in the
// child after clone().
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "runtime/child_steps.h"

namespace sbx::child {

namespace {

// One inode per 4 KiB of the size: a flood of empty files hits a bound as well.
constexpr int64_t kBytesPerInode = 4096;

int open_dir_in(int parent, const char* name, mode_t mode, int* fd) {
  if (mkdirat(parent, name, mode) != 0 && errno != EEXIST) return errno;
  if (mode & S_ISVTX) fchmodat(parent, name, mode, 0);  // past the umask
  *fd = openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  return *fd < 0 ? errno : 0;
}

}  // namespace

int mount_disk_layer(const SandboxPlan& plan, Sources* src) {
  if (plan.disk_bytes <= 0) return 0;
  char opts[128];
  long long inodes = plan.disk_bytes / kBytesPerInode;
  snprintf(opts, sizeof opts, "mode=0755,size=%lld,nr_inodes=%lld",
           static_cast<long long>(plan.disk_bytes), inodes < 64 ? 64 : inodes);
  if (mount("sbx-disk", kNewRoot, "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0) return errno;
  src->layer = open(kNewRoot, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (src->layer < 0) return errno;
  int root = open(kNewRoot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return errno;
  close(src->upper);
  close(src->work);
  int err = open_dir_in(root, "upper", 0755, &src->upper);
  if (err == 0) err = open_dir_in(root, "work", 0700, &src->work);
  if (err == 0) err = open_dir_in(root, "tmp", 01777, &src->tmp);
  close(root);
  return err;
}

}  // namespace sbx::child
