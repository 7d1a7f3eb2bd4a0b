#!/usr/bin/env bash
# Syscalls that widen the kernel surface: ptrace of pid 1 (sbx-init), of an own child, and
# PTRACE_TRACEME, and process_vm_readv of pid 1 fail with EPERM (default, permissive); strict
# kills.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for p in ptrace_pid1 ptrace_child ptrace_traceme process_vm_readv; do
  probe_exec "$SB" "$p"
  expect EPERM "$p under the default profile"
done
probe_run --policy permissive -- ptrace_pid1
expect EPERM "ptrace_pid1 under permissive"
probe_run --policy strict -- ptrace_pid1
expect_killed_sigsys "ptrace_pid1 under strict"
