// Diff and copy of an overlayfs writable layer. The upper directory belongs to a sandbox that may
// still run and rearrange it (swap a directory for a symlink to a host path): it is walked only
// with *at() calls relative to directory fds opened O_NOFOLLOW, never by path. The lower layers
// are sbx's own read-only image layers and are looked up by path.
#include "image/layer_diff.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "util/fd.h"

namespace sbx {

namespace {

constexpr const char* kUserOverlay = "user.overlay.";
constexpr const char* kTrustedOverlay = "trusted.overlay.";

// The value of the overlay xattr `what` ("opaque", "whiteout") in either namespace; "" if none.
std::string overlay_xattr(int fd, const std::string& what) {
  for (const char* ns : {kUserOverlay, kTrustedOverlay}) {
    char buf[8];
    ssize_t n = fgetxattr(fd, (std::string(ns) + what).c_str(), buf, sizeof buf);
    if (n >= 0) return std::string(buf, static_cast<size_t>(n));
  }
  return "";
}

// The same for a path (lower layers only).
std::string overlay_xattr_at(const std::string& path, const std::string& what) {
  for (const char* ns : {kUserOverlay, kTrustedOverlay}) {
    char buf[8];
    ssize_t n = lgetxattr(path.c_str(), (std::string(ns) + what).c_str(), buf, sizeof buf);
    if (n >= 0) return std::string(buf, static_cast<size_t>(n));
  }
  return "";
}

bool is_char_whiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == 0; }

// A whiteout of a lower layer, by path: a 0/0 character device, or an empty file with an
// overlay.whiteout xattr.
bool is_whiteout_at(const std::string& path, const struct stat& st) {
  if (is_char_whiteout(st)) return true;
  return S_ISREG(st.st_mode) && st.st_size == 0 &&
         lgetxattr(path.c_str(), "user.overlay.whiteout", nullptr, 0) >= 0;
}

std::vector<std::string> components(const std::string& rel) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < rel.size()) {
    size_t j = rel.find('/', i);
    if (j == std::string::npos) j = rel.size();
    if (j > i) parts.push_back(rel.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

// What one lower layer says about a path.
struct Lookup {
  enum State { kAbsent, kHidden, kFile, kDir } state = kAbsent;
  bool opaque = false;  // an opaque directory on the way (or the path itself): stop below
};

Lookup lookup(const std::string& layer, const std::string& rel) {
  Lookup r;
  std::vector<std::string> parts = components(rel);
  std::string cur = layer;
  for (size_t i = 0; i < parts.size(); ++i) {
    cur += "/" + parts[i];
    struct stat st;
    if (lstat(cur.c_str(), &st) != 0) return r;
    if (is_whiteout_at(cur, st)) return {Lookup::kHidden, r.opaque};
    bool last = i + 1 == parts.size();
    if (!S_ISDIR(st.st_mode)) return {last ? Lookup::kFile : Lookup::kHidden, r.opaque};
    r.opaque |= overlay_xattr_at(cur, "opaque") == "y";
    if (last) r.state = Lookup::kDir;
  }
  if (parts.empty()) r.state = Lookup::kDir;
  return r;
}

bool exists_below(const std::vector<std::string>& lowers, const std::string& rel) {
  for (const auto& layer : lowers) {
    Lookup r = lookup(layer, rel);
    if (r.state == Lookup::kFile || r.state == Lookup::kDir) return true;
    if (r.state == Lookup::kHidden || r.opaque) return false;
  }
  return false;
}

// The names a directory shows in the merged view of the lower layers.
std::set<std::string> list_below(const std::vector<std::string>& lowers, const std::string& rel) {
  std::set<std::string> shown, seen;
  for (const auto& layer : lowers) {
    Lookup r = lookup(layer, rel);
    if (r.state == Lookup::kHidden || r.state == Lookup::kFile) break;
    if (r.state == Lookup::kDir) {
      std::string dir = layer + rel;
      if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d)) {
          std::string name = e->d_name;
          if (name == "." || name == ".." || !seen.insert(name).second) continue;
          struct stat st;
          if (lstat((dir + "/" + name).c_str(), &st) == 0 && !is_whiteout_at(dir + "/" + name, st))
            shown.insert(name);
        }
        closedir(d);
      }
    }
    if (r.opaque) break;
  }
  return shown;
}

// The entries of an open directory, sorted (without . and ..).
Result<std::vector<std::string>> read_names(int dirfd, const std::string& where) {
  int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return sys_error("dup");
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    close(fd);
    return sys_error("opendir " + where);
  }
  rewinddir(d);  // the dup shares its offset with dirfd, which may have been read before
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  int err = errno;
  closedir(d);
  if (err != 0) return sys_error("readdir " + where, err);
  std::sort(names.begin(), names.end());
  return names;
}

