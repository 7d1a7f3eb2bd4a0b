#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# Output is streamed live, not collected: lines written 0.5 s apart must reach the caller spread
# out in time. No speed is measured: across 10 lines written over 4.5 s, the first must arrive at
# least 2 s before the last. Checked for exec stdout, exec stderr and logs -f.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# check_spread FILE WHAT: FILE holds 10 stamped lines of HH:MM:SS (or of 1..10 for logs) whose
# first arrived at least 2 s before the last.
check_spread() {
  local file=$1 what=$2 count spread
  count=$(wc -l <"$file")
  assert_eq 10 "$count" "$what: number of lines ($(cat "$file"))"
  spread=$("$PY" -c '
import sys
t = [float(l.split("\t", 1)[0]) for l in open(sys.argv[1])]
print("%.3f" % (t[-1] - t[0]))' "$file")
  "$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 2.0 else 1)' "$spread" ||
    fail "$what: all lines arrived within ${spread}s of each other: output was buffered, not live"
  note "$what: lines arrived over ${spread}s"
}

SB=$(sbx_create --app my-app)

note "exec stdout, line by line"
out=$TEST_TMP/stdout.stamped
sbx exec "$SB" -- bash -c 'for i in {1..10}; do date +%T; sleep 0.5; done' | stamp_lines >"$out"
check_spread "$out" "exec stdout"
cut -f2 "$out" | grep -Evx '[0-2][0-9]:[0-5][0-9]:[0-5][0-9]' && fail "lines are not date +%T output"

note "exec stderr, line by line, with nothing on stdout"
err=$TEST_TMP/stderr.stamped
stdout_seen=$(sbx exec "$SB" -- bash -c 'for i in {1..10}; do date +%T >&2; sleep 0.5; done' \
  2> >(stamp_lines >"$err"))
wait_until 10 test "$(wc -l <"$err")" -ge 10 || true
assert_eq "" "$stdout_seen" "stdout of an exec that writes only to stderr"
check_spread "$err" "exec stderr"

note "logs -f follows an entrypoint live and ends when it ends"
SB2=$(sbx_create --app my-app -- bash -c 'sleep 1; for i in {1..10}; do echo $i; sleep 0.5; done')
logs=$TEST_TMP/logs.stamped
sbx logs -f "$SB2" | stamp_lines >"$logs"
check_spread "$logs" "logs -f stdout"
assert_eq "1 2 3 4 5 6 7 8 9 10" "$(cut -f2 "$logs" | tr '\n' ' ' | sed 's/ $//')" "logs -f lines"
assert_exit 0 sbx wait "$SB2"
assert_eq exit "$(field "$SB2" .end_reason)" "end_reason of an entrypoint that exited 0"
assert_eq 0 "$(field "$SB2" .returncode)" "returncode of an entrypoint that exited 0"

sbx terminate "$SB" >/dev/null
