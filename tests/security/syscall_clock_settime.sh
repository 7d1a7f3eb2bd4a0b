#!/usr/bin/env bash
# Syscalls that widen the kernel surface: the clock is shared with the host, so settimeofday
# and clock_settime fail with EPERM; strict kills.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for p in settimeofday clock_settime; do
  probe_exec "$SB" "$p"
  expect EPERM "$p under the default profile"
done
probe_run --policy permissive -- settimeofday
expect EPERM "settimeofday under permissive"
probe_run --policy strict -- settimeofday
expect_killed_sigsys "settimeofday under strict"
