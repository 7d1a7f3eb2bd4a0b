#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# The first lines of the tour: app create, create (returns once running), exec of python3,
# terminate (return code 137, end_reason terminated), and what ls / inspect / exec say after.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

procs=$TEST_TMP/procs.baseline
snapshot_processes "$procs"

assert_exit 0 sbx app create my-app
assert_match "^ap-$ID_CHARS\$" "$LAST_OUT" "sbx app create my-app"

note "create returns the id once the sandbox is running"
SB=$(sbx_create --app my-app)
info=$(sbx_json inspect "$SB")
assert_eq "$SB" "$(json_get .id "$info")" "inspect .id"
assert_eq running "$(json_get .state "$info")" "state right after create returned"
assert_eq my-app "$(json_get .app "$info")" "inspect .app"
assert_eq 300 "$(json_get .timeout "$info")" "default timeout"
assert_eq null "$(json_get .returncode "$info")" "returncode while running"
assert_eq null "$(json_get .ended_at "$info")" "ended_at while running"
assert_eq "[]" "$(json_get .processes "$info")" "processes before any exec"
supervisor=$(json_get .supervisor_pid "$info")
assert_match '^[1-9][0-9]*$' "$supervisor" "supervisor_pid"
pid_alive "$supervisor" || fail "supervisor $supervisor is not running"
assert_eq "$SB" "$(running_ids)" "sbx ls --json while running"
assert_contains "$(sbx ls)" "$SB" "sbx ls while running"

note "exec"
assert_exit 0 sbx exec "$SB" -- python3 -c "print('hello')"
assert_eq hello "$LAST_OUT" "exec python3 stdout"
assert_eq "" "$LAST_ERR" "exec python3 stderr"
assert_exit 0 sbx exec "$SB" -- printf '%s|' 'two words' '$HOME' '*' ';' ''
assert_eq "two words|\$HOME|*|;||" "$LAST_OUT" "argv is passed exactly, without a shell"
processes=$(field "$SB" .processes)
assert_eq 2 "$(json_eval 'len(d)' "$processes")" "processes after two execs"
assert_eq "ended ended" "$(json_eval '" ".join(p["state"] for p in d)' "$processes")" \
  "process states"
assert_eq "0 0" "$(json_eval '" ".join(str(p["returncode"]) for p in d)' "$processes")" \
  "process return codes"
assert_eq "exit exit" "$(json_eval '" ".join(p["end_reason"] for p in d)' "$processes")" \
  "process end reasons"
json_eval 'all(re.fullmatch("pr-[A-Za-z0-9]{24}", p["id"]) for p in d)' "$processes" |
  grep -qx true || fail "process ids are not pr- ids: $processes"

note "create --json"
json=$(sbx_json create --app my-app --json)
SB2=$(json_get .id "$json")
assert_match "^sb-$ID_CHARS\$" "$SB2" "create --json .id"
assert_eq running "$(json_get .state "$json")" "create --json .state"
assert_eq my-app "$(json_get .app "$json")" "create --json .app"

note "terminate"
assert_exit 0 sbx terminate "$SB"
assert_exit 137 sbx wait "$SB"
info=$(sbx_json inspect "$SB")
assert_eq ended "$(json_get .state "$info")" "state after terminate"
assert_eq 137 "$(json_get .returncode "$info")" "returncode after terminate"
assert_eq terminated "$(json_get .end_reason "$info")" "end_reason after terminate"
json_eval 'ts(d["ended_at"]) >= ts(d["created_at"]) > 0' "$info" | grep -qx true ||
  fail "ended_at/created_at are not sensible: $info"
assert_exit 0 sbx poll "$SB"
assert_eq 137 "$LAST_OUT" "poll after terminate"
assert_eq "$SB2" "$(running_ids)" "sbx ls --json no longer lists the terminated sandbox"
assert_not_contains "$(sbx ls)" "$SB" "sbx ls after terminate"
assert_contains "$(sbx ls --all)" "$SB" "sbx ls --all after terminate"
all=$(sbx_json ls --all --json)
assert_eq ended "$(json_eval "[s['state'] for s in d if s['id'] == '$SB'][0]" "$all")" \
  "ls --all --json state of the terminated sandbox"
wait_until 30 pid_gone "$supervisor" || fail "supervisor $supervisor still runs after terminate"

note "an ended sandbox refuses exec"
assert_sbx_error sbx exec "$SB" -- true

assert_exit 0 sbx terminate "$SB2"
assert_eq "" "$(running_ids)" "sbx ls --json at the end"
assert_no_stray "$procs"
