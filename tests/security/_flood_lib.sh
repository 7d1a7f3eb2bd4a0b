# shellcheck shell=bash
# Shared by the flood_*.sh probes (a helper: the runner skips files starting with "_").

# A bystander sandbox, made before the flood; afterwards it must still exec normally.
bystander_create() {
  BYSTANDER=$(sbx_create)
}
bystander_check() {
  assert_exit 0 sbx exec "$BYSTANDER" -- echo fine
  assert_eq fine "$LAST_OUT" "the bystander sandbox after the flood"
}

# The host stays responsive: a host command completes within a generous bound.
host_responsive() {
  timeout 30 sh -c 'ls / >/dev/null && echo ok' >/dev/null || fail "the host did not respond in 30 s"
}

# Kilobytes sbx's state directory takes on the host (du, not df: other work on the same
# filesystem must not count).
used_kb() {
  # du still prints the total when it cannot enter a directory (overlay's work/work is 000
  # rootless), but exits 1: the total is what counts here.
  { du -sk "$SBX_HOME" 2>/dev/null || true; } | awk '{print $1}'
}

# The limits backend of a sandbox (cgroup2, cgroup1, rlimit).
backend_of() {
  field "$1" .limits_backend
}
