// debian-slim and local bases. The debian-slim tarball is built by mmdebstrap (as root in its
// root mode; rootless in unshare mode when the user has subordinate ids, else in fakechroot
// mode) from the first bookworm mirror of the host's apt sources, and cached where several
// SBX_HOMEs can share it. Every base is then unpacked per identity by image/unpack.
#include "image/debian_base.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <deque>
#include <fstream>
#include <sstream>
#include <vector>

#include "image/unpack.h"
#include "util/fd.h"
#include "util/fnv1a.h"
#include "util/fs.h"

namespace sbx {

namespace {

constexpr const char* kSuite = "bookworm";
constexpr const char* kDefaultMirror = "http://deb.debian.org/debian";
// Bumped whenever the package set or the options below change, so old tarballs are not reused.
constexpr const char* kRecipeVersion = "v1";

std::vector<std::string> mmdebstrap_args(const std::string& mode, const std::string& out,
                                         const std::string& mirror) {
  return {"mmdebstrap",
          "--mode=" + mode,
          "--variant=apt",
          "--format=tar",
          "--include=python3,python3-pip,python3-venv,ca-certificates",
          "--dpkgopt=path-exclude=/usr/share/doc/*",
          "--dpkgopt=path-include=/usr/share/doc/*/copyright",
          "--dpkgopt=path-exclude=/usr/share/man/*",
          "--dpkgopt=path-exclude=/usr/share/info/*",
          "--dpkgopt=path-exclude=/usr/share/locale/*",
          kSuite,
          out,
          mirror};
}

std::string debian_arch() {
  utsname u{};
  uname(&u);
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  if (m.size() == 4 && m[0] == 'i' && m.substr(2) == "86") return "i386";
  return m;
}

// An executable named `name` on $PATH, or "".
std::string find_program(const std::string& name) {
  const char* path = getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':'))
    if (!dir.empty() && access((dir + "/" + name).c_str(), X_OK) == 0) return dir + "/" + name;
  return "";
}

bool has_subids(const char* file, const std::string& user, uid_t uid) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::string name = line.substr(0, line.find(':'));
    if (!name.empty() && (name == user || name == std::to_string(uid))) return true;
  }
  return false;
}

// The name /etc/subuid would give the caller under: its /etc/passwd entry, else its uid. Read
// by hand rather than by getpwuid(): sbx is linked statically, and glibc's NSS would dlopen the
// modules of whatever glibc the host has now. A user known only to LDAP or the like is matched
// by uid (has_subids accepts either).
std::string user_name() {
  std::ifstream in("/etc/passwd");
  const std::string uid = std::to_string(geteuid());
  std::string line;
  while (std::getline(in, line)) {
    size_t name_end = line.find(':');
    size_t pw_end = name_end == std::string::npos ? name_end : line.find(':', name_end + 1);
    if (pw_end == std::string::npos) continue;
    size_t uid_end = line.find(':', pw_end + 1);
    if (uid_end == std::string::npos) continue;
    if (line.compare(pw_end + 1, uid_end - pw_end - 1, uid) == 0 && name_end > 0)
      return line.substr(0, name_end);
  }
  return uid;
}

// mmdebstrap's mode for this caller, or an error naming what the machine lacks.
Result<std::string> build_mode() {
  if (find_program("mmdebstrap").empty())
    return Error(ErrorKind::kUnsupported,
                 "building debian-slim needs mmdebstrap, which is not installed "
                 "(apt-get install mmdebstrap)");
  if (geteuid() == 0) return std::string("root");
  std::string user = user_name();
  bool subids = has_subids("/etc/subuid", user, geteuid()) &&
                has_subids("/etc/subgid", user, geteuid()) && !find_program("newuidmap").empty();
  if (subids) return std::string("unshare");
  if (!find_program("fakechroot").empty() && !find_program("fakeroot").empty())
    return std::string("fakechroot");
  return Error(ErrorKind::kUnsupported,
               "cannot build debian-slim without root: user " + user +
                   " has no subordinate ids in /etc/subuid and /etc/subgid (for mmdebstrap "
                   "--mode=unshare) and fakechroot or fakeroot is not installed (for "
                   "--mode=fakechroot); add one of them, or set SBX_BASE_CACHE to a directory "
                   "holding a debian-slim tarball built by root");
}

