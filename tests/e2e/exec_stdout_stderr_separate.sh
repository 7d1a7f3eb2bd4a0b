#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# exec keeps the command's stdout and stderr apart: each reaches the caller's own stream, whole
# and in order, including large and binary output written to both at once.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

SB=$(sbx_create)

note "one line on each stream"
assert_exit 0 sbx exec "$SB" -- sh -c 'echo out; echo err >&2'
assert_eq out "$LAST_OUT" "stdout"
assert_eq err "$LAST_ERR" "stderr"

note "only stderr"
assert_exit 0 sbx exec "$SB" -- sh -c 'echo only-err >&2'
assert_eq "" "$LAST_OUT" "stdout of a command writing only to stderr"
assert_eq only-err "$LAST_ERR" "stderr of a command writing only to stderr"

note "interleaved writes keep their order within each stream"
assert_exit 0 sbx exec "$SB" -- sh -c 'for i in 1 2 3 4 5; do echo o$i; echo e$i >&2; done'
assert_eq "$(printf 'o%s\n' 1 2 3 4 5)" "$LAST_OUT" "stdout order"
assert_eq "$(printf 'e%s\n' 1 2 3 4 5)" "$LAST_ERR" "stderr order"

note "a failing command's message stays on stderr"
assert_exit 2 sbx exec "$SB" -- ls /no-such-dir
assert_eq "" "$LAST_OUT" "stdout of a failing ls"
assert_contains "$LAST_ERR" "/no-such-dir" "stderr of a failing ls"

note "200000 lines on each stream at once"
sbx exec "$SB" -- python3 -c '
import sys
for i in range(200000):
    sys.stdout.write("out %d\n" % i)
    sys.stderr.write("err %d\n" % i)
' >"$TEST_TMP/big.out" 2>"$TEST_TMP/big.err"
want_out=$("$PY" -c 'import sys; sys.stdout.write("".join("out %d\n" % i for i in range(200000)))' |
  sha256sum)
want_err=$("$PY" -c 'import sys; sys.stdout.write("".join("err %d\n" % i for i in range(200000)))' |
  sha256sum)
assert_eq "$want_out" "$(sha256sum <"$TEST_TMP/big.out")" "200000 lines of stdout"
assert_eq "$want_err" "$(sha256sum <"$TEST_TMP/big.err")" "200000 lines of stderr"

note "binary output (every byte value, no trailing newline) on both streams"
gen='import sys; sys.stdout.buffer.write(bytes(range(256)) * 4096); sys.stderr.buffer.write(bytes(reversed(range(256))) * 4096)'
sbx exec "$SB" -- python3 -c "$gen" >"$TEST_TMP/bin.out" 2>"$TEST_TMP/bin.err"
"$PY" -c "$gen" >"$TEST_TMP/want.out" 2>"$TEST_TMP/want.err"
cmp -s "$TEST_TMP/want.out" "$TEST_TMP/bin.out" || fail "binary stdout differs"
cmp -s "$TEST_TMP/want.err" "$TEST_TMP/bin.err" || fail "binary stderr differs"

note "stdout closed early does not lose stderr"
assert_exit 0 sbx exec "$SB" -- sh -c 'exec 1>&-; echo still-here >&2'
assert_eq "" "$LAST_OUT" "stdout after the command closed it"
assert_eq still-here "$LAST_ERR" "stderr after the command closed stdout"

sbx terminate "$SB" >/dev/null
