#!/usr/bin/env bash
# Syscalls that widen the kernel surface: open_by_handle_at (the "shocker" escape, which opens
# host files by inode handle) and name_to_handle_at fail with EPERM; strict kills.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for p in open_by_handle_at name_to_handle_at; do
  probe_exec "$SB" "$p"
  expect EPERM "$p under the default profile"
done
probe_run --policy strict -- open_by_handle_at
expect_killed_sigsys "open_by_handle_at under strict"
