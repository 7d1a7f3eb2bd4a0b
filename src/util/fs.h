// Filesystem helpers on the host side (never used inside a sandbox): directories with exact
// modes, whole-tree removal that survives modes a sandbox may have set, small file I/O.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "sbx/error.h"

namespace sbx {

// mkdir -p; directories it creates get `mode` (the umask does not apply).
Status make_dirs(const std::string& path, mode_t mode);
// rm -rf that also removes trees whose directories were made unreadable (chmod 000) inside a
// sandbox, and never follows symlinks or crosses into other mounts. A missing path is fine.
Status remove_tree(const std::string& path);
// remove_tree in steps: at most `budget` unlinks and rmdirs, taken from it. Returns whether
// path is gone; if not, a later call goes on where this one stopped.
Result<bool> remove_tree_some(const std::string& path, int& budget);
Result<std::string> read_file(const std::string& path);
// The names in the directory open at dirfd ("." and ".." aside), read with getdents64 in small
// batches on the stack: readdir() would take (and free, trimming the heap) a 32 KiB buffer.
Result<std::vector<std::string>> dir_names(int dirfd);
// Writes via a temporary file and rename, with the given mode.
Status write_file_atomic(const std::string& path, const std::string& data, mode_t mode);
bool path_exists(const std::string& path);
bool is_directory(const std::string& path);
// The absolute, symlink-free form of an existing path.
Result<std::string> real_path(const std::string& path);

}  // namespace sbx
