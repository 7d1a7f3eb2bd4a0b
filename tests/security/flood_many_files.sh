#!/usr/bin/env bash
# shellcheck disable=SC2016  # sandbox commands are single-quoted on purpose
# Millions of empty files under --disk 16m: creation fails with ENOSPC at the disk layer's inode
# cap (one per 4 KiB: 4096), long before millions; nothing lands in the state directory on the host; the
# sandbox, a bystander sandbox and the host are unaffected.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/_flood_lib.sh"

bystander_create
SB=$(sbx_create --disk 16m)
before=$(used_kb)
assert_exit 0 sbx exec --timeout 120 "$SB" -- python3 -c '
import errno, os
os.makedirs("/many")
n = 0
try:
    while n < 2000000:
        open("/many/%d" % n, "w").close()
        n += 1
except OSError as e:
    print(n, errno.errorcode[e.errno])
'
read -r made err <<<"$LAST_OUT"
assert_eq ENOSPC "$err" "the error past the inode cap"
((made > 1000 && made <= 4096)) || fail "$made files made under --disk 16m"
after=$(used_kb)
((after - before < 8 * 1024)) || fail "the state directory on the host grew by $((after - before)) KiB"
assert_exit 0 sbx exec "$SB" -- sh -c 'rm -r /many && echo ok >/tmp/x && cat /tmp/x'
assert_eq ok "$LAST_OUT" "a file after the flood was removed"
host_responsive
bystander_check