Result<UniqueFd> open_dir_at(int dirfd, const std::string& name, const std::string& where) {
  UniqueFd fd(openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return sys_error("open " + where);
  return fd;
}

// A regular file of the upper layer that is an xattr whiteout.
bool is_xattr_whiteout(int dirfd, const std::string& name, const struct stat& st) {
  if (!S_ISREG(st.st_mode) || st.st_size != 0) return false;
  UniqueFd fd(openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  return fd && !overlay_xattr(fd.get(), "whiteout").empty();
}

struct DiffWalk {
  const std::vector<std::string>& lowers;
  std::vector<LayerChange> out;

  Status dir(int fd, const std::string& rel) {
    SBX_ASSIGN_OR_RETURN(std::vector<std::string> names, read_names(fd, rel.empty() ? "/" : rel));
    for (const auto& name : names) SBX_TRY(entry(fd, rel, name));
    return {};
  }

  Status entry(int parent, const std::string& rel, const std::string& name) {
    std::string path = rel + "/" + name;
    struct stat st;
    if (fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return errno == ENOENT ? Status() : sys_error("stat " + path);  // gone meanwhile
    if (is_char_whiteout(st) || is_xattr_whiteout(parent, name, st)) {
      if (exists_below(lowers, path)) out.push_back({'D', path});
      return {};
    }
    bool below = exists_below(lowers, path);
    out.push_back({below ? 'C' : 'A', path});
    if (!S_ISDIR(st.st_mode)) return {};
    SBX_ASSIGN_OR_RETURN(UniqueFd sub, open_dir_at(parent, name, path));
    SBX_TRY(dir(sub.get(), path));
    if (below && overlay_xattr(sub.get(), "opaque") == "y") SBX_TRY(hidden_by_opaque(sub, path));
    return {};
  }

  // An opaque directory hides every lower entry it does not hold itself: each is deleted.
  Status hidden_by_opaque(const UniqueFd& fd, const std::string& path) {
    SBX_ASSIGN_OR_RETURN(std::vector<std::string> mine, read_names(fd.get(), path));
    std::set<std::string> upper(mine.begin(), mine.end());
    for (const auto& name : list_below(lowers, path))
      if (upper.count(name) == 0) out.push_back({'D', path + "/" + name});
    return {};
  }
};

// Path order with '/' first, so that a directory's contents follow it directly.
bool path_before(const LayerChange& a, const LayerChange& b) {
  auto key = [](char c) { return c == '/' ? 0 : static_cast<unsigned char>(c) + 1; };
  return std::lexicographical_compare(a.path.begin(), a.path.end(), b.path.begin(), b.path.end(),
                                      [&](char x, char y) { return key(x) < key(y); });
}

}  // namespace

Result<std::vector<LayerChange>> diff_layer(const std::string& upper_dir,
                                            const std::vector<std::string>& lower_dirs) {
  UniqueFd root(open(upper_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!root) return sys_error("open " + upper_dir);
  DiffWalk walk{lower_dirs, {}};
  SBX_TRY(walk.dir(root.get(), ""));
  std::sort(walk.out.begin(), walk.out.end(), path_before);
  return std::move(walk.out);
}

namespace {

// Which xattrs a copied layer keeps, under which name ("" to drop it): the user's own user.*,
// file capabilities, and of overlayfs' own only the whiteout and opaque markers, always in the
// user.* namespace that sbx mounts with.
std::string kept_xattr(const std::string& name) {
  for (const char* ns : {kUserOverlay, kTrustedOverlay}) {
    std::string prefix = ns;
    if (name.rfind(prefix, 0) == 0) {
      std::string what = name.substr(prefix.size());
      return what == "opaque" || what == "whiteout" ? kUserOverlay + what : "";
    }
  }
  if (name.rfind("user.", 0) == 0 || name == "security.capability") return name;
  return "";
}

Status copy_xattrs(int from, int to, const std::string& where) {
  ssize_t size = flistxattr(from, nullptr, 0);
  if (size <= 0) return {};
  std::string names(static_cast<size_t>(size), '\0');
  size = flistxattr(from, names.data(), names.size());
  if (size < 0) return sys_error("listxattr " + where);
  for (size_t i = 0; i < static_cast<size_t>(size);) {
    std::string name = names.c_str() + i;
    i += name.size() + 1;
    std::string target = kept_xattr(name);
    if (target.empty()) continue;
    ssize_t n = fgetxattr(from, name.c_str(), nullptr, 0);
    if (n < 0) continue;
    std::string value(static_cast<size_t>(n), '\0');
    n = fgetxattr(from, name.c_str(), value.data(), value.size());
    if (n < 0) continue;
    if (fsetxattr(to, target.c_str(), value.data(), static_cast<size_t>(n), 0) != 0 &&
        name != "security.capability")  // capabilities need privileges; the rest must copy
      return sys_error("setxattr " + target + " on " + where);
  }
  return {};
}

// Ownership when we may (as root); then the mode, since chown clears set-id bits.
Status set_owner_mode(int fd, const struct stat& st, const std::string& where) {
  if (geteuid() == 0 && fchown(fd, st.st_uid, st.st_gid) != 0) return sys_error("chown " + where);
  if (fchmod(fd, st.st_mode & 07777) != 0) return sys_error("chmod " + where);
  return {};
}

Status set_times(int fd, const struct stat& st, const std::string& where) {
  timespec times[2] = {st.st_atim, st.st_mtim};
  if (futimens(fd, times) != 0) return sys_error("set times of " + where);
  return {};
}

Status copy_bytes(int from, int to, const std::string& where) {
  for (;;) {
    ssize_t n = copy_file_range(from, nullptr, to, nullptr, 1 << 30, 0);
    if (n == 0) return {};
    if (n > 0) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
      return sys_error("copy " + where);
    break;
  }
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(from, buf, sizeof buf);
    if (n == 0) return {};
    if (n < 0) return errno == EINTR ? Status() : sys_error("read " + where);
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(to, buf + done, static_cast<size_t>(n - done));
      if (w < 0 && errno != EINTR) return sys_error("write " + where);
      if (w > 0) done += w;
    }
  }
}

struct LayerCopy {
  int dest_root;
  std::map<std::pair<dev_t, ino_t>, std::string> links;  // inode -> its first copy (relative)

  Status dir_contents(int from, int to, const std::string& rel) {
    SBX_ASSIGN_OR_RETURN(std::vector<std::string> names, read_names(from, rel.empty() ? "/" : rel));
    for (const auto& name : names) SBX_TRY(entry(from, to, rel, name));
    return {};
  }

  Status entry(int from, int to, const std::string& rel, const std::string& name) {
    std::string path = rel + "/" + name;
    struct stat st;
    if (fstatat(from, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return errno == ENOENT ? Status() : sys_error("stat " + path);  // gone meanwhile
    if (S_ISDIR(st.st_mode)) return directory(from, to, path, name, st);
    if (S_ISREG(st.st_mode)) return regular(from, to, path, name, st);
    if (S_ISLNK(st.st_mode)) return symlink(from, to, path, name, st);
    if (S_ISSOCK(st.st_mode)) return {};  // a socket means nothing without its process
    if (mknodat(to, name.c_str(), st.st_mode, st.st_rdev) != 0) return sys_error("mknod " + path);
    if (geteuid() == 0 && fchownat(to, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW))
      return sys_error("chown " + path);
    return {};
  }

  Status directory(int from, int to, const std::string& path, const std::string& name,
                   const struct stat& st) {
    SBX_ASSIGN_OR_RETURN(UniqueFd src, open_dir_at(from, name, path));
    if (mkdirat(to, name.c_str(), 0700) != 0) return sys_error("mkdir " + path);
    SBX_ASSIGN_OR_RETURN(UniqueFd dst, open_dir_at(to, name, path));
    return finish_dir(src.get(), dst.get(), path, st);
  }

  Status finish_dir(int src, int dst, const std::string& path, const struct stat& st) {
    SBX_TRY(dir_contents(src, dst, path));
    SBX_TRY(copy_xattrs(src, dst, path));
    SBX_TRY(set_owner_mode(dst, st, path));
    return set_times(dst, st, path);
  }

  Status regular(int from, int to, const std::string& path, const std::string& name,
                 const struct stat& st) {
    auto key = std::make_pair(st.st_dev, st.st_ino);
    if (st.st_nlink > 1) {
      auto it = links.find(key);
      if (it != links.end()) {
        if (linkat(dest_root, it->second.c_str(), to, name.c_str(), 0) != 0)
          return sys_error("link " + path);
        return {};
      }
      links[key] = path.substr(1);
    }
    UniqueFd src(openat(from, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!src) return sys_error("open " + path);
    UniqueFd dst(
        openat(to, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!dst) return sys_error("create " + path);
    SBX_TRY(copy_bytes(src.get(), dst.get(), path));
    SBX_TRY(copy_xattrs(src.get(), dst.get(), path));
    SBX_TRY(set_owner_mode(dst.get(), st, path));
    return set_times(dst.get(), st, path);
  }

  Status symlink(int from, int to, const std::string& path, const std::string& name,
                 const struct stat& st) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = readlinkat(from, name.c_str(), target.data(), target.size());
    if (n < 0) return sys_error("readlink " + path);
    target.resize(static_cast<size_t>(n));
    if (symlinkat(target.c_str(), to, name.c_str()) != 0) return sys_error("symlink " + path);
    if (geteuid() == 0 && fchownat(to, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW))
      return sys_error("chown " + path);
    timespec times[2] = {st.st_atim, st.st_mtim};
    utimensat(to, name.c_str(), times, AT_SYMLINK_NOFOLLOW);
    return {};
  }
};

}  // namespace

Status copy_layer(const std::string& upper_dir, const std::string& dest_dir) {
  UniqueFd src(open(upper_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!src) return sys_error("open " + upper_dir);
  struct stat st;
  if (fstat(src.get(), &st) != 0) return sys_error("stat " + upper_dir);
  if (mkdir(dest_dir.c_str(), 0700) != 0) return sys_error("mkdir " + dest_dir);
  UniqueFd dst(open(dest_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dst) return sys_error("open " + dest_dir);
  LayerCopy copy{dst.get(), {}};
  return copy.finish_dir(src.get(), dst.get(), "", st);
}

}  // namespace sbx
