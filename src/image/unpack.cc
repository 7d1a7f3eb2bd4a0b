// GNU tar inside a user namespace with the sandbox identity's id map, so that the archive's
// owners land shifted into the identity's range without a pass of chown over every file. The
// child opens nothing by path after it has left the caller's namespace: its stdin is the
// archive and its working directory the destination, both opened by the caller.
#include "image/unpack.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "runtime/runtime.h"
#include "util/fd.h"

namespace sbx {

namespace {

// tar's option for the compression that the archive's first bytes show ("" when plain).
const char* compression_flag(int fd) {
  unsigned char head[6] = {};
  ssize_t n = pread(fd, head, sizeof head, 0);
  if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b) return "--gzip";
  if (n >= 6 && head[0] == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X')
    return "--xz";
  if (n >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') return "--bzip2";
  if (n >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
    return "--zstd";
  return "";
}

std::string read_all_from_start(int fd) {
  std::string text;
  char buf[4096];
  lseek(fd, 0, SEEK_SET);
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  return text;
}

// The last line of tar's complaints, trimmed, for an error message.
std::string last_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  size_t nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

[[noreturn]] void exec_tar_in_userns(int tar_fd, int dest_fd, int err_fd, int sync_w, int ack_r,
                                     const std::vector<std::string>& args) {
  char ok = 0;
  if (unshare(CLONE_NEWUSER) != 0) _exit(120);
  if (write(sync_w, "u", 1) != 1 || read(ack_r, &ok, 1) != 1) _exit(121);
  if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) _exit(122);
  if (fchdir(dest_fd) != 0) _exit(123);
  if (dup2(tar_fd, 0) < 0 || dup2(err_fd, 1) < 0 || dup2(err_fd, 2) < 0) _exit(124);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv("/usr/bin/tar", argv.data());
  execv("/bin/tar", argv.data());
  _exit(127);
}

Status run_tar(int tar_fd, const std::string& dest_dir, const Identity& identity,
               const std::vector<std::string>& args) {
  UniqueFd dest(open(dest_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dest) return sys_error("open " + dest_dir);
  UniqueFd err(memfd_create("sbx-tar-err", MFD_CLOEXEC));
  if (!err) return sys_error("memfd_create");
  SBX_ASSIGN_OR_RETURN(Pipe sync, make_pipe());
  SBX_ASSIGN_OR_RETURN(Pipe ack, make_pipe());
  pid_t pid = fork();
  if (pid < 0) return sys_error("fork");
  if (pid == 0)
    exec_tar_in_userns(tar_fd, dest.get(), err.get(), sync.write.get(), ack.read.get(), args);
  sync.write.reset();
  char c = 0;
  Status maps = read(sync.read.get(), &c, 1) == 1 ? write_id_maps(pid, identity)
                                                  : internal("tar's user namespace failed");
  if (maps.ok()) (void)write_all(ack.write.get(), "a");
  ack.write.reset();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  SBX_TRY(maps);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  std::string why = last_line(read_all_from_start(err.get()));
  if (why.empty()) why = "tar failed (status " + std::to_string(status) + ")";
  return Error(ErrorKind::kInvalidArgument, why);
}

std::vector<std::string> tar_args(const Identity& identity, const char* compression) {
  std::vector<std::string> args = {"tar",
                                   "--extract",
                                   "--file=-",
                                   "--numeric-owner",
                                   "--preserve-permissions",
                                   "--exclude=./dev/*",
                                   "--exclude=dev/*"};
  // Rootless, the namespace maps one id: every file stays the caller's (root inside).
  args.push_back(identity.uid.count > 1 ? "--same-owner" : "--no-same-owner");
  if (*compression != '\0') args.emplace_back(compression);
  return args;
}

}  // namespace

Status unpack_tar(int tar_fd, const std::string& dest_dir, const Identity& identity) {
  return run_tar(tar_fd, dest_dir, identity, tar_args(identity, compression_flag(tar_fd)));
}

Status unpack_dir(const std::string& dir, const std::string& dest_dir, const Identity& identity) {
  SBX_ASSIGN_OR_RETURN(Pipe stream, make_pipe());
  pid_t pid = fork();
  if (pid < 0) return sys_error("fork");
  if (pid == 0) {
    dup2(stream.write.get(), 1);
    execl("/usr/bin/tar", "tar", "--create", "--file=-", "--numeric-owner", "--one-file-system",
          "-C", dir.c_str(), ".", static_cast<char*>(nullptr));
    _exit(127);
  }
  stream.write.reset();
  Status s = run_tar(stream.read.get(), dest_dir, identity, tar_args(identity, ""));
  stream.read.reset();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  SBX_TRY(s);
  if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)  // 1: files changed while read
    return internal("tar could not read " + dir);
  return {};
}

}  // namespace sbx
