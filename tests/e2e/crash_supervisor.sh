#!/usr/bin/env bash
# timeout: 240
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# SIGKILL of a sandbox's supervisor (found through inspect's supervisor_pid): the sandbox's
# processes die with it, ls stops showing it as running, inspect says end_reason "lost" (for its
# processes too), a foreground exec into it returns, and its name is free again. Done for a plain
# sandbox with a detached and a foreground exec, and for an entrypoint sandbox.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
sbx_json ls --all --json >/dev/null # sbx works at all: fail fast, not after timeouts

procs=$TEST_TMP/procs.baseline
snapshot_processes "$procs"

# crash SANDBOX BASELINE: SIGKILLs its supervisor and checks the aftermath; the sandbox's
# processes are those in other user namespaces that were not in BASELINE.
crash() {
  local sb=$1 baseline=$2 sup pids info
  sup=$(field "$sb" .supervisor_pid)
  assert_match '^[1-9][0-9]*$' "$sup" "supervisor_pid of $sb"
  pid_alive "$sup" || fail "supervisor $sup of $sb is not running before the crash"
  [[ "$sup" != "$$" ]] || fail "supervisor_pid is the test shell"
  mapfile -t pids < <(sandbox_pids "$baseline")
  ((${#pids[@]} > 0)) || fail "no process of $sb is visible in another user namespace"
  note "SIGKILL supervisor $sup of $sb (sandbox processes: ${pids[*]})"
  kill -KILL "$sup"
  wait_until 30 pid_gone "$sup" || fail "supervisor $sup survived SIGKILL"
  wait_until 30 pids_gone "${pids[@]}" ||
    fail "sandbox processes outlived their supervisor: $(describe_pids "${pids[@]}")"
  wait_until 30 is_ended "$sb" || fail "inspect does not report $sb ended after its supervisor died"
  info=$(sbx_json inspect "$sb")
  assert_eq lost "$(json_get .end_reason "$info")" "end_reason of $sb"
  assert_eq "" "$(running_ids | grep -Fx "$sb" || true)" "ls --json after the crash of $sb"
  assert_not_contains "$(sbx ls)" "$sb" "sbx ls after the crash of $sb"
}

note "a sandbox with a detached process and a foreground exec"
SB=$(sbx_create --app crash --name victim)
PR=$(sbx exec --detach "$SB" -- sleep 1000)
assert_match "^pr-$ID_CHARS\$" "$PR" "detached exec id"
fg_out=$TEST_TMP/fg.out
"$SBX" exec "$SB" -- sh -c 'echo started; sleep 1000' >"$fg_out" 2>&1 &
fg_pid=$!
wait_until 30 grep -q started "$fg_out" || fail "the foreground exec did not start: $(cat "$fg_out")"
crash "$SB" "$procs"

note "the foreground exec returns, with a failure"
wait_until 30 pid_gone "$fg_pid" || fail "sbx exec still waits on a lost sandbox"
fg_rc=0
wait "$fg_pid" || fg_rc=$?
assert_ne 0 "$fg_rc" "exit status of an exec whose sandbox was lost"

note "the detached process is recorded as lost too"
assert_exit 0 sbx poll "$PR"
assert_ne "" "$LAST_OUT" "poll of a process of a lost sandbox"
proc=$(json_eval "[p for p in d['processes'] if p['id'] == '$PR'][0]" "$(sbx_json inspect "$SB")")
assert_eq ended "$(json_get .state "$proc")" "state of the detached process"
assert_eq lost "$(json_get .end_reason "$proc")" "end_reason of the detached process"

note "wait returns, exec is refused, the name is free"
capture sbx wait "$SB"
assert_ne 0 "$LAST_RC" "exit status of wait on a lost sandbox"
assert_sbx_error sbx exec "$SB" -- true
SB_NEW=$(sbx_create --app crash --name victim)
assert_exit 0 sbx exec --app crash victim -- echo alive
assert_eq alive "$LAST_OUT" "exec in the new sandbox with the freed name"
assert_exit 0 sbx terminate "$SB_NEW"

note "an entrypoint sandbox"
procs2=$TEST_TMP/procs2.baseline
snapshot_processes "$procs2"
SB_EP=$(sbx_create --app crash -- sh -c 'echo up; sleep 1000')
wait_until 30 bash -c '[[ "$("$SBX" logs "$1")" == up ]]' _ "$SB_EP" || fail "entrypoint did not start"
crash "$SB_EP" "$procs2"

note "nothing of either sandbox is left"
assert_no_stray "$procs"
