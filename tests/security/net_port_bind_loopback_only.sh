#!/usr/bin/env bash
# Probe: a forwarded port (--port) listens on the host's 127.0.0.1 only: /proc/net/tcp shows
# one listener on it, bound to 127.0.0.1, none on 0.0.0.0 or ::, and the host's other address
# is refused at that port. The sandbox's own server (on 0.0.0.0 inside) is not exposed either.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../e2e/_netns.sh
source "$(dirname "$0")/../e2e/_netns.sh"
# shellcheck source=../e2e/lib.sh
source "$(dirname "$0")/../e2e/lib.sh"
# shellcheck source=../e2e/_net_probe.sh
source "$(dirname "$0")/../e2e/_net_probe.sh"

SB=$(sbx_create --port 8000 -- python3 -m http.server 8000)
hp=$(json_eval "d[0]['host_port']" "$(sbx_json tunnels "$SB" --json)")
hex=$(printf '%04X' "$hp")
listeners=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" {print $2}')
assert_eq "0100007F:$hex" "$listeners" "listeners on the forwarded port"
wait_until 30 test "$(connect_from "$SB" 127.0.0.1 8000)" != ECONNREFUSED ||
  fail "http.server did not start"
assert_eq ECONNREFUSED "$("$PY" -c "$CONNECT_PROBE" "$TEST_NET_ADDR" "$hp")" "host address at $hp"
assert_eq ECONNREFUSED "$("$PY" -c "$CONNECT_PROBE" "$TEST_NET_ADDR" 8000)" "host address at 8000"
assert_eq ECONNREFUSED "$("$PY" -c "$CONNECT_PROBE" 127.0.0.1 8000)" "host 127.0.0.1 at 8000"
