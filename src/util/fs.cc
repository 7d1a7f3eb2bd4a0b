// Host-side filesystem helpers. remove_tree works with *at() calls relative to directory fds so
// a tree being removed cannot redirect it through a symlink.
#include "util/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "util/fd.h"

namespace sbx {

Status make_dirs(const std::string& path, mode_t mode) {
  if (path.empty()) return invalid("empty directory path");
  // Usually only the last component is missing, or none: one mkdir then, not one per level.
  if (mkdir(path.c_str(), mode) == 0) {
    if (chmod(path.c_str(), mode) != 0) return sys_error("chmod " + path);
    return {};
  }
  if (errno == EEXIST) {
    if (is_directory(path)) return {};
    return Error(ErrorKind::kInvalidArgument, path + " exists and is not a directory");
  }
  for (size_t pos = 1; pos != std::string::npos;) {
    pos = path.find('/', pos + 1);
    std::string part = path.substr(0, pos);
    if (mkdir(part.c_str(), mode) == 0) {
      if (chmod(part.c_str(), mode) != 0) return sys_error("chmod " + part);
    } else if (errno != EEXIST) {
      return sys_error("mkdir " + part);
    } else if (!is_directory(part)) {
      return Error(ErrorKind::kInvalidArgument, part + " exists and is not a directory");
    }
  }
  return {};
}

// How many more unlinks and rmdirs a removal may do; null: no limit.
static bool exhausted(const int* budget) { return budget != nullptr && *budget <= 0; }
static void spend(int* budget) {
  if (budget != nullptr) --*budget;
}

static Status remove_entries(int dirfd, const std::string& where, int* budget);

// Removes name in dirfd: a file, or a directory with everything in it. type is the entry's
// d_type when known. An empty directory goes with one rmdir, nothing opened. With a budget, it
// stops when that is spent, leaving the rest.
static Status remove_entry(int dirfd, const char* name, const std::string& where,
                           unsigned char type, int* budget) {
  if (exhausted(budget)) return {};
  if (type == DT_UNKNOWN) {
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      return errno == ENOENT ? Status() : sys_error("stat " + where + "/" + name);
    type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
  }
  if (type != DT_DIR) {
    if (unlinkat(dirfd, name, 0) != 0 && errno != ENOENT)
      return sys_error("unlink " + where + "/" + name);
    spend(budget);
    return {};
  }
  if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT) {
    spend(budget);
    return {};
  }
  if (errno != ENOTEMPTY && errno != EEXIST) return sys_error("rmdir " + where + "/" + name);
  fchmodat(dirfd, name, 0700, 0);  // a sandbox may have left it 000; ours to undo
  int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return sys_error("open " + where + "/" + name);
  UniqueFd sub(fd);
  SBX_TRY(remove_entries(sub.get(), where + "/" + name, budget));
  if (exhausted(budget)) return {};
  if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
    return sys_error("rmdir " + where + "/" + name);
  spend(budget);
  return {};
}

// Calls each(name, d_type) for every entry of dirfd but "." and "..", reading in small batches
// on the stack (readdir()'s 32 KiB buffer would be fresh pages at every level, and freeing it
// trims the heap). Before each batch more() says whether to go on; an error from each ends it.
// Inlined into its two callers, which src/hot_text.ld places among the code commands run.
template <typename Each, typename More>
[[gnu::always_inline]] inline static Status for_each_entry(int dirfd, const std::string& where,
                                                           Each each, More more) {
  alignas(dirent64) char buf[2048];
  for (;;) {
    if (!more()) return {};
    ssize_t n = getdents64(dirfd, buf, sizeof buf);
    if (n < 0) return sys_error(where.empty() ? "read directory" : "read directory " + where);
    if (n == 0) return {};
    for (ssize_t off = 0; off < n;) {
      const auto* e = reinterpret_cast<const dirent64*>(buf + off);
      off += e->d_reclen;
      const char* name = e->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      SBX_TRY(each(name, e->d_type));
    }
  }
}

// Removes each batch's entries before reading on.
static Status remove_entries(int dirfd, const std::string& where, int* budget) {
  return for_each_entry(
      dirfd, where,
      [&](const char* name, unsigned char type) {
        return remove_entry(dirfd, name, where, type, budget);
      },
      [&] { return !exhausted(budget); });
}

Result<std::vector<std::string>> dir_names(int dirfd) {
  std::vector<std::string> names;
  SBX_TRY(for_each_entry(
      dirfd, "",
      [&](const char* name, unsigned char) {
        names.emplace_back(name);
        return Status();
      },
      [] { return true; }));
  return names;
}

static Status remove_tree_within(const std::string& path, int* budget) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return invalid("remove_tree needs an absolute path: " + path);
  std::string parent = slash == 0 ? "/" : path.substr(0, slash);
  int fd = open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status() : sys_error("open " + parent);
  UniqueFd dir(fd);
  return remove_entry(dir.get(), path.substr(slash + 1).c_str(), parent, DT_UNKNOWN, budget);
}

Status remove_tree(const std::string& path) { return remove_tree_within(path, nullptr); }

Result<bool> remove_tree_some(const std::string& path, int& budget) {
  if (budget <= 0) return false;
  SBX_TRY(remove_tree_within(path, &budget));
  return budget > 0 || !path_exists(path);
}

// Reads straight into the string, sized by fstat, with no buffer in between: a small file costs
// one read and one allocation. Files in /proc say size 0; they get a page to start with, as a
// sysctl file must be read whole in its first read (a read at a later offset finds its end).
Result<std::string> read_file(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return sys_error("open " + path);
  UniqueFd f(fd);
  struct stat st;
  size_t room = fstat(f.get(), &st) == 0 && st.st_size > 0 ? static_cast<size_t>(st.st_size) : 4096;
  std::string out(room + 1, '\0');  // one byte more: the read that finds the end needs no growth
  size_t used = 0;
  for (;;) {
    if (used == out.size()) out.resize(std::max<size_t>(out.size() * 2, 4096));
    ssize_t n = read(f.get(), out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("read " + path);
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  out.resize(used);
  return out;
}

Status write_file_atomic(const std::string& path, const std::string& data, mode_t mode) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return sys_error("create " + tmp);
  UniqueFd f(fd);
  SBX_TRY(write_all(f.get(), data));
  if (fchmod(f.get(), mode) != 0) return sys_error("chmod " + tmp);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return sys_error("rename " + tmp, err);
  }
  return {};
}

bool path_exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

bool is_directory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::string> real_path(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) == nullptr) return sys_error(path);
  return std::string(buf);
}

}  // namespace sbx
