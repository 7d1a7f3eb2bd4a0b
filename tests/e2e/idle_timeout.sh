#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# --idle-timeout: a sandbox with nothing running in it for that long ends with end_reason
# "idle", long before its --timeout; a running exec keeps it alive past the idle limit.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

SB=$(sbx_create --timeout 120 --idle-timeout 3)
info=$(sbx_json inspect "$SB")
assert_eq 3 "$(json_get .idle_timeout "$info")" "inspect .idle_timeout"
assert_eq 120 "$(json_get .timeout "$info")" "inspect .timeout"

note "an exec longer than the idle limit keeps the sandbox alive"
assert_exit 0 sbx exec "$SB" -- sh -c 'sleep 6; echo awake'
assert_eq awake "$LAST_OUT" "output of an exec that outlived the idle limit"
assert_eq running "$(field "$SB" .state)" "state right after a long exec"

note "then, idle, it ends by itself"
wait_until 60 is_ended "$SB" || fail "the idle sandbox still runs 60 s later"
info=$(sbx_json inspect "$SB")
assert_eq idle "$(json_get .end_reason "$info")" "end_reason of an idle sandbox"
rc=$(json_get .returncode "$info")
assert_match '^[0-9]+$' "$rc" "returncode of an idle sandbox"
assert_exit "$rc" sbx wait "$SB"
assert_exit 0 sbx poll "$SB"
assert_eq "$rc" "$LAST_OUT" "poll of an idle-ended sandbox"
json_eval 'ts(d["ended_at"]) - ts(d["created_at"]) < 100' "$info" | grep -qx true ||
  fail "the idle sandbox was ended by its timeout, not by idleness: $info"
assert_eq "" "$(running_ids)" "ls after the idle end"

note "an idle-timeout sandbox that is never used ends too"
SB2=$(sbx_create --timeout 120 --idle-timeout 2)
wait_until 60 is_ended "$SB2" || fail "the unused idle sandbox still runs 60 s later"
assert_eq idle "$(field "$SB2" .end_reason)" "end_reason of an unused idle sandbox"

note "without --idle-timeout, an unused sandbox stays up"
SB3=$(sbx_create --timeout 120)
sleep 4
assert_eq running "$(field "$SB3" .state)" "state of an unused sandbox without idle timeout"
sbx terminate "$SB3" >/dev/null
