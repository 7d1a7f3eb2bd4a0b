#!/usr/bin/env bash
# Syscalls that widen the kernel surface: kernel modules, kexec, reboot and swap act on the
# whole host: each fails with EPERM (default, permissive); strict kills.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for p in init_module finit_module delete_module kexec_load kexec_file_load reboot swapoff; do
  probe_exec "$SB" "$p"
  expect EPERM "$p under the default profile"
done
probe_run --policy permissive -- init_module
expect EPERM "init_module under permissive"
probe_run --policy strict -- init_module
expect_killed_sigsys "init_module under strict"
