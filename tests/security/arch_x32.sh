#!/usr/bin/env bash
# Foreign architectures: an x32 system call (getpid with __X32_SYSCALL_BIT) kills the process
# with SIGSYS under every shipped profile, whether or not the kernel has x32 support.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

[[ "$(uname -m)" == x86_64 ]] || skip "the x32 ABI probe is for x86_64 hosts (this is $(uname -m))"
build_probe
for policy in default strict permissive; do
  probe_run --policy "$policy" -- x32
  expect_killed_sigsys "x32 getpid under $policy"
done
