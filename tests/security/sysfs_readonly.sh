#!/usr/bin/env bash
# sysfs: no sysfs is mounted inside (/sys holds no kernel, class, devices or fs), and mounting
# one fails with EPERM.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
assert_exit 0 sbx exec "$SB" -- sh -c 'awk '"'"'$9 == "sysfs" { print $5 }'"'"' /proc/self/mountinfo; ls -A /sys'
assert_eq "" "$LAST_OUT" "sysfs mounts and /sys entries"
for p in /sys/kernel/uevent_helper /sys/fs/cgroup /sys/class/net /sys/firmware; do
  probe_exec "$SB" open_read "$p"
  expect ENOENT "open $p"
done
probe_exec "$SB" mount_sysfs
expect EPERM "mount sysfs"
