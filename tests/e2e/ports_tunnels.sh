#!/usr/bin/env bash
# --port and `sbx tunnels`, with the http.server example: `create --port 8000 -- python3 -m
# http.server 8000` (network none: still loopback only inside); `tunnels` (text, --json, and
# inspect) shows 8000 -> 127.0.0.1:HOSTPORT; the host gets the directory listing and a 2 MiB
# file byte-exact through it, 8 requests at once; a port nothing listens on inside closes the
# connection; two sandboxes get different host ports; a nat sandbox forwards too; after
# terminate the host port is closed and tunnels is empty; bad --port values are refused (125,
# one message, nothing created).
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_netns.sh
source "$(dirname "$0")/_netns.sh"
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=_net_probe.sh
source "$(dirname "$0")/_net_probe.sh"

# get URL [OUT]: the body of an HTTP GET from the host (into OUT if given), or exit 1.
get() {
  "$PY" -c '
import sys, urllib.request
body = urllib.request.urlopen(sys.argv[1], timeout=10).read()
(open(sys.argv[2], "wb") if len(sys.argv) > 2 else sys.stdout.buffer).write(body)
' "$@"
}

# host_port SANDBOX CONTAINER_PORT: the host port of that tunnel, from `sbx tunnels --json`.
host_port() {
  json_eval "[t['host_port'] for t in d if t['container_port'] == $2][0]" \
    "$(sbx_json tunnels "$1" --json)"
}

baseline=$TEST_TMP/baseline
snapshot_processes "$baseline"

note "the http.server example"
SB=$(sbx_create --port 8000 -- python3 -m http.server 8000)
tunnels=$(sbx tunnels "$SB")
assert_match '^8000 -> 127\.0\.0\.1:[0-9]+$' "$tunnels" "sbx tunnels"
hp=${tunnels##*:}
assert_eq "$hp" "$(host_port "$SB" 8000)" "tunnels --json"
assert_eq "[[8000,\"127.0.0.1\",$hp]]" \
  "$(json_eval "[(t['container_port'], t['host_address'], t['host_port']) for t in d['tunnels']]" \
    "$(sbx_json inspect "$SB")")" "inspect tunnels"
wait_until 30 get "http://127.0.0.1:$hp/" >/dev/null 2>&1 || fail "no answer through the tunnel"
listing=$(get "http://127.0.0.1:$hp/")
assert_contains "$listing" "Directory listing for /" "the directory listing through the tunnel"
assert_contains "$listing" "usr/" "the listing shows the sandbox's /"
assert_eq "lo 127.0.0.1" "$(sbx exec "$SB" -- python3 -c "$IFACES_PROBE")" \
  "--port leaves network none loopback-only"

note "a 2 MiB file, byte-exact, and 8 requests at once"
sbx exec "$SB" -- python3 -c 'import os; open("/big.bin", "wb").write(os.urandom(2 << 20))'
inside_sum=$(sbx exec "$SB" -- sha256sum /big.bin | cut -d' ' -f1)
get "http://127.0.0.1:$hp/big.bin" "$TEST_TMP/big.bin"
assert_eq "$inside_sum" "$(sha256sum "$TEST_TMP/big.bin" | cut -d' ' -f1)" "file through tunnel"
pids=()
for i in 1 2 3 4 5 6 7 8; do
  get "http://127.0.0.1:$hp/big.bin" "$TEST_TMP/par.$i" &
  pids+=($!)
done
for pid in "${pids[@]}"; do
  wait "$pid" || fail "a parallel download failed"
done
for i in 1 2 3 4 5 6 7 8; do
  assert_eq "$inside_sum" "$(sha256sum "$TEST_TMP/par.$i" | cut -d' ' -f1)" "parallel download $i"
done

note "two sandboxes, the same container port: different host ports"
mode2=nat
if why=$(nat_unusable); then
  note "the second sandbox uses none: $why"
  mode2=none
fi
SB2=$(sbx_create --network "$mode2" --port 8000 --port 9000 -- python3 -m http.server 8000)
hp2=$(host_port "$SB2" 8000)
hp9=$(host_port "$SB2" 9000)
assert_ne "$hp" "$hp2" "host ports of two sandboxes"
wait_until 30 get "http://127.0.0.1:$hp2/" >/dev/null 2>&1 || fail "no answer from the $mode2 sandbox"
assert_contains "$(get "http://127.0.0.1:$hp2/")" "Directory listing for /" "$mode2 sandbox"
assert_exit 0 "$PY" -c "$CONNECT_PROBE" 127.0.0.1 "$hp9"
assert_eq "connected" "$LAST_OUT" "nothing listens on 9000 inside: accepted, then closed"

note "after terminate the port is closed"
sbx terminate "$SB" >/dev/null
assert_eq ECONNREFUSED "$("$PY" -c "$CONNECT_PROBE" 127.0.0.1 "$hp")" "host port after terminate"
assert_eq "" "$(sbx tunnels "$SB")" "tunnels of an ended sandbox"
assert_eq "[]" "$(sbx_json tunnels "$SB" --json)" "tunnels --json of an ended sandbox"
sbx terminate "$SB2" >/dev/null
assert_eq ECONNREFUSED "$("$PY" -c "$CONNECT_PROBE" 127.0.0.1 "$hp2")" "$mode2 host port after terminate"

note "bad --port values"
before=$(sbx_json ls --all --json)
for bad in 0 65536 abc -1 8000x ''; do
  assert_sbx_error sbx create --port "$bad"
  assert_contains "$LAST_ERR" "--port" "message for --port $(show "$bad")"
done
assert_sbx_error sbx create --port 8000 --port 8000
assert_contains "$LAST_ERR" "twice" "duplicate --port"
assert_sbx_error sbx run --port 70000 -- true
assert_eq "$before" "$(sbx_json ls --all --json)" "nothing created by bad --port"
assert_sbx_error sbx tunnels sb-nonexistent000000000000000
assert_no_stray "$baseline"
