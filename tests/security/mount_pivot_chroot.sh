#!/usr/bin/env bash
# Mounts: pivot_root fails with EPERM (seccomp) and chroot with EPERM (no CAP_SYS_CHROOT), so
# no process can change its root and climb out with "..": "/../.." is "/".
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
probe_exec "$SB" pivot_root
expect EPERM "pivot_root"
probe_exec "$SB" chroot
expect EPERM "chroot"
probe_exec "$SB" dotdot
expect same "/../../.. is /"
