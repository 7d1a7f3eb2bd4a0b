#!/usr/bin/env bash
# The view of /proc: pid 1 (sbx-init) cannot be killed or stopped from inside, although the
# sandbox's root keeps CAP_KILL: SIGKILL, SIGTERM, SIGSTOP and SIGSEGV sent to pid 1 are ignored
# (the kernel shields a namespace's init), and the sandbox still runs commands afterwards.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

SB=$(sbx_create)
assert_exit 0 sbx exec "$SB" -- sh -c 'for s in KILL TERM STOP SEGV HUP INT; do kill -s $s 1 || echo "kill $s failed"; done; sleep 0.5; grep "^State:" /proc/1/status | tr -s "\t " " "'
assert_eq "State: S (sleeping)" "$LAST_OUT" "pid 1 after the signals"
assert_exit 0 sbx exec "$SB" -- echo still-running
assert_eq still-running "$LAST_OUT" "the sandbox still runs commands"
assert_eq running "$(sandbox_state "$SB")" "the sandbox's state"
