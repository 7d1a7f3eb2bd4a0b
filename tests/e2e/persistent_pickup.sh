#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# The store is the only link between sbx calls: a sandbox created by one process (which then
# exits) is found by name and id from other, unrelated processes (own sessions, fresh
# environments); state written by one exec is seen by the next; wait/poll from another process
# see ends caused by yet another.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# elsewhere CMD: runs the shell command CMD in a new session with a minimal environment (only
# what sbx needs: PATH, HOME, SBX, SBX_HOME), bounded in time. Prints its stdout; returns its status.
elsewhere() {
  timeout -k 5 "$SBX_CALL_TIMEOUT" setsid env -i PATH="$PATH" HOME="${HOME:-/}" SBX="$SBX" \
    SBX_HOME="$SBX_HOME" bash -c "$1" </dev/null
}

note "create in one process, which exits"
id_file=$TEST_TMP/id
elsewhere '"$SBX" create --app pickup --name keeper' >"$id_file"
SB=$(cat "$id_file")
assert_match "^sb-$ID_CHARS\$" "$SB" "id printed by the first process"

note "exec by name and by id from other processes"
out=$(elsewhere '"$SBX" exec keeper --app pickup -- sh -c "echo state-1 >/state; cat /state"')
assert_eq state-1 "$out" "exec by name from a second process"
out=$(elsewhere "\"\$SBX\" exec $SB -- cat /state")
assert_eq state-1 "$out" "exec by id from a third process sees the file the second wrote"
out=$(elsewhere '"$SBX" ls --app pickup --json')
assert_eq "$SB" "$(json_eval '" ".join(s["id"] for s in d)' "$out")" "ls from another process"

note "a detached process started by one process, waited on by another"
PR=$(elsewhere '"$SBX" exec --detach --app pickup keeper -- sh -c "sleep 2; exit 9"')
assert_match "^pr-$ID_CHARS\$" "$PR" "detached exec from another process"
out=$(elsewhere "\"\$SBX\" poll $PR")
assert_eq "" "$out" "poll from another process while it runs"
rc=0
elsewhere "\"\$SBX\" wait $PR" || rc=$?
assert_eq 9 "$rc" "wait from another process"
assert_eq 9 "$(elsewhere "\"\$SBX\" poll $PR")" "poll from yet another process"

note "wait started in one process returns when another terminates the sandbox"
elsewhere "\"\$SBX\" wait --app pickup keeper" >/dev/null &
waiter=$!
sleep 1
pid_alive "$waiter" || fail "wait returned while the sandbox was still running"
rc=0
elsewhere "\"\$SBX\" terminate $SB" || rc=$?
assert_eq 0 "$rc" "terminate from another process"
wait_until 30 pid_gone "$waiter" || fail "wait did not return after another process terminated the sandbox"
rc=0
wait "$waiter" || rc=$?
assert_eq 137 "$rc" "exit status of the waiting process"
assert_eq 137 "$(elsewhere "\"\$SBX\" poll $SB")" "poll from another process after terminate"
assert_eq terminated "$(field "$SB" .end_reason)" "end_reason seen here"
