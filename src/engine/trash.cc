// The trash of ended one-shots' directories (trash.h).
#include "engine/trash.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/layout.h"
#include "util/fd.h"
#include "util/fs.h"

namespace sbx {

Status move_to_trash(const std::string& home, const std::string& id) {
  std::string trash = trash_dir(home);
  if (mkdir(trash.c_str(), 0700) != 0 && errno != EEXIST) return sys_error("mkdir " + trash);
  std::string from = sandbox_layout(home, id).dir;
  if (rename(from.c_str(), (trash + "/" + id).c_str()) != 0)
    return sys_error("move " + from + " to " + trash);
  return {};
}

namespace {

constexpr const char* kCleanPrefix = ".clean-";  // hidden from the emptier: kept for reuse
constexpr size_t kMaxClean = 4;                  // more clean ones are removed like the rest

// Whether fd's xattrs are all overlayfs's own (user.overlay.*, with userxattr: the uuid it
// records on the upper root). The sandbox cannot set or read those through the overlay; any
// other xattr, an ACL included, could have been set from inside.
bool only_overlay_xattrs(int fd) {
  char names[1024];
  ssize_t n = flistxattr(fd, names, sizeof names);
  if (n < 0) return false;  // too many to be overlayfs's alone (ERANGE), or unreadable
  constexpr std::string_view kOwn = "user.overlay.";
  for (ssize_t at = 0; at < n;) {
    std::string_view name(names + at);
    if (name.substr(0, kOwn.size()) != kOwn) return false;
    at += static_cast<ssize_t>(name.size()) + 1;
  }
  return true;
}

// Whether dir is exactly what a sandbox's directory is when made (plan_for, create.cc) and
// nothing more: entries upper/ and work/ only; upper/ empty, mode 0755, no xattr but
// overlayfs's own (no ACL either), the inode flags work/ has; work/ mode 0700 and empty unless
// `work_may_hold` (overlayfs's work/work, removed before reuse); both owned by one uid and gid
// (the sandbox's root outside), which are returned. Whatever a sandbox could change in what it
// sees of its root (/ is upper/: entries, mode, owner, xattrs, inode flags) would show here,
// and a directory that shows any is not reused.
bool as_made(const std::string& dir, bool work_may_hold, uid_t* uid, gid_t* gid) {
  UniqueFd d(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!d) return false;
  Result<std::vector<std::string>> names = dir_names(d.get());
  if (!names.ok() || names->size() != 2) return false;
  for (const std::string& n : *names)
    if (n != "upper" && n != "work") return false;
  struct stat up, wk;
  if (fstatat(d.get(), "upper", &up, AT_SYMLINK_NOFOLLOW) != 0 ||
      fstatat(d.get(), "work", &wk, AT_SYMLINK_NOFOLLOW) != 0)
    return false;
  if (!S_ISDIR(up.st_mode) || !S_ISDIR(wk.st_mode) || (up.st_mode & 07777) != 0755 ||
      (wk.st_mode & 07777) != 0700 || up.st_uid != wk.st_uid || up.st_gid != wk.st_gid)
    return false;
  UniqueFd upper(openat(d.get(), "upper", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  UniqueFd work(openat(d.get(), "work", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!upper || !work || !only_overlay_xattrs(upper.get())) return false;
  // Inode flags (chattr: noatime, dirsync, ...) the owner may set: upper/'s must be what work/
  // got when both were made, as nothing inside can reach work/.
  int up_flags = 0, wk_flags = 0;
  bool up_has = ioctl(upper.get(), FS_IOC_GETFLAGS, &up_flags) == 0;
  bool wk_has = ioctl(work.get(), FS_IOC_GETFLAGS, &wk_flags) == 0;
  if (up_has != wk_has || up_flags != wk_flags) return false;
  Result<std::vector<std::string>> in_upper = dir_names(upper.get());
  if (!in_upper.ok() || !in_upper->empty()) return false;
  if (!work_may_hold) {
    Result<std::vector<std::string>> in_work = dir_names(work.get());
    if (!in_work.ok() || !in_work->empty()) return false;
  }
  *uid = up.st_uid;
  *gid = up.st_gid;
  return true;
}

// The trash's names, with the trash locked (held in *lock) against other emptiers and takers;
// nullopt when there is no trash yet or another process holds it.
std::optional<std::vector<std::string>> lock_trash(const std::string& trash, UniqueFd* lock) {
  lock->reset(open(trash.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!*lock || flock(lock->get(), LOCK_EX | LOCK_NB) != 0) return std::nullopt;
  Result<std::vector<std::string>> names = dir_names(lock->get());
  if (!names.ok()) return std::nullopt;
  return std::move(names).value();
}

}  // namespace

bool empty_trash_some(const std::string& home, int budget, TrashOwner owner) {
  std::string trash = trash_dir(home);
  UniqueFd lock;
  std::optional<std::vector<std::string>> names = lock_trash(trash, &lock);
  if (!names) return false;  // none yet, or another process is at it
  size_t clean = 0;
  for (const std::string& name : *names) clean += name.rfind(kCleanPrefix, 0) == 0;
  for (const std::string& name : *names) {
    if (name[0] == '.') continue;
    std::string path = trash + "/" + name;
    uid_t uid;
    gid_t gid;
    if (clean < kMaxClean && as_made(path, true, &uid, &gid) && uid == owner.uid &&
        gid == owner.gid) {
      // Kept for the next sandbox: only overlayfs's work/work goes (its incompat/volatile
      // would stop the next mount).
      Result<bool> gone = remove_tree_some(path + "/work/work", budget);
      if (!gone.ok()) return false;
      if (!*gone) return true;
      if (rename(path.c_str(), (trash + "/" + kCleanPrefix + name).c_str()) == 0) {
        ++clean;
        continue;
      }
    }
    Result<bool> gone = remove_tree_some(path, budget);
    if (!gone.ok()) return false;  // something there resists: no use trying again at once
    if (!*gone) return true;       // the budget is spent
  }
  return false;
}

bool reuse_trashed_dir(const std::string& home, const std::string& dest, TrashOwner owner) {
  std::string trash = trash_dir(home);
  UniqueFd lock;
  std::optional<std::vector<std::string>> names = lock_trash(trash, &lock);
  if (!names) return false;  // none yet, or being emptied: make a new one
  for (const std::string& name : *names) {
    if (name.rfind(kCleanPrefix, 0) != 0) continue;
    std::string path = trash + "/" + name;
    uid_t u;
    gid_t g;
    if (as_made(path, false, &u, &g) && u == owner.uid && g == owner.gid) {
      if (rename(path.c_str(), dest.c_str()) == 0) return true;
      continue;
    }
    // Not as kept, or another owner's: back to the emptier, which removes it.
    (void)rename(path.c_str(), (trash + "/" + name.substr(strlen(kCleanPrefix))).c_str());
  }
  return false;
}

}  // namespace sbx
