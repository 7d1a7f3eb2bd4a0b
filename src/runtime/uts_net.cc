// The sandbox's own hostname and loopback interface, set inside its new UTS and network
// namespaces. Runs in the child after clone().
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/child_steps.h"

namespace sbx::child {

int set_hostname(const SandboxPlan& plan) {
  return sethostname(plan.hostname.data(), plan.hostname.size()) != 0 ? errno : 0;
}

int bring_up_loopback() {
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return errno;
  ifreq req{};
  std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
  int err = 0;
  if (ioctl(sock, SIOCGIFFLAGS, &req) != 0) err = errno;
  req.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (err == 0 && ioctl(sock, SIOCSIFFLAGS, &req) != 0) err = errno;
  close(sock);
  return err;
}

}  // namespace sbx::child