// The first mirror of the host's apt sources that serves bookworm itself.
std::string host_mirror() {
  if (const char* m = getenv("SBX_DEBIAN_MIRROR"); m != nullptr && *m != '\0') return m;
  std::vector<std::string> files = {"/etc/apt/sources.list"};
  if (DIR* d = opendir("/etc/apt/sources.list.d")) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.ends_with(".list") || n.ends_with(".sources"))
        files.push_back("/etc/apt/sources.list.d/" + n);
    }
    closedir(d);
  }
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line, uris;
    while (std::getline(in, line)) {
      std::istringstream words(line);
      std::string w, uri;
      std::vector<std::string> ws;
      while (words >> w) ws.push_back(w);
      if (ws.empty()) uris.clear();  // a blank line ends a deb822 stanza
      if (ws.size() >= 2 && ws[0] == "URIs:") uris = ws[1];
      if (ws.size() >= 2 && ws[0] == "Suites:" && !uris.empty())
        for (size_t i = 1; i < ws.size(); ++i)
          if (ws[i] == kSuite) return uris;
      if (ws.size() >= 3 && ws[0] == "deb") {  // one-line form: deb [opts] URI SUITE ...
        size_t i = 1;
        while (i < ws.size() && ws[i].front() == '[' && ws[i].back() != ']') ++i;
        if (i < ws.size() && ws[i].front() == '[') ++i;
        if (i + 1 < ws.size() && ws[i + 1] == kSuite) return ws[i];
      }
    }
  }
  return kDefaultMirror;
}

// An exclusive lock on `path` (created if need be; read-only is enough to lock a file someone
// else made, as in a shared cache).
Result<UniqueFd> take_lock(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) fd.reset(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return sys_error("open lock " + path);
  SBX_TRY(lock_fd(fd.get(), LOCK_EX, path));
  return fd;
}

