#!/usr/bin/env bash
# Mounts (old API): mount(2) of tmpfs, proc, a recursive bind of /, a read-write remount of
# /usr, and umount2 of /proc or of a mask (/etc/shadow) all fail with EPERM.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for p in mount_tmpfs mount_proc bind_root remount_usr_rw umount_proc umount_mask; do
  probe_exec "$SB" "$p"
  expect EPERM "$p"
done
assert_exit 0 sbx exec "$SB" -- cat /etc/shadow
assert_eq "" "$LAST_OUT" "/etc/shadow is still masked afterwards"
probe_run --policy permissive -- mount_tmpfs
expect EPERM "mount under permissive"
probe_run --policy strict -- mount_tmpfs
expect_killed_sigsys "mount under strict"
