#!/usr/bin/env bash
# shellcheck disable=SC2016  # sandbox commands are single-quoted on purpose
# Filling the disk under --disk 16m: writes to the root and to /tmp fail with ENOSPC once the
# two together hold 16 MiB; the state directory on the host grows by far less than what
# was written; deleting frees the space; a bystander sandbox and the host are unaffected.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/_flood_lib.sh"

bystander_create
SB=$(sbx_create --disk 16m)
before=$(used_kb)
assert_exit 1 sbx exec "$SB" -- sh -c 'dd if=/dev/zero of=/big bs=1M count=64 2>&1'
assert_contains "$LAST_OUT" "No space left on device" "dd into the root"
assert_exit 1 sbx exec "$SB" -- sh -c 'dd if=/dev/zero of=/tmp/big bs=1M count=64 2>&1'
assert_contains "$LAST_OUT" "No space left on device" "dd into /tmp (the same 16 MiB)"
assert_exit 0 sbx exec "$SB" -- sh -c 'cat /big /tmp/big | wc -c'
((LAST_OUT <= 16 << 20)) || fail "the sandbox holds $LAST_OUT bytes under --disk 16m"
after=$(used_kb)
((after - before < 8 * 1024)) || fail "the state directory on the host grew by $((after - before)) KiB"
assert_exit 0 sbx exec "$SB" -- sh -c 'rm /big /tmp/big && head -c 1048576 /dev/zero >/ok && wc -c </ok'
assert_eq 1048576 "$LAST_OUT" "a write after freeing space"
host_responsive
bystander_check
