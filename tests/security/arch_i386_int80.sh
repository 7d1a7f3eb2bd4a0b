#!/usr/bin/env bash
# Foreign architectures: an i386 system call (int $0x80 from 64-bit code, which the kernel
# would run through the 32-bit table) kills the process with SIGSYS under every shipped profile,
# and prints nothing.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

[[ "$(uname -m)" == x86_64 ]] || skip "the i386 ABI probe is for x86_64 hosts (this is $(uname -m))"
build_probe
capture "$PROBE_DIR/probe" int80
if ((LAST_RC == 139)); then
  skip "this kernel runs no i386 system calls (int \$0x80 is SIGSEGV on the host itself: no IA32 emulation), so there is nothing for seccomp to stop"
fi
assert_match '^returned ' "$LAST_OUT" "int 0x80 on the host, outside any sandbox (exit $LAST_RC)"
for policy in default strict permissive; do
  probe_run --policy "$policy" -- int80
  expect_killed_sigsys "int 0x80 under $policy"
done
