// The capabilities a sandbox's root keeps: enough to own and chmod its files, switch among its
// own uids, signal its processes and bind low ports in its own network namespace. All of them
// act only inside the sandbox's user namespace. Everything else is dropped from every set.
#pragma once

#include <linux/capability.h>

namespace sbx {

inline constexpr int kKeptCapabilities[] = {
    CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID,
    CAP_KILL,  CAP_SETGID,       CAP_SETUID, CAP_NET_BIND_SERVICE,
};

bool is_kept_capability(int cap);

}  // namespace sbx
