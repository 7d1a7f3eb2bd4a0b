// What this host offers sbx, found by trying each feature (`sbx doctor`): user namespaces,
// overlayfs inside one, seccomp filters, io_uring, cgroups, the user-mode network helpers and
// subordinate id ranges. Each check says what it found and what sbx does without it. Runs in
// the parent; forks short-lived children for the checks that change process state.
#pragma once

#include <string>
#include <vector>

#include "sbx/types.h"

namespace sbx {

// Every check, in a fixed order. scratch_dir is a writable directory on the filesystem that
// holds sandbox layers (the state directory): overlayfs is tried there.
std::vector<HostCheck> probe_host(const std::string& scratch_dir);

}  // namespace sbx
