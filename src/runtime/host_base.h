// The "host" base: a sandbox root made of a small skeleton directory (the overlay's lowest
// layer) with the host's /usr, /etc and friends bound read-only on top, sensitive files masked,
// and a minimal /dev. Also the identity a sandbox gets. Runs in the parent; host side only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/plan.h"
#include "sbx/error.h"
#include "sbx/types.h"

namespace sbx {

// Rootless: the sandbox's root is the caller's uid/gid (one id). As real root: the range named
// for user "sbx" in /etc/subuid and /etc/subgid, else kDefaultRootfulBase..+65535 — never 0.
inline constexpr uint32_t kDefaultRootfulBase = 0x70000000;
inline constexpr uint32_t kRootfulRangeSize = 65536;
Result<Identity> choose_identity();

// The start of the first range of at least `need` ids that file (/etc/subuid or /etc/subgid,
// "user:start:count" lines) gives user; lines that do not parse are skipped.
std::optional<uint32_t> subid_start(const char* file, std::string_view user, uint32_t need);

// Creates (once, atomically) the skeleton directory for this identity: the top-level
// directories and the host's merged-/usr symlinks, owned by the sandbox's root.
Status ensure_skeleton(const std::string& dir, const Identity& id);

// What the engine asks of a sandbox's filesystem. With bind_host (the host base), the host's
// /usr, /etc, ... are bound read-only over the overlay and sensitive files masked; without it
// (an image on its own root filesystem) the overlay alone is the root.
struct RootfsRequest {
  Identity identity;
  std::string hostname;
  std::vector<std::string> lower_dirs;  // top first; the skeleton (or the base rootfs) last
  std::string upper_dir;                // must exist, owned by the sandbox's root
  std::string work_dir;
  std::vector<MountSpec> mounts;  // host sources must exist
  std::string workdir = "/";
  bool bind_host = true;
};

// Opens every source and fills the plan. Fails with a clear error for a missing mount source
// or a target that would shadow the host base itself.
Result<SandboxPlan> build_plan(const RootfsRequest& req);

}  // namespace sbx
