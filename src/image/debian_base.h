// Bases other than the host: the debian-slim root filesystem (built once with debootstrap or
// mmdebstrap and cached per identity) and local root filesystems (a directory or a tarball)
// imported for use as an image's bottom layer. Both return the path of a ready rootfs directory
// owned by the identity's root. Host side only.
//
// NOTE (branch `images`): this header is the interface agreed with branch `images-base`, which
// owns the real implementation; debian_base.cc here is a stand-in (see its header).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "runtime/plan.h"
#include "sbx/error.h"

namespace sbx {

using BaseLog = std::function<void(std::string_view)>;

// The debian-slim rootfs for this identity, made on first use and cached under home.
Result<std::string> ensure_debian_slim(const std::string& home, const Identity& identity,
                                       const BaseLog& log);

// A local root filesystem (a directory, or a tar archive, optionally compressed) made ready as
// a base for this identity: copied under home, owned by the identity's root. Cached: importing
// the same source again returns at once.
Result<std::string> import_rootfs(const std::string& home, const Identity& identity,
                                  const std::string& dir_or_tarball, const BaseLog& log);

}  // namespace sbx
