#!/usr/bin/env bash
# Syscalls that widen the kernel surface: clone3 (whose flags seccomp cannot read) fails with
# ENOSYS so that libc falls back to clone, under every shipped profile; threads and fork work.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
for policy in default strict permissive; do
  probe_run --policy "$policy" -- clone3
  expect ENOSYS "clone3 under $policy"
done
probe_run -- fork
expect ok "fork under default"
assert_exit 0 sbx run -- python3 -c 'import threading; t = threading.Thread(target=print, args=("thread",)); t.start(); t.join()'
assert_eq thread "$LAST_OUT" "threads still start"
