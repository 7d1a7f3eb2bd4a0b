#!/usr/bin/env bash
# Environment leaks: variables of the caller (tokens, LD_LIBRARY_PATH, SBX_HOME, PATH changes) never
# reach the entrypoint, an exec or a one-shot: each sees exactly the allowlist (PATH, HOME and
# the like) plus what --env and secrets give.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

export AWS_SECRET_ACCESS_KEY=leak1 OPENAI_API_KEY=leak2 LD_LIBRARY_PATH=/tmp/evil-libs GITHUB_TOKEN=leak3
export PATH="/tmp/sbx-evil-bin:$PATH"
keys='env | cut -d= -f1 | sort | tr "\n" " "'
allowed=" HOME LANG LOGNAME PATH PWD PYTHONUNBUFFERED SHELL USER SHLVL _ OLDPWD "
check_keys() {
  local k
  for k in $1; do
    [[ "$allowed" == *" $k "* ]] || fail "$2: unexpected variable $k in $(show "$1")"
  done
  assert_contains "$1" "PATH" "$2: PATH present"
}
assert_exit 0 sbx run -- sh -c "$keys"
check_keys "$LAST_OUT" "sbx run"
EP=$(sbx_create -- sh -c "$keys")
assert_exit 0 sbx wait "$EP"
check_keys "$(sbx logs "$EP")" "entrypoint"
SB=$(sbx_create)
assert_exit 0 sbx exec "$SB" -- sh -c "$keys"
check_keys "$LAST_OUT" "exec"
assert_exit 0 sbx exec "$SB" -- sh -c 'echo "$PATH"'
assert_not_contains "$LAST_OUT" sbx-evil-bin "the caller's PATH"
assert_exit 0 sbx exec --env MODE=x "$SB" -- sh -c 'echo "$MODE"'
assert_eq x "$LAST_OUT" "--env still works"
