// Host-side helpers of a sandbox's network namespace: pasta, which gives `--network nat` its
// outbound connectivity, and a socket maker, a tiny process living in the sandbox's user and
// network namespaces that hands the supervisor fresh TCP sockets there (for --port). Both are
// children of the caller, run with the sandbox's unprivileged identity rather than the caller's,
// die with the caller (PR_SET_PDEATHSIG) and are killed and reaped when dropped.
#pragma once

#include <sys/types.h>

#include <string>

#include "sbx/error.h"
#include "util/fd.h"

namespace sbx {

// A helper child process: SIGKILLed and reaped on destruction or stop().
class HelperProcess {
 public:
  HelperProcess() = default;
  HelperProcess(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  HelperProcess(HelperProcess&& o) noexcept;
  HelperProcess& operator=(HelperProcess&& o) noexcept;
  ~HelperProcess() { stop(); }

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  void stop();

 private:
  pid_t pid_ = -1;
  UniqueFd pidfd_;
};

// Starts pasta on the sandbox's network namespace and returns once it has configured it (an
// interface with the host's addresses, a default route). Outbound TCP, UDP and ICMP only: no
// port of the host is forwarded in (-t/-u none), none of the namespace out (-T/-U none), and the
// gateway is not mapped to the host's loopback (--no-map-gw). log_path receives pasta's output.
Result<HelperProcess> start_pasta(int userns, int netns, const std::string& log_path);

// Why --network nat cannot work for this caller on this host ("" when it can): pasta missing,
// or (rootless) /dev/net/tun not open to this user.
std::string nat_unavailable_reason();

// A process in the sandbox's network namespace that makes sockets on request.
class NetnsSocketMaker {
 public:
  static Result<NetnsSocketMaker> start(int userns, int netns);
  // A new non-blocking, close-on-exec TCP/IPv4 socket belonging to the sandbox's namespace.
  Result<UniqueFd> tcp_socket();

 private:
  HelperProcess proc_;
  UniqueFd chan_;
};

}  // namespace sbx
