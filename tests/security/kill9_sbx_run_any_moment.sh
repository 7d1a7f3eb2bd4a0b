#!/usr/bin/env bash
# kill -9 of sbx itself at any moment: `sbx run` (a one-shot whose command would run for a
# minute) killed with SIGKILL 0 to 1.5 s after it starts, 8 times: once settled, no sandbox of
# the store is running or creating, no sandboxed process is left, nothing stays mounted under the
# state directory, and the store still works.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

# timeout: 240
baseline=$TEST_TMP/baseline
snapshot_processes "$baseline"
for delay in 0 0.05 0.1 0.2 0.4 0.7 1.0 1.5; do
  "$SBX" run -- sleep 60 >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
settled() {
  local live
  live=$(json_eval 'len([s for s in d if s["state"] in ("creating", "running")])' "$(sbx_json ls --all --json)")
  [[ "$live" == 0 ]]
}
wait_until 60 settled || fail "sandboxes still live after their sbx run was killed: $(sbx ls --all --json)"
assert_no_stray "$baseline"
mounts=$(awk -v h="$SBX_HOME" 'index($5, h) == 1' /proc/self/mountinfo)
assert_eq "" "$mounts" "mounts left under the state directory"
assert_exit 0 sbx run -- echo alive
assert_eq alive "$LAST_OUT" "the store still works"
