#!/usr/bin/env bash
# The view of /proc: a host process is invisible (no /proc/PID, kill(PID, 0) fails with ESRCH),
# /proc lists only the sandbox's own few processes, and pid 1 is the sandbox's init.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
sleep 300 &
host_pid=$!
SB=$(sbx_create "${PROBE_MOUNT[@]}")
probe_exec "$SB" kill0 "$host_pid"
expect ESRCH "kill(host pid $host_pid, 0)"
probe_exec "$SB" open_read "/proc/$host_pid/cmdline"
[[ "$LAST_OUT" == ENOENT ]] || fail "/proc/$host_pid/cmdline inside: $LAST_OUT (pids may coincide: rerun) "
assert_exit 0 sbx exec "$SB" -- sh -c 'ls /proc | grep -c "^[0-9]"'
((LAST_OUT <= 5)) || fail "$LAST_OUT processes visible inside, expected init, the exec's keeper, sh, ls and grep"
assert_exit 0 sbx exec "$SB" -- sh -c 'cat /proc/[0-9]*/comm'
for name in $LAST_OUT; do
  case "$name" in
    sbx-init | sbx-keeper | sh | cat) ;;
    *) fail "a process named $name is visible inside: $(show "$LAST_OUT")" ;;
  esac
done
assert_exit 0 sbx exec "$SB" -- sh -c 'tr "\0" " " </proc/1/cmdline'
read -r pid1 _ <<<"$LAST_OUT"
assert_eq "sbx-init" "$pid1" "pid 1's command line"
kill "$host_pid"
