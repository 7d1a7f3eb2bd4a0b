// A sandbox plan: everything the sandbox's setup needs, resolved and checked in the parent
// before clone(), so that the child only replays it. Sources are absolute host paths: the child
// opens them itself, inside its own mount namespace (overlayfs and open_tree refuse mounts of
// another namespace), before it takes the sandbox's identity.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "runtime/seccomp.h"

namespace sbx {

// One line of uid_map / gid_map.
struct IdRange {
  uint32_t inside = 0;
  uint32_t outside = 0;
  uint32_t count = 1;
};

struct Identity {
  IdRange uid;
  IdRange gid;
  bool rootful = false;  // sbx runs as real root: the range is an unprivileged one
};

// A bind mount: a host source, a target path inside the sandbox.
struct BindPlan {
  std::string source;
  std::string target;
  bool read_only = true;
  bool is_dir = true;
};

struct MaskPlan {
  std::string target;  // path inside the sandbox
  bool is_dir = false;
};

// One rlimit every process of the sandbox gets (soft and hard; never above the current hard).
struct RlimitSetting {
  int resource = 0;
  uint64_t value = 0;
};

struct SandboxPlan {
  Identity identity;
  std::string hostname;
  bool host_network = false;  // share the host's network namespace (--network host)
  // Helpers outside the sandbox will join its network namespace (pasta, forwarded ports):
  // start_sandbox then opens its user and network namespaces for them (SandboxProcess).
  bool network_helpers = false;
  // The root: an overlay of lower_dirs (top first) under a writable upper/work pair.
  std::vector<std::string> lower_dirs;
  std::string upper_dir;
  std::string work_dir;
  // The upper is thrown away when the sandbox ends: overlayfs need not sync it, not even when
  // it is unmounted (mount option "volatile"; without it, that unmount syncs the whole
  // filesystem holding upper_dir). Off for an image build step, whose upper becomes a layer.
  bool volatile_upper = false;
  std::vector<BindPlan> system_binds;  // the host base: /usr, /etc, ... read-only
  std::vector<MaskPlan> masks;         // sensitive host files hidden inside system binds
  std::vector<BindPlan> user_binds;    // --mount
  std::vector<std::string> devices;    // names under the host's /dev bound into the new /dev
  std::string workdir = "/";           // created if missing
  std::string tmp_size = "1g";         // tmpfs size= for /tmp
  std::string tmp_inodes = "256k";     // tmpfs nr_inodes= for /tmp (one per 4 KiB)
  std::string shm_size = "64m";        // tmpfs size= for /dev/shm
  SeccompProgram seccomp;              // loaded last, before every execve in the sandbox
  std::vector<RlimitSetting> rlimits;  // applied before every execve in the sandbox
  // --disk: when > 0, upper/work (and /tmp) live on one tmpfs of this many bytes, mounted by
  // the child; upper_dir/work_dir are then unused. Its root goes to the supervisor.
  int64_t disk_bytes = 0;
};

}  // namespace sbx
