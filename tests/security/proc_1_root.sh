#!/usr/bin/env bash
# The view of /proc: pid 1 (sbx-init, a copy of sbx) is not dumpable, so its root, cwd, exe,
# environ, mem, fd, maps and ns entries fail with EACCES: no way back to the host root or to
# the sbx binary through it.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for f in root cwd exe; do
  probe_exec "$SB" readlink "/proc/1/$f"
  expect EACCES "readlink /proc/1/$f"
done
for f in root/etc/hostname environ mem maps fd/3 exe; do
  probe_exec "$SB" open_read "/proc/1/$f"
  expect EACCES "open /proc/1/$f"
done
probe_exec "$SB" open_read /proc/1/fd
expect EACCES "open /proc/1/fd"
