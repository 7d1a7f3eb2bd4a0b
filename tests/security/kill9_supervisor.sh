#!/usr/bin/env bash
# kill -9 of sbx itself: SIGKILL of a sandbox's supervisor kills every process of the sandbox,
# including one that double-forked, called setsid and ignores SIGTERM/SIGHUP; the sandbox is
# recorded ended/lost and nothing stays mounted under the state directory.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

baseline=$TEST_TMP/baseline
snapshot_processes "$baseline"
SB=$(sbx_create)
assert_exit 0 sbx exec "$SB" -- sh -c 'setsid sh -c "trap \"\" TERM HUP; (trap \"\" TERM HUP; exec sleep 300) & exit 0" </dev/null >/dev/null 2>&1 & sleep 0.5; echo started'
assert_eq started "$LAST_OUT" "the daemon started"
wait_until 20 eval '[[ -n "$(sandbox_pids "$baseline")" ]]' || fail "no sandboxed process found from the host"
sup=$(field "$SB" .supervisor_pid)
[[ "$sup" =~ ^[0-9]+$ ]] || fail "no supervisor pid: $sup"
kill -KILL "$sup"
if ! wait_until 30 eval '[[ -z "$(sandbox_pids "$baseline")" ]]'; then
  mapfile -t left < <(sandbox_pids "$baseline")
  fail "sandboxed processes survived their supervisor:
$(describe_pids "${left[@]}")"
fi
wait_until 30 is_ended "$SB" || fail "the sandbox is still $(sandbox_state "$SB")"
assert_eq lost "$(field "$SB" .end_reason)" "end reason"
assert_no_stray "$baseline"
mounts=$(awk -v h="$SBX_HOME" 'index($5, h) == 1' /proc/self/mountinfo)
assert_eq "" "$mounts" "mounts left under the state directory"
