// Building a sandbox plan on the host base. Every path is checked here, in the parent, so that
// errors name the user's input; the child opens them again in its own mount namespace.
#include "runtime/host_base.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "util/fd.h"
#include "util/fs.h"

namespace sbx {

namespace {

// Top-level host directories bound read-only (when they are directories, not symlinks).
constexpr const char* kHostDirs[] = {"/usr", "/etc",   "/bin",   "/sbin",
                                     "/lib", "/lib32", "/lib64", "/libx32"};
// Top-level directories of the skeleton, all writable through the sandbox's own layer.
constexpr const char* kSkeletonDirs[] = {
    "usr", "etc", "proc",  "dev", "tmp",     "sys",     "root",      "home",    "opt",
    "srv", "mnt", "media", "var", "var/tmp", "var/lib", "var/cache", "var/log", "run"};
// Host files and directories never shown inside, even though /etc is.
constexpr const char* kMaskedFiles[] = {"/etc/shadow",      "/etc/shadow-", "/etc/gshadow",
                                        "/etc/gshadow-",    "/etc/sudoers", "/etc/security/opasswd",
                                        "/etc/krb5.keytab", "/etc/subuid-", "/etc/subgid-"};
constexpr const char* kMaskedDirs[] = {"/etc/sudoers.d", "/etc/ssl/private", "/etc/polkit-1"};
// Private keys: in each directory, the names that match (fnmatch, a leading '.' only
// explicitly). /etc/ssh's covers the host's keys (ssh_host_*_key) and any other *_key.
struct MaskedPattern {
  const char* dir;
  const char* name;
};
constexpr MaskedPattern kMaskedPatterns[] = {{"/etc/ssh", "*_key"}};
constexpr const char* kDevices[] = {"null", "zero", "full", "random", "urandom", "tty"};

Result<struct stat> stat_path(const std::string& path, bool must_be_dir) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return sys_error(path);
  if (must_be_dir && !S_ISDIR(st.st_mode)) return sys_error(path, ENOTDIR);
  return st;
}

bool is_real_dir(const char* path) {
  struct stat st;
  return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void add_masks(SandboxPlan& plan) {
  for (const char* f : kMaskedFiles)
    if (path_exists(f)) plan.masks.push_back({f, false});
  for (const char* d : kMaskedDirs)
    if (is_directory(d)) plan.masks.push_back({d, true});
  for (const MaskedPattern& p : kMaskedPatterns) {
    UniqueFd dir(open(p.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) continue;
    Result<std::vector<std::string>> names = dir_names(dir.get());
    if (!names.ok()) continue;
    std::sort(names->begin(), names->end());
    for (const std::string& name : *names)
      if (fnmatch(p.name, name.c_str(), FNM_PERIOD) == 0)
        plan.masks.push_back({std::string(p.dir) + "/" + name, false});
  }
}

bool under(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

Status add_user_mounts(SandboxPlan& plan, const std::vector<MountSpec>& mounts) {
  for (const auto& m : mounts) {
    for (const auto& sys : plan.system_binds)
      if (under(sys.target, m.sandbox_path))
        return invalid("mount target " + m.sandbox_path + " would hide the host base " +
                       sys.target);
    if (under(m.sandbox_path, "/proc") || under(m.sandbox_path, "/dev"))
      return invalid("mount target " + m.sandbox_path + " is reserved");
    SBX_ASSIGN_OR_RETURN(struct stat st, stat_path(m.host_path, false));
    plan.user_binds.push_back({m.host_path, m.sandbox_path, m.read_only, S_ISDIR(st.st_mode)});
  }
  return {};
}

}  // namespace

// Read without iostreams (a locale and an 8 KiB buffer per stream, at every start as root).
std::optional<uint32_t> subid_start(const char* file, std::string_view user, uint32_t need) {
  Result<std::string> text = read_file(file);
  if (!text.ok()) return std::nullopt;
  auto number = [](std::string_view s, uint32_t& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
  };
  std::string_view rest = *text;
  while (!rest.empty()) {
    size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    size_t a = line.find(':');
    size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
    if (b == std::string_view::npos || line.substr(0, a) != user) continue;
    uint32_t start = 0, count = 0;
    if (number(line.substr(a + 1, b - a - 1), start) && number(line.substr(b + 1), count) &&
        count >= need && start > 0)
      return start;
  }
  return std::nullopt;
}

Result<Identity> choose_identity() {
  Identity id;
  if (geteuid() != 0) {
    id.uid = {0, geteuid(), 1};
    id.gid = {0, getegid(), 1};
    return id;
  }
  id.rootful = true;
  uint32_t uid = subid_start("/etc/subuid", "sbx", kRootfulRangeSize).value_or(kDefaultRootfulBase);
  uint32_t gid = subid_start("/etc/subgid", "sbx", kRootfulRangeSize).value_or(kDefaultRootfulBase);
  id.uid = {0, uid, kRootfulRangeSize};
  id.gid = {0, gid, kRootfulRangeSize};
  return id;
}

Status ensure_skeleton(const std::string& dir, const Identity& id) {
  if (is_directory(dir)) return {};
  std::string tmp = dir + ".tmp." + std::to_string(getpid());
  SBX_TRY(remove_tree(tmp));
  SBX_TRY(make_dirs(tmp, 0755));
  for (const char* d : kSkeletonDirs) {
    std::string p = tmp + "/" + d;
    if (mkdir(p.c_str(), 0755) != 0) return sys_error("mkdir " + p);
  }
  chmod((tmp + "/root").c_str(), 0700);
  chmod((tmp + "/tmp").c_str(), 01777);
  chmod((tmp + "/var/tmp").c_str(), 01777);
  for (const char* host : kHostDirs) {
    char target[256];
    ssize_t n = readlink(host, target, sizeof target - 1);
    if (n <= 0) continue;  // a real directory (bound at start) or absent
    target[n] = '\0';
    if (symlink(target, (tmp + host).c_str()) != 0) return sys_error("symlink " + tmp + host);
  }
  for (const char* d : kSkeletonDirs)
    if (chown((tmp + "/" + d).c_str(), id.uid.outside, id.gid.outside) != 0)
      return sys_error("chown " + tmp + "/" + d);
  for (const char* host : kHostDirs)
    if (lchown((tmp + host).c_str(), id.uid.outside, id.gid.outside) != 0 && errno != ENOENT)
      return sys_error("chown " + tmp + host);
  if (chown(tmp.c_str(), id.uid.outside, id.gid.outside) != 0) return sys_error("chown " + tmp);
  if (rename(tmp.c_str(), dir.c_str()) != 0) {
    int err = errno;
    (void)remove_tree(tmp);
    if (is_directory(dir)) return {};  // another process made it first
    return sys_error("rename " + tmp, err);
  }
  return {};
}

Result<SandboxPlan> build_plan(const RootfsRequest& req) {
  SandboxPlan plan;
  plan.identity = req.identity;
  plan.hostname = req.hostname;
  plan.workdir = req.workdir.empty() ? "/" : req.workdir;
  for (const auto& dir : req.lower_dirs) SBX_TRY(stat_path(dir, true));
  SBX_TRY(stat_path(req.upper_dir, true));
  SBX_TRY(stat_path(req.work_dir, true));
  plan.lower_dirs = req.lower_dirs;
  plan.upper_dir = req.upper_dir;
  plan.work_dir = req.work_dir;
  if (req.bind_host) {
    for (const char* host : kHostDirs)
      if (is_real_dir(host)) plan.system_binds.push_back({host, host, true, true});
    add_masks(plan);
  }
  for (const char* dev : kDevices)
    if (path_exists(std::string("/dev/") + dev)) plan.devices.emplace_back(dev);
  SBX_TRY(add_user_mounts(plan, req.mounts));
  return plan;
}

}  // namespace sbx
