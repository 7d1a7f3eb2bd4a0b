#!/usr/bin/env bash
# shellcheck disable=SC2016  # sandbox commands are single-quoted on purpose
# A memory bomb under --memory 64m. With a memory cgroup: the OOM killer acts and the whole
# sandbox ends with reason oom, returncode 137; the exec ends 137/oom; inspect shows a peak
# memory at the cap and the cgroup is gone. With rlimits only (rootless on cgroup v1): the
# allocation fails inside (MemoryError) and the sandbox lives on. Either way a bystander sandbox
# and the host are unaffected.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/_flood_lib.sh"

bystander_create
SB=$(sbx_create --memory 64m 2>/dev/null)
backend=$(backend_of "$SB")
note "backend: $backend"
bomb='a = []
while True:
    a.append(bytearray(16 << 20))'
case "$backend" in
  cgroup1 | cgroup2)
    assert_exit 137 sbx exec "$SB" -- python3 -c "$bomb"
    wait_until 30 is_ended "$SB" || fail "the sandbox did not end after the OOM kill"
    info=$(sbx_json inspect "$SB")
    assert_eq oom "$(json_get .end_reason "$info")" "end_reason"
    assert_eq 137 "$(json_get .returncode "$info")" "returncode"
    assert_eq oom "$(json_get '.processes[0].end_reason' "$info")" "the exec's end_reason"
    peak=$(json_get .usage.peak_memory "$info")
    ((peak > 32 << 20 && peak <= 64 << 20)) || fail "peak memory $peak, not near the 64 MiB cap"
    [[ -z "$(find /sys/fs/cgroup -maxdepth 4 -name "sbx-$SB" 2>/dev/null)" ]] ||
      fail "the sandbox's cgroup was left behind"
    ;;
  rlimit)
    capture sbx create --memory 64m -- true
    assert_contains "$LAST_ERR" "warning: no usable cgroup" "the rlimit warning at create"
    assert_exit 1 sbx exec "$SB" -- python3 -c "$bomb"
    assert_contains "$LAST_ERR" MemoryError "the bomb's own error"
    assert_eq running "$(sandbox_state "$SB")" "the sandbox after a refused allocation"
    ;;
  *) fail "unexpected limits_backend $(show "$backend")" ;;
esac
host_responsive
bystander_check
