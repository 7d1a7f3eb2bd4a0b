#!/usr/bin/env bash
# Probe: abstract unix sockets belong to a network namespace, so a host one (think X11's
# @/tmp/.X11-unix/X0 or D-Bus) is unreachable from a sandbox in none and nat: connect fails
# with ECONNREFUSED. With --network host (the explicit opt-in) the same socket is reached,
# which shows the probe can tell.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../e2e/_netns.sh
source "$(dirname "$0")/../e2e/_netns.sh"
# shellcheck source=../e2e/lib.sh
source "$(dirname "$0")/../e2e/lib.sh"
# shellcheck source=../e2e/_net_probe.sh
source "$(dirname "$0")/../e2e/_net_probe.sh"

name="sbx-probe-$RANDOM$RANDOM"
ready=$TEST_TMP/ready
env -u SBX_HOME "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind("\0" + sys.argv[1]); s.listen(4)
open(sys.argv[2], "w").write("1")
while True: s.accept()[0].sendall(b"host-abstract\n")
' "$name" "$ready" &
wait_until 20 test -s "$ready" || fail "the abstract socket listener did not start"
PROBE='
import errno, socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect("\0" + sys.argv[1]); print("connected", s.recv(100).decode().strip())
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
'
assert_eq "connected host-abstract" "$("$PY" -c "$PROBE" "$name")" "host control"
modes=(none)
if why=$(nat_unusable); then note "nat left out: $why"; else modes+=(nat); fi
for mode in "${modes[@]}"; do
  assert_exit 0 sbx run --network "$mode" -- python3 -c "$PROBE" "$name"
  assert_eq ECONNREFUSED "$LAST_OUT" "host abstract socket from $mode"
done
assert_exit 0 sbx run --network host -- python3 -c "$PROBE" "$name"
assert_eq "connected host-abstract" "$LAST_OUT" "host abstract socket from host (opt-in)"
