#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# exec passes stdin through byte for byte, including its end (EOF): from a pipe, from a file,
# from /dev/null, binary data, and input that arrives slowly.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

SB=$(sbx_create)

note "printf 'a\\nb' | sbx exec SB -- cat"
printf 'a\nb' | sbx exec "$SB" -- cat >"$TEST_TMP/cat.out"
assert_eq "$(printf 'a\nb' | od -An -c)" "$(od -An -c <"$TEST_TMP/cat.out")" "cat of a pipe, bytes"

note "printf 'a\\nb' | sbx exec SB -- wc -l"
out=$(printf 'a\nb' | sbx exec "$SB" -- wc -l)
assert_eq 1 "$out" "wc -l of 'a\\nb'"

note "stdin from a file"
printf 'line1\nline2\nline3\n' >"$TEST_TMP/in.txt"
out=$(sbx exec "$SB" -- wc -l <"$TEST_TMP/in.txt")
assert_eq 3 "$out" "wc -l of a 3-line file"

note "stdin from /dev/null: the command sees EOF at once"
out=$(sbx exec "$SB" -- cat </dev/null)
assert_eq "" "$out" "cat of /dev/null"
out=$(sbx exec "$SB" -- python3 -c 'import sys; print(len(sys.stdin.buffer.read()))' </dev/null)
assert_eq 0 "$out" "bytes read from /dev/null"

note "1 MiB of binary data, through a pipe"
head -c 1048576 /dev/urandom >"$TEST_TMP/blob"
want=$(sha256sum <"$TEST_TMP/blob" | cut -d' ' -f1)
# shellcheck disable=SC2002  # a pipe on purpose, not a file
got=$(cat "$TEST_TMP/blob" | sbx exec "$SB" -- sha256sum | cut -d' ' -f1)
assert_eq "$want" "$got" "sha256 of 1 MiB read inside"
# shellcheck disable=SC2002  # a pipe on purpose, not a file
cat "$TEST_TMP/blob" | sbx exec "$SB" -- cat >"$TEST_TMP/blob.back"
cmp -s "$TEST_TMP/blob" "$TEST_TMP/blob.back" || fail "1 MiB through exec cat came back different"

note "input that arrives slowly, then EOF"
out=$( (echo one; sleep 1; echo two; sleep 1; printf three) | sbx exec "$SB" -- cat)
assert_eq "one
two
three" "$out" "slow input"

note "EOF lets a reader finish and report"
out=$(printf 'x\ny\n' | sbx exec "$SB" -- python3 -c '
import sys
lines = sys.stdin.read().splitlines()
print(len(lines), "lines, then EOF")')
assert_eq "2 lines, then EOF" "$out" "python3 reading until EOF"

note "a command that leaves more stdin unread than a pipe holds still exits, and so does sbx"
out=$({ head -c 1000000 /dev/zero || true; } | sbx exec "$SB" -- echo "done")
assert_eq "done" "$out" "echo with 1 MB of unread stdin"

sbx terminate "$SB" >/dev/null
