#!/usr/bin/env bash
# The three network modes, in a network namespace the scenario makes (_netns.sh: its dummy
# interface and dead-end default route stand for the host's network). none: only lo, the host's
# 127.0.0.1 listener refused, every other address unreachable. host: the warning, the host's
# interfaces, the host's 127.0.0.1 listener reached. nat: an interface with the host's address
# and a default route, the host's 127.0.0.1 listener refused, the gateway not mapped to the
# host's loopback, pasta running as the sandbox's uid (never root) and gone after terminate.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_netns.sh
source "$(dirname "$0")/_netns.sh"
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=_net_probe.sh
source "$(dirname "$0")/_net_probe.sh"

baseline=$TEST_TMP/baseline
snapshot_processes "$baseline"
marker="host-loopback-$RANDOM$RANDOM"
start_listener 127.0.0.1 "$marker"
port=$LISTENER_PORT
assert_eq "connected $marker" "$("$PY" -c "$CONNECT_PROBE" 127.0.0.1 "$port")" \
  "the listener answers on the host"

note "none (the default): loopback only"
SB=$(sbx_create)
assert_eq none "$(field "$SB" .network)" "default network mode"
assert_eq "lo 127.0.0.1" "$(sbx exec "$SB" -- python3 -c "$IFACES_PROBE")" "interfaces in none"
assert_eq ECONNREFUSED "$(connect_from "$SB" 127.0.0.1 "$port")" "host's 127.0.0.1 from none"
assert_eq ENETUNREACH "$(connect_from "$SB" "$TEST_NET_ADDR" "$port")" "host address from none"
assert_eq ENETUNREACH "$(connect_from "$SB" "$TEST_NET_GW" "$port")" "gateway from none"
sbx terminate "$SB" >/dev/null

note "host: a warning, and the host's own network"
assert_exit 0 sbx run --network host -- python3 -c "$IFACES_PROBE"
assert_contains "$LAST_ERR" "sbx: warning: --network host" "warning on stderr"
assert_contains "$LAST_OUT" "d0 $TEST_NET_ADDR" "the host's interface seen in host mode"
assert_contains "$LAST_OUT" "default d0" "the host's default route seen in host mode"
assert_exit 0 sbx run --network host -- python3 -c "$CONNECT_PROBE" 127.0.0.1 "$port"
assert_eq "connected $marker" "$LAST_OUT" "host's 127.0.0.1 reached from host mode"
assert_exit 0 sbx run --network host --port 8000 -- true
assert_contains "$LAST_ERR" "--port is ignored with --network host" "--port with host"

note "bad modes"
assert_sbx_error sbx create --network bridge
assert_contains "$LAST_ERR" "'bridge'" "message names the mode"
assert_no_stray "$baseline"

note "nat: outbound through pasta, never the host's loopback"
if why=$(nat_unusable); then
  note "nat left out: $why"
  if command -v pasta >/dev/null; then
    assert_sbx_error sbx create --network nat
    assert_contains "$LAST_ERR" "/dev/net/tun" "the reason nat cannot work"
  fi
  assert_no_stray "$baseline"
  exit 0
fi
SB=$(sbx_create --network nat)
assert_eq nat "$(field "$SB" .network)" "network in inspect"
ifaces=$(sbx exec "$SB" -- python3 -c "$IFACES_PROBE")
assert_contains "$ifaces" "lo 127.0.0.1" "loopback in nat"
assert_eq "d0 $TEST_NET_ADDR" "$(grep '^d0 ' <<<"$ifaces")" "pasta's interface has the host's address"
assert_contains "$ifaces" "default d0" "default route in nat"
assert_eq ECONNREFUSED "$(connect_from "$SB" 127.0.0.1 "$port")" "host's 127.0.0.1 from nat"
# Without --no-map-gw pasta would connect this to the host's 127.0.0.1:port: here the SYN goes
# out of the test namespace's dummy interface and is never answered.
assert_eq timeout "$(connect_from "$SB" "$TEST_NET_GW" "$port")" "gateway from nat"
# The host's own address is the sandbox's own in nat: nothing listens there.
assert_eq ECONNREFUSED "$(connect_from "$SB" "$TEST_NET_ADDR" "$port")" "host address from nat"
pasta=$(pasta_of "$SB")
[[ "$pasta" =~ ^[0-9]+$ ]] || fail "no single pasta child of the supervisor: $(show "$pasta")"
pasta_uid=$(awk '/^Uid:/{print $2}' "/proc/$pasta/status")
sandbox_uid=$(sbx exec "$SB" -- cat /proc/self/uid_map | awk '{print $2}')
assert_eq "$sandbox_uid" "$pasta_uid" "pasta runs as the sandbox's host uid"
if is_root; then
  assert_ne 0 "$pasta_uid" "pasta's host uid (sbx as root)"
  assert_eq "0" "$(awk '/^Groups:/{print NF - 1}' "/proc/$pasta/status")" "pasta's groups as root"
  assert_ne "$(readlink /proc/self/ns/user)" "$(readlink "/proc/$pasta/ns/user")" "pasta's userns"
fi
sbx terminate "$SB" >/dev/null
pid_gone "$pasta" || fail "pasta ($pasta) still runs after terminate"
assert_exit 0 sbx run --network nat -- python3 -c "$CONNECT_PROBE" 127.0.0.1 "$port"
assert_eq ECONNREFUSED "$LAST_OUT" "host's 127.0.0.1 from run --network nat"

assert_no_stray "$baseline"