// Runs argv with stdout and stderr passed line by line to log; on failure, an error with its
// last lines. The child dies with us, so a killed sbx does not leave a build running.
Status run_logged(const std::vector<std::string>& argv, const BaseLog& log) {
  SBX_ASSIGN_OR_RETURN(Pipe out, make_pipe());
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return sys_error("fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out.write.get(), 1);
    dup2(out.write.get(), 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  out.write.reset();
  std::deque<std::string> tail;
  std::string pending;
  char buf[4096];
  ssize_t n;
  while ((n = read(out.read.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    pending.append(buf, static_cast<size_t>(std::max<ssize_t>(n, 0)));
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
      std::string line = pending.substr(0, nl);
      log(line);
      tail.push_back(line);
      if (tail.size() > 5) tail.pop_front();
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  std::string last;
  for (const auto& l : tail) last += (last.empty() ? "" : " | ") + l;
  return internal(argv[0] + " failed (status " + std::to_string(status) + "): " + last);
}

Status build_tarball(const std::string& tarball, const BaseLog& log) {
  std::string dir = tarball.substr(0, tarball.rfind('/'));
  SBX_TRY(make_dirs(dir, 0755));
  SBX_ASSIGN_OR_RETURN(UniqueFd lock, take_lock(tarball + ".lock"));
  if (path_exists(tarball)) return {};  // another process built it while we waited
  SBX_ASSIGN_OR_RETURN(std::string mode, build_mode());
  std::string mirror = host_mirror();
  std::string tmp = tarball + ".partial.tar";
  SBX_TRY(remove_tree(tmp));  // left by a killed build
  log("building debian-slim (Debian " + std::string(kSuite) + " from " + mirror +
      ", mmdebstrap --mode=" + mode + "); this takes a few minutes, once");
  Status built = run_logged(mmdebstrap_args(mode, tmp, mirror), log);
  if (!built.ok()) {
    (void)remove_tree(tmp);
    return std::move(built).error().context("build debian-slim");
  }
  if (chmod(tmp.c_str(), 0644) != 0 || rename(tmp.c_str(), tarball.c_str()) != 0)
    return sys_error("publish " + tarball);
  return {};
}

bool has_shell(const std::string& root) {
  UniqueFd dir(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT;
  UniqueFd sh(static_cast<int>(syscall(SYS_openat2, dir.get(), "bin/sh", &how, sizeof how)));
  return dir && sh;
}

// final_dir once, filled by fill(tmp) into a temporary directory owned by the identity's root,
// checked and renamed; under a lock, so racing callers fill it once.
Result<std::string> ensure_unpacked(const std::string& home, const Identity& id,
                                    const std::string& final_dir, const std::string& what,
                                    const std::function<Status(const std::string&)>& fill) {
  if (is_directory(final_dir)) return final_dir;
  SBX_TRY(make_dirs(home + "/base", 0700));
  SBX_ASSIGN_OR_RETURN(UniqueFd lock, take_lock(final_dir + ".lock"));
  if (is_directory(final_dir)) return final_dir;
  std::string tmp = final_dir + ".partial";
  SBX_TRY(remove_tree(tmp));  // left by a killed unpack
  if (mkdir(tmp.c_str(), 0755) != 0) return sys_error("mkdir " + tmp);
  if (chown(tmp.c_str(), id.uid.outside, id.gid.outside) != 0) return sys_error("chown " + tmp);
  Status s = fill(tmp);
  if (s.ok() && !has_shell(tmp)) s = invalid(what + " has no /bin/sh: it is not a root filesystem");
  if (s.ok() && rename(tmp.c_str(), final_dir.c_str()) != 0) s = sys_error("rename " + tmp);
  if (!s.ok()) {
    (void)remove_tree(tmp);
    return std::move(s).error();
  }
  return final_dir;
}

std::string hex64(uint64_t v) {
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::string base_cache_dir(const std::string& home) {
  const char* shared = getenv("SBX_BASE_CACHE");
  return shared != nullptr && *shared != '\0' ? std::string(shared) : home + "/cache";
}

Result<std::string> ensure_debian_slim(const std::string& home, const Identity& identity,
                                       const BaseLog& log) {
  std::string tarball = base_cache_dir(home) + "/debian-slim-" + kSuite + "-" + debian_arch() +
                        "-" + kRecipeVersion + ".tar";
  if (!path_exists(tarball)) SBX_TRY(build_tarball(tarball, log));
  std::string dir = home + "/base/debian-slim-" + std::to_string(identity.uid.outside);
  return ensure_unpacked(home, identity, dir, "debian-slim", [&](const std::string& tmp) {
    UniqueFd fd(open(tarball.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return Status(sys_error("open " + tarball));
    log("unpacking debian-slim for uid " + std::to_string(identity.uid.outside));
    Status s = unpack_tar(fd.get(), tmp, identity);
    return s.ok() ? s : Status(std::move(s).error().context("unpack " + tarball));
  });
}

Result<std::string> import_rootfs(const std::string& home, const Identity& identity,
                                  const std::string& dir_or_tarball, const BaseLog& /*log*/) {
  std::string what = "base '" + dir_or_tarball + "'";
  if (!path_exists(dir_or_tarball)) return invalid(what + " does not exist");
  SBX_ASSIGN_OR_RETURN(std::string real, real_path(dir_or_tarball));
  struct stat st;
  if (stat(real.c_str(), &st) != 0) return sys_error("stat " + real);
  bool dir = S_ISDIR(st.st_mode);
  if (!dir && !S_ISREG(st.st_mode))
    return invalid(what + " is neither a directory nor a tar archive");
  std::string key = real + "\n" + std::to_string(st.st_ino) + "\n" + std::to_string(st.st_size) +
                    "\n" + std::to_string(st.st_mtim.tv_sec) + "." +
                    std::to_string(st.st_mtim.tv_nsec);
  std::string final_dir =
      home + "/base/import-" + hex64(fnv1a(key)) + "-" + std::to_string(identity.uid.outside);
  return ensure_unpacked(home, identity, final_dir, what, [&](const std::string& tmp) {
    if (dir) return unpack_dir(real, tmp, identity);
    UniqueFd fd(open(real.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return Status(sys_error("open " + real));
    Status s = unpack_tar(fd.get(), tmp, identity);
    return s.ok() ? s
                  : Status(invalid(what + " is not a usable tar archive: " + s.error().message()));
  });
}

}  // namespace sbx
