#!/usr/bin/env bash
# Identity and capabilities: no_new_privs is set and a seccomp filter is loaded (Seccomp: 2)
# for the entrypoint, for exec, and for their children.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

st='grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t" " "'
want="NoNewPrivs: 1
Seccomp: 2"
EP=$(sbx_create -- sh -c "$st")
assert_exit 0 sbx wait "$EP"
assert_eq "$want" "$(sbx logs "$EP")" "the entrypoint"
SB=$(sbx_create)
assert_exit 0 sbx exec "$SB" -- sh -c "$st"
assert_eq "$want" "$LAST_OUT" "an exec"
assert_exit 0 sbx exec "$SB" -- sh -c "sh -c '$st' & wait"
assert_eq "$want" "$LAST_OUT" "a child of an exec"
