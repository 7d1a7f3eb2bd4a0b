#!/usr/bin/env bash
# The terminal: sbx's own tables never print a control character they did not make: a tag
# value and a command holding an escape sequence (ESC ] ... BEL, which a terminal would act on)
# are shown with "?" by `sbx ls` and in the command column; the command's own output passes
# through unchanged, as the caller asked for it.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

esc=$'\e]0;pwned\a'
SB=$(sbx_create --tag "t=a${esc}b" -- sh -c "sleep 60 # ${esc}")
assert_exit 0 sbx ls --tag "t=a${esc}b"
assert_contains "$LAST_OUT" "$SB" "the sandbox is listed"
[[ "$LAST_OUT" != *$'\e'* && "$LAST_OUT" != *$'\a'* ]] || fail "sbx ls printed a control character: $(show "$LAST_OUT")"
assert_exit 0 sbx ls --json
assert_not_contains "$LAST_OUT" $'\e' "raw ESC in JSON output"
assert_exit 0 sbx exec "$SB" -- printf 'x\033[2Jy'
assert_eq $'x\e[2Jy' "$LAST_OUT" "a command's own output is passed through byte for byte"
