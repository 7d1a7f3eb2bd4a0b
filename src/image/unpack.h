// Unpacking a root filesystem tar stream with the ownership a sandbox identity needs: GNU tar
// runs as root of a fresh user namespace that maps the identity's range (as real root: uid 0
// of the archive becomes 0x70000000, ...; rootless: everything becomes the caller's, which is
// root inside). Host side only; forks, so call it from a single-threaded process.
#pragma once

#include <string>

#include "runtime/plan.h"
#include "sbx/error.h"

namespace sbx {

// Extracts the tar archive read from tar_fd (plain, gzip, xz, bzip2 or zstd, told by its first
// bytes) into dest_dir, which must exist, be empty and be owned by the identity's root. Device
// nodes under /dev are skipped (a sandbox gets its own /dev). The error carries tar's message.
Status unpack_tar(int tar_fd, const std::string& dest_dir, const Identity& identity);

// Streams directory `dir` as a tar archive (numeric owners) into unpack_tar.
Status unpack_dir(const std::string& dir, const std::string& dest_dir, const Identity& identity);

}  // namespace sbx
