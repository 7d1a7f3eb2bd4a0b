#!/usr/bin/env bash
# cgroup release_agent: no cgroup filesystem is visible (no release_agent file anywhere under
# /sys or /proc), mounting cgroup v1 or v2 fails with EPERM, and so does a new cgroup namespace.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
assert_exit 0 sbx exec "$SB" -- sh -c 'find /sys /proc -maxdepth 4 -name release_agent 2>/dev/null | head -n 1; awk '"'"'$9 ~ /^cgroup/ { print $5 }'"'"' /proc/self/mountinfo'
assert_eq "" "$LAST_OUT" "release_agent files or cgroup mounts visible"
probe_exec "$SB" open_write /sys/fs/cgroup/release_agent
expect ENOENT "open /sys/fs/cgroup/release_agent"
probe_exec "$SB" mount_cgroup
expect EPERM "mount a cgroup v1 hierarchy"
probe_exec "$SB" mount_cgroup2
expect EPERM "mount cgroup2"
probe_exec "$SB" unshare_cgroup
expect EPERM "unshare(CLONE_NEWCGROUP)"
