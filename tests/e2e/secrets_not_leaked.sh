#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# Secrets reach the sandbox's environment and nowhere else: not ls/inspect/create --json
# output, not secret ls, not logs, not any file in the state dir but the database, not the argv
# of any host process while sandboxes that use them run. Also secret ls and rm.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

value="s3cr3t-$RANDOM$RANDOM-value"
exec_value="x-$RANDOM$RANDOM-exec"

assert_exit 0 sbx secret create leak-test TOKEN="$value"
assert_eq "" "$LAST_OUT$LAST_ERR" "output of secret create"
assert_exit 0 sbx secret create exec-secret EXEC_TOKEN="$exec_value"

note "the sandbox sees the secret"
json=$(sbx_json create --app leaky --name holder --secret leak-test --json -- sh -c 'echo entrypoint up; sleep 300')
SB=$(json_get .id "$json")
assert_exit 0 sbx exec "$SB" -- printenv TOKEN
assert_eq "$value" "$LAST_OUT" "TOKEN inside"
assert_exit 0 sbx exec --detach --secret exec-secret "$SB" -- sh -c 'sleep 300'
PR=$LAST_OUT
# Compared by hash: the value itself must not be put in any argv, not even by this test.
assert_exit 0 sbx exec --secret exec-secret "$SB" -- sh -c 'printf %s "$EXEC_TOKEN" | sha256sum'
assert_eq "$(printf %s "$exec_value" | sha256sum)" "$LAST_OUT" "sha256 of EXEC_TOKEN inside"
SB_RUN=$(sbx_create --app leaky --secret leak-test)

note "no output of sbx shows it"
outputs=(
  "$json"
  "$(sbx ls)"
  "$(sbx ls --all)"
  "$(sbx ls --json)"
  "$(sbx ls --all --json)"
  "$(sbx ls --app leaky --json)"
  "$(sbx inspect "$SB")"
  "$(sbx inspect "$SB_RUN")"
  "$(sbx secret ls)"
  "$(sbx app ls)"
  "$(sbx logs "$SB" 2>&1)"
  "$(sbx logs "$PR" 2>&1)"
  "$(sbx poll "$PR")"
)
for o in "${outputs[@]}"; do
  assert_not_contains "$o" "$value" "sbx output"
  assert_not_contains "$o" "$exec_value" "sbx output"
done
assert_contains "$(sbx secret ls)" leak-test "secret ls"
assert_eq '["leak-test"]' "$(field "$SB" .secrets)" "inspect .secrets"

note "no host process carries it in its argv"
hits=$(grep -lF -e "$value" -e "$exec_value" /proc/[0-9]*/cmdline 2>/dev/null || true)
if [[ -n "$hits" ]]; then
  read -r -a hit_pids <<<"$(cut -d/ -f3 <<<"$hits" | tr '\n' ' ')"
  fail "host processes with a secret in their argv:
$(describe_pids "${hit_pids[@]}")"
fi

note "no file in the state dir holds it, but the database"
leaks=$("$PY" - "$SBX_HOME" "$value" "$exec_value" <<'PY'
import os, sys
home, needles = sys.argv[1], [v.encode() for v in sys.argv[2:]]
def is_db(path):
    base = path
    for suffix in ("-wal", "-shm", "-journal"):
        if path.endswith(suffix):
            base = path[: -len(suffix)]
    try:
        with open(base, "rb") as f:
            return f.read(16) == b"SQLite format 3\0"
    except OSError:
        return False
for root, dirs, files in os.walk(home):
    for name in files:
        path = os.path.join(root, name)
        if os.path.islink(path) or not os.path.isfile(path) or is_db(path):
            continue
        try:
            data = open(path, "rb").read()
        except OSError:
            continue
        if any(n in data for n in needles):
            print(path)
PY
)
assert_eq "" "$leaks" "files under SBX_HOME holding a secret value"

note "state dirs are private"
mode=$(stat -c %a "$SBX_HOME")
[[ "$mode" == 700 ]] || note "SBX_HOME itself is $mode (made by the test, not by sbx)"
bad_modes=$(find "$SBX_HOME" -mindepth 1 -maxdepth 1 -type d ! -perm 700 -printf '%m %p\n' 2>/dev/null | head)
assert_eq "" "$bad_modes" "state directories not 0700"

note "secret rm"
assert_exit 0 sbx terminate "$SB"
assert_exit 0 sbx terminate "$SB_RUN"
assert_exit 0 sbx secret rm exec-secret
assert_not_contains "$(sbx secret ls)" exec-secret "secret ls after rm"
assert_contains "$(sbx secret ls)" leak-test "secret ls keeps the other secret"
assert_sbx_error sbx secret rm exec-secret
assert_sbx_error sbx create --secret exec-secret
assert_exit 0 sbx secret rm leak-test
assert_eq "" "$(sbx secret ls | grep -E 'leak-test|exec-secret' || true)" "secret ls at the end"
