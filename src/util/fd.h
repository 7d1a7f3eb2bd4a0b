// RAII owners for file descriptors and child processes. Every fd sbx opens is close-on-exec
// and owned by a UniqueFd; a ChildProcess is killed and reaped if it is dropped while running.
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "sbx/error.h"

namespace sbx {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

// A close-on-exec pipe (O_CLOEXEC, plus extra_flags such as O_NONBLOCK or O_DIRECT).
Result<Pipe> make_pipe(int extra_flags = 0);

// Ignores SIGPIPE for its lifetime, so that a write to a pipe whose reader is gone fails with
// EPIPE instead of killing the process. Process-wide: not for threaded code. Scoped, because
// programs exec'd later would inherit an ignored SIGPIPE (pasta, for one, then fails).
class SigpipeIgnored {
 public:
  SigpipeIgnored();
  ~SigpipeIgnored();
  SigpipeIgnored(const SigpipeIgnored&) = delete;
  SigpipeIgnored& operator=(const SigpipeIgnored&) = delete;

 private:
  struct sigaction saved_ = {};
  bool restore_ = false;
};

// Writes all of buf, retrying on EINTR and short writes.
Status write_all(int fd, const void* buf, size_t len);
inline Status write_all(int fd, const std::string& s) { return write_all(fd, s.data(), s.size()); }
// Reads exactly len bytes; returns false (not an error) on EOF before the first byte.
Result<bool> read_exact(int fd, void* buf, size_t len);
// flock(fd, how), retried on EINTR; a failure names path.
Status lock_fd(int fd, int how, const std::string& path);
// The lock file at path (made, mode 0600, if missing; its directory must exist), locked with
// flock(how): held until the descriptor is closed.
Result<UniqueFd> lock_file(const std::string& path, int how);

// The "/proc/self/fd/N" path of an fd: reaches a directory opened in the parent from a child
// whose own credentials could not walk the path to it.
std::string fd_path(int fd);

}  // namespace sbx
