# shellcheck shell=bash
# Shared by the timeout_*.sh probes (a helper: the runner skips files starting with "_").
# timeout_probe SPAWN: inside a fresh sandbox, `exec --timeout 3` runs a shell that starts a
# process the way SPAWN does (it must write the process's pid to /tmp/pid), then blocks; the
# exec must end with 124 and, within a bounded wait, the process must be gone — not a zombie.
timeout_probe() {
  local spawn=$1 SB pid
  SB=$(sbx_create)
  assert_exit 124 sbx exec --timeout 3 "$SB" -- sh -c "$spawn"'
    while [ ! -s /tmp/pid ]; do sleep 0.1; done
    sleep 1000'
  pid=$(sbx exec "$SB" -- cat /tmp/pid)
  [[ "$pid" =~ ^[0-9]+$ ]] || fail "no pid recorded: $(show "$pid")"
  note "process $pid (inside) must be gone"
  gone() { ! sbx exec "$SB" -- sh -c "[ -e /proc/$pid/status ] && ! grep -q '^State:[[:space:]]*Z' /proc/$pid/status"; }
  wait_until 20 gone || fail "process $pid outlived its exec's timeout: $(sbx exec "$SB" -- ps -ef)"
  left=$(sbx exec "$SB" -- sh -c 'ls /proc | grep -c "^[0-9]"')
  # pid 1, this exec's keeper, sh, grep, ls: nothing of the timed-out exec is left.
  ((left <= 5)) || fail "processes left in the sandbox: $(sbx exec "$SB" -- ps -ef)"
}
