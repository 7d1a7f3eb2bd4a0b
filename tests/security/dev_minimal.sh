#!/usr/bin/env bash
# Devices: /dev holds only null, zero, full, random, urandom, tty, a new devpts, shm and the
# fd links; no disk, memory or kernel-log device exists (ENOENT), and mknod fails with EPERM.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
assert_exit 0 sbx exec "$SB" -- sh -c 'ls -A /dev | sort | tr "\n" " "'
assert_eq "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero " "$LAST_OUT" "/dev entries"
for d in /dev/mem /dev/kmem /dev/port /dev/kmsg /dev/sda /dev/vda /dev/nvme0n1 /dev/fuse /dev/net/tun; do
  probe_exec "$SB" open_read "$d"
  expect ENOENT "open $d"
done
probe_exec "$SB" mknod
expect EPERM "mknod of a character device"
assert_exit 0 sbx exec "$SB" -- sh -c 'awk '"'"'$5 == "/dev/pts" { print $9, $NF }'"'"' /proc/self/mountinfo'
assert_match '^devpts .*ptmxmode=0?666' "$LAST_OUT" "/dev/pts is a new devpts instance"
