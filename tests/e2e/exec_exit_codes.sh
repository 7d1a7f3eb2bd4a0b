#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# exec passes the command's exit status through: 0, 3, 255; 127 for a command not found, 126
# for one that is not executable, 128+N for a signal, 124 when exec --timeout killed it. Each
# ended process is recorded in inspect's "processes" with its returncode and end_reason.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# process_field SANDBOX MARKER KEY: KEY of the one process whose record mentions MARKER.
process_field() {
  json_eval "[p for p in d['processes'] if '$2' in json.dumps(p)][0]['$3']" \
    "$(sbx_json inspect "$1")"
}

SB=$(sbx_create)

assert_exit 0 sbx exec "$SB" -- true
assert_exit 1 sbx exec "$SB" -- false
assert_exit 3 sbx exec "$SB" -- sh -c 'exit 3'
assert_exit 255 sbx exec "$SB" -- sh -c 'exit 255'
assert_exit 42 sbx exec "$SB" -- python3 -c 'import sys; sys.exit(42)'
assert_eq exit "$(process_field "$SB" 'sys.exit(42)' end_reason)" "end_reason of exit 42"
assert_eq 42 "$(process_field "$SB" 'sys.exit(42)' returncode)" "returncode of exit 42"

note "127: command not found"
assert_exit 127 sbx exec "$SB" -- no-such-command-9f2c
assert_contains "$LAST_ERR" "no-such-command-9f2c" "the message names the missing command"
assert_exit 127 sbx exec "$SB" -- /no/such/path/cmd

note "126: not executable"
assert_exit 0 sbx exec "$SB" -- sh -c 'printf "#!/bin/sh\necho ran\n" >/noexec; chmod 644 /noexec'
assert_exit 126 sbx exec "$SB" -- /noexec
assert_eq "" "$LAST_OUT" "a non-executable file does not run"
assert_exit 126 sbx exec "$SB" -- /tmp

note "128+N: killed by a signal"
assert_exit 137 sbx exec "$SB" -- sh -c 'kill -9 $$'
assert_eq signal "$(process_field "$SB" 'kill -9' end_reason)" "end_reason of a self-SIGKILL"
assert_eq 137 "$(process_field "$SB" 'kill -9' returncode)" "returncode of a self-SIGKILL"
assert_exit 143 sbx exec "$SB" -- sh -c 'kill -TERM $$'
assert_exit 130 sbx exec "$SB" -- python3 -c 'import os, signal; signal.signal(signal.SIGINT, signal.SIG_DFL); os.kill(os.getpid(), signal.SIGINT)'

note "124: exec --timeout"
start=$SECONDS
assert_exit 124 sbx exec --timeout 1 "$SB" -- sleep 60
((SECONDS - start < 30)) || fail "exec --timeout 1 of sleep 60 took $((SECONDS - start))s"
assert_eq timeout "$(process_field "$SB" '"60"' end_reason)" "end_reason of the timed-out exec"
assert_eq 124 "$(process_field "$SB" '"60"' returncode)" "returncode of the timed-out exec"
note "the timeout also ends what the command started in the background"
assert_exit 124 sbx exec --timeout 1 "$SB" -- sh -c 'sleep 77 & sleep 78'
sleep 1
assert_exit 0 sbx exec "$SB" -- sh -c 'ps -eo args | grep -c "^sleep 7[78]" || true'
assert_eq 0 "$LAST_OUT" "sleeps left by the timed-out exec"

note "a timeout that is not reached changes nothing"
assert_exit 5 sbx exec --timeout 30 "$SB" -- sh -c 'exit 5'

note "the sandbox is still running after all that"
assert_eq running "$(field "$SB" .state)" "sandbox state"
assert_exit 0 sbx exec "$SB" -- true

sbx terminate "$SB" >/dev/null
