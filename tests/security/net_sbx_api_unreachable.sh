#!/usr/bin/env bash
# Probe: nothing of sbx's own is reachable from inside, in none and nat. sbx has no HTTP API
# yet: a listener on the host's 127.0.0.1 stands in for it and must be refused. The
# supervisors' control sockets live in the state directory, which is not visible inside, and no
# unix socket of the host's network namespace (abstract or not) shows in /proc/net/unix.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../e2e/_netns.sh
source "$(dirname "$0")/../e2e/_netns.sh"
# shellcheck source=../e2e/lib.sh
source "$(dirname "$0")/../e2e/lib.sh"
# shellcheck source=../e2e/_net_probe.sh
source "$(dirname "$0")/../e2e/_net_probe.sh"

start_listener 127.0.0.1 "sbx-api-stand-in"
api_port=$LISTENER_PORT
modes=(none)
if why=$(nat_unusable); then note "nat left out: $why"; else modes+=(nat); fi
for mode in "${modes[@]}"; do
  note "network $mode"
  SB=$(sbx_create --network "$mode")
  assert_eq ECONNREFUSED "$(connect_from "$SB" 127.0.0.1 "$api_port")" "API stand-in from $mode"
  assert_exit 1 sbx exec "$SB" -- test -e "$SBX_HOME"
  sock=$( (find "$SBX_HOME" -type s 2>/dev/null || true) | head -n 1)  # (work/work is 000)
  [[ -n "$sock" ]] || fail "no supervisor control socket found under SBX_HOME"
  assert_exit 1 sbx exec "$SB" -- test -e "$sock"
  unix=$(sbx exec "$SB" -- cat /proc/net/unix)
  assert_not_contains "$unix" "$SBX_HOME" "/proc/net/unix inside ($mode)"
  sbx terminate "$SB" >/dev/null
done
