// Reading and copying an overlayfs writable layer: what a sandbox changed relative to the layers
// below it (`sbx diff`), and a faithful copy of that layer that can serve as an image layer
// (`sbx snapshot`). Whiteouts are 0/0 character devices (or, on newer kernels, files carrying an
// overlay.whiteout xattr); opaque directories carry overlay.opaque = "y", in the user.*
// namespace (sbx mounts overlay with userxattr) or the trusted.* one. Host side only.
#pragma once

#include <string>
#include <vector>

#include "sbx/error.h"

namespace sbx {

// One changed path, as `docker diff` shows it: 'A' added (not in any lower layer), 'C' changed
// (present below; directories holding a change are listed too), 'D' deleted.
struct LayerChange {
  char kind = 'C';
  std::string path;  // absolute inside the sandbox: "/etc/hosts"
};

// The changes recorded in upper_dir over lower_dirs (top first), sorted by path with every
// directory right before its contents. A deleted directory is one 'D' line, not one per file.
Result<std::vector<LayerChange>> diff_layer(const std::string& upper_dir,
                                            const std::vector<std::string>& lower_dirs);

// Copies a writable layer to dest_dir (which must not exist; it is created with upper_dir's
// mode and ownership), keeping regular files, directories, symlinks, hardlinks, fifos,
// whiteouts, opaque markers, other user.* xattrs, modes and modification times, and ownership
// when the caller may chown (as root). overlayfs bookkeeping (origin, impure, redirect) is
// dropped: it names inodes of the old stack. A point-in-time copy: files the sandbox writes
// meanwhile may be caught half-way, as with any copy of a live filesystem.
Status copy_layer(const std::string& upper_dir, const std::string& dest_dir);

}  // namespace sbx
