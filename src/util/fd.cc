// Small fd helpers: pipes, complete reads and writes, SIGPIPE held off.
#include "util/fd.h"

#include <fcntl.h>
#include <sys/file.h>

namespace sbx {

SigpipeIgnored::SigpipeIgnored() {
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  restore_ = ::sigaction(SIGPIPE, &ignore, &saved_) == 0;
}

SigpipeIgnored::~SigpipeIgnored() {
  if (restore_) ::sigaction(SIGPIPE, &saved_, nullptr);
}

Result<Pipe> make_pipe(int extra_flags) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | extra_flags) != 0) return sys_error("pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Status write_all(int fd, const void* buf, size_t len) {
  const char* p = static_cast<const char*>(buf);
  while (len > 0) {
    ssize_t n = ::write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("write");
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
  return {};
}

Result<bool> read_exact(int fd, void* buf, size_t len) {
  char* p = static_cast<char*>(buf);
  size_t got = 0;
  while (got < len) {
    ssize_t n = ::read(fd, p + got, len - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("read");
    }
    if (n == 0) {
      if (got == 0) return false;
      return Error(ErrorKind::kInternal, "read: unexpected end of stream");
    }
    got += static_cast<size_t>(n);
  }
  return true;
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Status lock_fd(int fd, int how, const std::string& path) {
  while (flock(fd, how) != 0)
    if (errno != EINTR) return sys_error("lock " + path);
  return {};
}

Result<UniqueFd> lock_file(const std::string& path, int how) {
  UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return sys_error("create " + path);
  SBX_TRY(lock_fd(fd.get(), how, path));
  return fd;
}

}  // namespace sbx
