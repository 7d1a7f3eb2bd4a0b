#!/usr/bin/env bash
# Probe: with --network nat the host's loopback stays out of reach, inside a network namespace
# the probe makes (see tests/e2e/_netns.sh). Refused: the host's 127.0.0.1 and ::1 listeners
# (the sandbox's loopback is its own; pasta's -T none forwards none of the host's bound ports
# in). Never answered: the gateway address at the listener's port (pasta's --no-map-gw; without
# it that is the host's 127.0.0.1). And nothing goes the other way: a server inside on 0.0.0.0
# is not reachable from the host (pasta's -t none).
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../e2e/_netns.sh
source "$(dirname "$0")/../e2e/_netns.sh"
# shellcheck source=../e2e/lib.sh
source "$(dirname "$0")/../e2e/lib.sh"
# shellcheck source=../e2e/_net_probe.sh
source "$(dirname "$0")/../e2e/_net_probe.sh"

if why=$(nat_unusable); then skip "$why"; fi
marker="host-secret-$RANDOM$RANDOM"
start_listener 127.0.0.1 "$marker"
port=$LISTENER_PORT
SB=$(sbx_create --network nat)
assert_eq ECONNREFUSED "$(connect_from "$SB" 127.0.0.1 "$port")" "host 127.0.0.1 from nat"
assert_eq timeout "$(connect_from "$SB" "$TEST_NET_GW" "$port")" "gateway from nat"
if has_ipv6_loopback; then
  start_listener ::1 "$marker"
  v6=$(connect_from "$SB" ::1 "$LISTENER_PORT")
  [[ "$v6" == ECONNREFUSED || "$v6" == EADDRNOTAVAIL ]] ||
    fail "host ::1 from nat: expected ECONNREFUSED (or EADDRNOTAVAIL), got $v6"
fi

note "no inbound forwarding: a server inside on 0.0.0.0 is not reachable from the host"
sbx exec --detach "$SB" -- python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 18123)); s.listen(4)
while True: s.accept()[0].sendall(b"inside\n")
' >/dev/null
wait_until 30 test "$(connect_from "$SB" 127.0.0.1 18123)" == "connected inside" ||
  fail "the server inside did not start"
assert_eq ECONNREFUSED "$("$PY" -c "$CONNECT_PROBE" 127.0.0.1 18123)" "host 127.0.0.1:18123"
assert_eq ECONNREFUSED "$("$PY" -c "$CONNECT_PROBE" "$TEST_NET_ADDR" 18123)" "host address:18123"
