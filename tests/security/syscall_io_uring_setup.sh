#!/usr/bin/env bash
# Syscalls that widen the kernel surface: io_uring_setup fails with EPERM inside (as with
# kernel.io_uring_disabled), so programs fall back to epoll; strict kills.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

# shellcheck disable=SC2043 # one call, written like the probes that try several
build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for p in io_uring_setup; do
  probe_exec "$SB" "$p"
  expect EPERM "$p under the default profile"
done
probe_run --policy permissive -- io_uring_setup
expect EPERM "io_uring_setup under permissive"
probe_run --policy strict -- io_uring_setup
expect_killed_sigsys "io_uring_setup under strict"
