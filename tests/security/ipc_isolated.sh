#!/usr/bin/env bash
# IPC: the sandbox has its own IPC namespace: a System V shared memory segment, semaphore set
# and message queue of the host are not listed inside, and shmget of the host key fails with
# ENOENT; POSIX message queues (/dev/mqueue) are not there.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

command -v ipcmk >/dev/null || skip "ipcmk (util-linux) is missing"
key=$((0x5b000000 + RANDOM))
shm=$(ipcmk -M 4096 -p 0666 2>/dev/null | grep -o '[0-9]*$') || skip "cannot create a System V segment on this host"
at_exit ipcrm -m "$shm"
hostkey=$(ipcs -m | awk -v id="$shm" '$2 == id { print $1 }')
assert_exit 0 sbx run -- sh -c 'ipcs -m | awk '"'"'$2 ~ /^[0-9]+$/'"'"' | wc -l; ls -A /dev/mqueue 2>&1 | head -n 1'
assert_eq "0" "$(sed -n 1p <<<"$LAST_OUT")" "shared memory segments listed inside"
assert_contains "$(sed -n 2p <<<"$LAST_OUT")" "No such file" "/dev/mqueue inside"
assert_exit 0 sbx run -- python3 -c '
import ctypes, errno, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.shmget(ctypes.c_int(int(sys.argv[1], 16)), 4096, 0)
print("ok" if r >= 0 else errno.errorcode[ctypes.get_errno()])' "$hostkey"
assert_eq ENOENT "$LAST_OUT" "shmget of the host's key $hostkey"
: "$key"
