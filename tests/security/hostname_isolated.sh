#!/usr/bin/env bash
# Identity: the sandbox has its own UTS namespace: its hostname is its own, sethostname fails
# with EPERM, and the host's hostname is unchanged.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
host=$(hostname)
SB=$(sbx_create "${PROBE_MOUNT[@]}")
assert_exit 0 sbx exec "$SB" -- cat /proc/sys/kernel/hostname
assert_ne "$host" "$LAST_OUT" "the sandbox's hostname"
probe_exec "$SB" sethostname
expect EPERM "sethostname"
assert_eq "$host" "$(hostname)" "the host's hostname"
