#!/usr/bin/env bash
# Syscalls that widen the kernel surface: bpf(BPF_PROG_LOAD) fails with EPERM (default,
# permissive) and kills under strict.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

# shellcheck disable=SC2043 # one call, written like the probes that try several
build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for p in bpf; do
  probe_exec "$SB" "$p"
  expect EPERM "$p under the default profile"
done
probe_run --policy permissive -- bpf
expect EPERM "bpf under permissive"
probe_run --policy strict -- bpf
expect_killed_sigsys "bpf under strict"
