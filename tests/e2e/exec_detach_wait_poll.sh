#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# exec --detach prints a pr- id at once; poll prints nothing while a process or sandbox runs and
# its return code after; wait exits with the return code; logs shows a detached process's output.
# Also wait/poll of entrypoint sandboxes (exit code, signal) and of a terminated sandbox.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

SB=$(sbx_create)

note "exec --detach returns a pr- id while the command runs"
assert_exit 0 sbx exec --detach "$SB" -- sh -c 'echo started; sleep 3; echo done; echo oops >&2; exit 5'
PR=$LAST_OUT
assert_match "^pr-$ID_CHARS\$" "$PR" "exec --detach output"
assert_exit 0 sbx poll "$PR"
assert_eq "" "$LAST_OUT" "poll of a running process prints nothing"
assert_exit 0 sbx poll "$SB"
assert_eq "" "$LAST_OUT" "poll of a running sandbox prints nothing"

note "wait exits with the process's return code; poll then prints it"
assert_exit 5 sbx wait "$PR"
assert_exit 0 sbx poll "$PR"
assert_eq 5 "$LAST_OUT" "poll of an ended process"
assert_exit 0 sbx logs "$PR"
assert_eq "started
done" "$LAST_OUT" "logs of a detached process: stdout"
assert_eq oops "$LAST_ERR" "logs of a detached process: stderr"
info=$(sbx_json inspect "$SB")
proc=$(json_eval "[p for p in d['processes'] if p['id'] == '$PR'][0]" "$info")
assert_eq ended "$(json_get .state "$proc")" "inspect: state of the detached process"
assert_eq 5 "$(json_get .returncode "$proc")" "inspect: returncode of the detached process"
assert_eq exit "$(json_get .end_reason "$proc")" "inspect: end_reason of the detached process"
assert_eq running "$(json_get .state "$info")" "the sandbox runs on after its process ended"

note "logs -f of a detached process follows it to its end"
assert_exit 0 sbx exec --detach "$SB" -- sh -c 'for i in 1 2 3; do echo $i; sleep 0.5; done'
PR2=$LAST_OUT
assert_exit 0 sbx logs -f "$PR2"
assert_eq "1
2
3" "$LAST_OUT" "logs -f of a detached process"
assert_exit 0 sbx poll "$PR2"
assert_eq 0 "$LAST_OUT" "poll after logs -f returned"

note "a detached process ends with its sandbox"
assert_exit 0 sbx exec --detach "$SB" -- sleep 600
PR3=$LAST_OUT
assert_exit 0 sbx terminate "$SB"
assert_exit 137 sbx wait "$SB"
assert_exit 0 sbx poll "$SB"
assert_eq 137 "$LAST_OUT" "poll of a terminated sandbox"
assert_exit 137 sbx wait "$PR3"
info=$(sbx_json inspect "$SB")
proc=$(json_eval "[p for p in d['processes'] if p['id'] == '$PR3'][0]" "$info")
assert_eq ended "$(json_get .state "$proc")" "state of a detached process after terminate"
assert_match '^(terminated|signal)$' "$(json_get .end_reason "$proc")" \
  "end_reason of a detached process after terminate"

note "an entrypoint's exit code"
SB2=$(sbx_create -- sh -c 'sleep 1; exit 3')
assert_exit 3 sbx wait "$SB2"
assert_exit 0 sbx poll "$SB2"
assert_eq 3 "$LAST_OUT" "poll of an entrypoint that exited 3"
assert_eq exit "$(field "$SB2" .end_reason)" "end_reason of an entrypoint that exited 3"
assert_eq 3 "$(field "$SB2" .returncode)" "returncode of an entrypoint that exited 3"
assert_eq '["sh","-c","sleep 1; exit 3"]' "$(field "$SB2" .command)" "inspect .command"

note "an entrypoint killed by a signal"
SB3=$(sbx_create -- sh -c 'sleep 1; kill -9 $$')
assert_exit 137 sbx wait "$SB3"
assert_eq signal "$(field "$SB3" .end_reason)" "end_reason of an entrypoint killed by SIGKILL"
assert_eq 137 "$(field "$SB3" .returncode)" "returncode of an entrypoint killed by SIGKILL"

note "wait on an ended sandbox returns at once, again and again"
assert_exit 3 sbx wait "$SB2"
assert_exit 3 sbx wait "$SB2"
