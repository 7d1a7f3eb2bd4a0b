// Root filesystem bases other than the host's: `debian-slim` (a minimal Debian bookworm with
// python3, pip and venv, made once with mmdebstrap from the host's Debian mirror) and any local
// root filesystem directory or tarball. Each is unpacked once per sandbox identity into
// $SBX_HOME/base/, with its owners shifted into the identity's range, and then serves as the
// lowest overlay layer. Building and unpacking are atomic (a temporary name renamed when
// complete) and locked, so racing callers build once and a killed build leaves nothing that
// looks complete. Host side only; forks, so call from a single-threaded process.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "runtime/plan.h"
#include "sbx/error.h"

namespace sbx {

using BaseLog = std::function<void(std::string_view)>;

// The name `sbx create --image` knows debian-slim by.
inline constexpr const char* kDebianSlim = "debian-slim";

// Where the debian-slim tarball is cached: $SBX_BASE_CACHE if set (shared by every SBX_HOME,
// as the test runner does), else $SBX_HOME/cache.
std::string base_cache_dir(const std::string& home);

// The rootfs directory of debian-slim for this identity, building the tarball first when the
// cache has none (minutes; progress lines go to log). Rootless, building needs either
// /etc/subuid and /etc/subgid ranges for the user (mmdebstrap --mode=unshare) or fakechroot and
// fakeroot; without both the error says what is missing. A tarball already in the cache needs
// neither.
Result<std::string> ensure_debian_slim(const std::string& home, const Identity& identity,
                                       const BaseLog& log);

// The rootfs directory of a local base: a root filesystem directory or a tar archive (plain or
// compressed), copied once per (path, inode, size, mtime) and identity. Refused clearly when it
// is neither, or when it has no /bin/sh. Quiet (log is for slower bases).
Result<std::string> import_rootfs(const std::string& home, const Identity& identity,
                                  const std::string& dir_or_tarball, const BaseLog& log);

}  // namespace sbx
