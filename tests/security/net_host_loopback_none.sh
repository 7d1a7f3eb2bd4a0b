#!/usr/bin/env bash
# Probe: with --network none (the default) the host's loopback is out of reach. Listeners on
# the host's 127.0.0.1 and ::1 are refused from inside (the sandbox's own loopback has nothing
# there), and the host's other addresses are unreachable (no route), for an entrypoint, an
# exec and `sbx run` alike.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../e2e/lib.sh
source "$(dirname "$0")/../e2e/lib.sh"
# shellcheck source=../e2e/_net_probe.sh
source "$(dirname "$0")/../e2e/_net_probe.sh"

marker="host-secret-$RANDOM$RANDOM"
start_listener 127.0.0.1 "$marker"
port=$LISTENER_PORT
assert_eq "connected $marker" "$("$PY" -c "$CONNECT_PROBE" 127.0.0.1 "$port")" "host control"

SB=$(sbx_create)
assert_eq ECONNREFUSED "$(connect_from "$SB" 127.0.0.1 "$port")" "host 127.0.0.1 from exec"
assert_exit 0 sbx run -- python3 -c "$CONNECT_PROBE" 127.0.0.1 "$port"
assert_eq ECONNREFUSED "$LAST_OUT" "host 127.0.0.1 from run"
# shellcheck disable=SC2016  # expanded by the sandbox's sh
out=$(sbx run -- sh -c 'python3 -c "$0" "$@"; true' "$CONNECT_PROBE" 127.0.0.1 "$port")
assert_eq ECONNREFUSED "$out" "host 127.0.0.1 from an entrypoint's child"

if has_ipv6_loopback; then
  start_listener ::1 "$marker"
  assert_eq "connected $marker" "$("$PY" -c "$CONNECT_PROBE" ::1 "$LISTENER_PORT")" "v6 control"
  v6=$(connect_from "$SB" ::1 "$LISTENER_PORT")
  [[ "$v6" == ECONNREFUSED || "$v6" == EADDRNOTAVAIL ]] ||
    fail "host ::1 from none: expected ECONNREFUSED (or EADDRNOTAVAIL without IPv6), got $v6"
else
  note "no IPv6 loopback on the host: that check is left out"
fi
host_addr=$(hostname -I 2>/dev/null | awk '{print $1}')
if [[ -n "$host_addr" && "$host_addr" != 127.* && "$host_addr" != *:* ]]; then
  assert_eq ENETUNREACH "$(connect_from "$SB" "$host_addr" "$port")" "host address $host_addr"
else
  note "no non-loopback IPv4 host address: that check is left out"
fi
