// Credentials inside the sandbox: become uid/gid 0 of the new user namespace, then keep only
// a small capability set (bounding, effective, permitted, inheritable, ambient) and set
// no_new_privs. Runs in the child after clone().
#include "runtime/caps.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/child_steps.h"

namespace sbx {

bool is_kept_capability(int cap) {
  for (int kept : kKeptCapabilities)
    if (kept == cap) return true;
  return false;
}

}  // namespace sbx

namespace sbx::child {

int become_root() {
  if (setresgid(0, 0, 0) != 0) return errno;
  if (setresuid(0, 0, 0) != 0) return errno;
  return 0;
}

int drop_privileges() {
  // Every capability the kernel has, up to the first it does not know (EINVAL): no count read
  // from /proc/sys/kernel/cap_last_cap to trust, and none newer than sbx left in the set.
  for (int cap = 0; cap < 64; ++cap) {
    if (is_kept_capability(cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      if (errno == EINVAL) break;
      return errno;
    }
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return errno;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  for (int cap : kKeptCapabilities) {
    data[cap / 32].effective |= 1U << (cap % 32);
    data[cap / 32].permitted |= 1U << (cap % 32);
  }
  if (syscall(SYS_capset, &header, data) != 0) return errno;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
  return 0;
}

}  // namespace sbx::child
