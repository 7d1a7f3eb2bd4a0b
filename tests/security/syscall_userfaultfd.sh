#!/usr/bin/env bash
# Syscalls that widen the kernel surface: userfaultfd (a race-widening tool of many kernel
# exploits) fails with EPERM; strict kills.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

# shellcheck disable=SC2043 # one call, written like the probes that try several
build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for p in userfaultfd; do
  probe_exec "$SB" "$p"
  expect EPERM "$p under the default profile"
done
probe_run --policy permissive -- userfaultfd
expect EPERM "userfaultfd under permissive"
probe_run --policy strict -- userfaultfd
expect_killed_sigsys "userfaultfd under strict"
