#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# The entrypoint example: `create --timeout 10 -- python3 -m http.server 8080`; logs -f streams
# the server's stdout (startup line) and stderr (request lines) live, separately, and ends when
# the sandbox hits its timeout; wait then exits 124 and inspect says end_reason "timeout". The
# request is made from inside the sandbox, over its own loopback.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# PYTHONUNBUFFERED: python3 block-buffers stdout into a pipe; the example's startup line would
# otherwise only be written at exit, and a timeout kill never lets it be.
SB=$(sbx_create --app my-app --timeout 10 --env PYTHONUNBUFFERED=1 -- python3 -m http.server 8080)
info=$(sbx_json inspect "$SB")
assert_eq '["python3","-m","http.server","8080"]' "$(json_get .command "$info")" "inspect .command"
assert_eq 10 "$(json_get .timeout "$info")" "inspect .timeout"

out=$TEST_TMP/logs.out
err=$TEST_TMP/logs.err
sbx logs -f "$SB" >"$out" 2>"$err" &
logs_pid=$!

note "a request from inside the sandbox"
assert_exit 0 sbx exec "$SB" -- python3 -c '
import time, urllib.request
for attempt in range(100):
    try:
        with urllib.request.urlopen("http://127.0.0.1:8080/", timeout=5) as r:
            print(r.status)
            break
    except OSError:
        time.sleep(0.1)
'
assert_eq 200 "$LAST_OUT" "HTTP status from inside the sandbox"

note "logs -f shows the request while the server still runs"
wait_until 8 grep -q '"GET / HTTP/1.1" 200' "$err" ||
  fail "the request line did not reach logs -f's stderr: $(cat "$err")"
kill -0 "$logs_pid" 2>/dev/null || fail "logs -f ended before the sandbox did"
assert_eq "" "$(sbx poll "$SB")" "poll while the server runs"

note "logs -f ends by itself when the timeout ends the sandbox"
wait_until 60 pid_gone "$logs_pid" || fail "logs -f still running 60 s after the request"
rc=0
wait "$logs_pid" || rc=$?
assert_eq 0 "$rc" "exit status of logs -f"
assert_match '^Serving HTTP on .* port 8080 ' "$(head -n 1 "$out")" "logs -f stdout: startup line"
assert_eq 1 "$(grep -c 'GET / HTTP/1.1' "$err")" "request lines in logs -f stderr"
assert_eq 0 "$(grep -c 'GET /' "$out")" "request lines in logs -f stdout"
assert_eq 0 "$(grep -c 'Serving HTTP' "$err")" "startup lines in logs -f stderr"

note "sbx wait SB; echo \$? → 124"
assert_exit 124 sbx wait "$SB"
info=$(sbx_json inspect "$SB")
assert_eq ended "$(json_get .state "$info")" "state after the timeout"
assert_eq timeout "$(json_get .end_reason "$info")" "end_reason after the timeout"
assert_eq 124 "$(json_get .returncode "$info")" "returncode after the timeout"
json_eval 'ts(d["ended_at"]) - ts(d["created_at"]) >= 9' "$info" | grep -qx true ||
  fail "the sandbox ended before its 10 s timeout: $info"

note "logs after the end replays everything from the start"
assert_exit 0 sbx logs "$SB"
assert_eq "$(cat "$out")" "$LAST_OUT" "logs stdout after the end"
assert_eq "$(cat "$err")" "$LAST_ERR" "logs stderr after the end"
assert_exit 0 sbx logs -f "$SB"
assert_eq "$(cat "$out")" "$LAST_OUT" "logs -f of an ended sandbox returns at once, same stdout"
