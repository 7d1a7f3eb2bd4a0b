#!/usr/bin/env bash
# shellcheck disable=SC2016  # sandbox commands are single-quoted on purpose
# timeout: 240
# Image builds under stress: two builds of the same spec at once build it once and both
# succeed with the same id; a build SIGKILLed mid-step leaves no layer that looks complete and
# the next build redoes the step cleanly; a failing step shows its output and exit code and
# caches nothing; a deeper-than-allowed spec is refused.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=_image.sh
source "$(dirname "$0")/_image.sh"

note "two builds of the same spec at once"
spec=(--run 'sleep 2; echo once >> /opt/built')
sbx image build "${spec[@]}" >"$TEST_TMP/a.out" 2>"$TEST_TMP/a.err" &
a=$!
sbx image build "${spec[@]}" >"$TEST_TMP/b.out" 2>"$TEST_TMP/b.err" &
b=$!
wait "$a" || fail "build a failed: $(cat "$TEST_TMP/a.err")"
wait "$b" || fail "build b failed: $(cat "$TEST_TMP/b.err")"
id=$(cat "$TEST_TMP/a.out")
assert_match "^im-[0-9a-f]{24}$" "$id" "build a's id"
assert_eq "$id" "$(cat "$TEST_TMP/b.out")" "both builds give the same id"
built=$(cat "$TEST_TMP/a.err" "$TEST_TMP/b.err" | grep -c ': done in' || true)
cached=$(cat "$TEST_TMP/a.err" "$TEST_TMP/b.err" | grep -c ': cached' || true)
assert_eq "1 1" "$built $cached" "one build ran the step, the other found it cached"
assert_exit 0 sbx run --image "$id" -- cat /opt/built
assert_eq once "$LAST_OUT" "the step ran once"

note "a build killed mid-step"
layers=$(layer_count)
kill_spec=(--run 'echo started; sleep 4; echo finished > /opt/slow')
setsid "$SBX" image build "${kill_spec[@]}" >"$TEST_TMP/k.out" 2>"$TEST_TMP/k.err" &
k=$!
wait_until 60 grep -q started "$TEST_TMP/k.err" || fail "the slow step did not start"
kill -KILL -- "-$k"
wait "$k" 2>/dev/null || true
assert_eq "$layers" "$(layer_count)" "no layer published by the killed build"
assert_layers_complete
staged=$(find "$SBX_HOME/images/tmp" -mindepth 1 -maxdepth 1 | wc -l)
[[ "$staged" -ge 1 ]] || fail "the killed build left no staging dir (was it killed mid-step?)"
wait_until 30 bash -c "! pgrep -fx 'sleep 4' >/dev/null" || fail "the killed build's step still runs"
assert_exit 0 sbx image build "${kill_spec[@]}"
assert_match ": done in" "$LAST_ERR" "the step was built again"
assert_exit 0 sbx run --image "$LAST_OUT" -- cat /opt/slow
assert_eq finished "$LAST_OUT" "the rebuilt layer is whole"
assert_eq 0 "$(find "$SBX_HOME/images/tmp" -mindepth 1 -maxdepth 1 | wc -l)" "the rebuild cleaned the killed build's staging dir"

note "a failing step"
layers=$(layer_count)
assert_exit 125 sbx image build --run 'echo made > /opt/x' --run 'echo boom; echo bad >&2; exit 3'
assert_contains "$LAST_ERR" "boom" "the step's stdout is shown"
assert_contains "$LAST_ERR" "bad" "the step's stderr is shown"
assert_contains "$LAST_ERR" "[3/3] run echo boom; echo bad >&2; exit 3 failed with exit code 3" "exit code shown"
assert_match "sbx: .*exit code 3" "$LAST_ERR" "sbx's error line"
assert_eq "$((layers + 1))" "$(layer_count)" "only the step that succeeded is cached"
assert_exit 125 sbx image build --quiet --run 'echo made > /opt/x' --run 'echo quiet-boom; exit 4'
assert_contains "$LAST_ERR" "quiet-boom" "--quiet still shows a failed step's output"
assert_not_contains "$LAST_ERR" "[1/3]" "--quiet prints no headers"
assert_eq 0 "$(find "$SBX_HOME/images/tmp" -mindepth 1 -maxdepth 1 | wc -l)" "no staging dir left"
assert_exit 0 sbx image build --run 'echo made > /opt/x'
assert_contains "$LAST_ERR" "cached" "the good step stayed cached"

note "too many layers are refused before anything runs"
deep=()
for i in $(seq 1 101); do deep+=(--run "true $i"); done
assert_sbx_error sbx image build "${deep[@]}"
assert_contains "$LAST_ERR" "at most 100" "the limit is named"
