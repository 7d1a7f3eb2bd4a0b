#!/usr/bin/env bash
# Syscalls that widen the kernel surface: personality flags that weaken memory protections
# (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, MMAP_PAGE_ZERO, ADDR_COMPAT_LAYOUT) fail with EPERM, also
# hidden behind high bits; the harmless personas (PER_LINUX, PER_LINUX32, the query) work.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for flag in 0x0040000 0x0400000 0x0100000 0x0200000 0x100040000; do
  probe_exec "$SB" personality "$flag"
  expect EPERM "personality($flag)"
done
for flag in 0 0x8 0xffffffff; do
  probe_exec "$SB" personality "$flag"
  expect ok "personality($flag)"
done
