#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# The worker example exactly (name, workdir, relative --mount, --env, --secret, --tag), exec by
# name within an app, ls filtered by several tags, `sbx tag` replacing the tag set, :ro and rw
# mounts, exec --env/--workdir/--secret, and a name freed when its sandbox ends (a create or
# run refused for a taken name leaves no row and no directory behind).
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

work=$(scratch_dir)
cd "$work"
mkdir my_repo
chmod 777 my_repo # writable by the sandbox's root, whatever host uid it maps to
echo "from the host" >my_repo/README

assert_exit 0 sbx secret create my-secret MY_SECRET=hello

note "the worker example"
SB=$(sbx_create --app my-app --name worker --workdir /repo --mount ./my_repo:/repo --env MODE=test --secret my-secret --tag major_version=1 --tag minor_version=2)
assert_exit 0 sbx exec worker --app my-app -- bash -c 'pwd; echo $MODE $MY_SECRET'
assert_eq "/repo
test hello" "$LAST_OUT" "exec worker output"
assert_eq "" "$LAST_ERR" "exec worker stderr"

info=$(sbx_json inspect "$SB")
assert_eq worker "$(json_get .name "$info")" "inspect .name"
assert_eq my-app "$(json_get .app "$info")" "inspect .app"
assert_eq /repo "$(json_get .workdir "$info")" "inspect .workdir"
assert_eq '{"major_version":"1","minor_version":"2"}' "$(json_get .tags "$info")" "inspect .tags"
assert_eq '["my-secret"]' "$(json_get .secrets "$info")" "inspect .secrets"
json_eval '"MODE" in d["env_keys"]' "$info" | grep -qx true || fail "env_keys lacks MODE: $info"
mounts=$(json_get .mounts "$info")
assert_contains "$mounts" "$(realpath "$work")/my_repo" "inspect .mounts names the resolved host path"
assert_contains "$mounts" '"/repo"' "inspect .mounts names the sandbox path"
assert_not_contains "$info" hello "inspect output (secret value)"

note "the mount shows the host directory and is writable by default"
assert_exit 0 sbx exec worker --app my-app -- cat README
assert_eq "from the host" "$LAST_OUT" "a host file seen through the mount"
assert_exit 0 sbx exec worker --app my-app -- sh -c 'echo from the sandbox >/repo/written'
assert_eq "from the sandbox" "$(cat my_repo/written)" "a file written through an rw mount"

note "a :ro mount refuses writes; an explicit :rw one takes them"
ro=$(scratch_dir)
rw=$(scratch_dir)
chmod 777 "$ro" "$rw"
echo data >"$ro/file"
SB_MOUNTS=$(sbx_create --app my-app --mount "$ro:/data:ro" --mount "$rw:/out:rw")
assert_exit 0 sbx exec "$SB_MOUNTS" -- cat /data/file
assert_eq data "$LAST_OUT" "reading a :ro mount"
capture sbx exec "$SB_MOUNTS" -- sh -c 'echo x >/data/new'
assert_ne 0 "$LAST_RC" "exit status of a write into a :ro mount"
[[ ! -e "$ro/new" ]] || fail "a write through a :ro mount reached the host"
assert_exit 0 sbx exec "$SB_MOUNTS" -- sh -c 'echo y >/out/new'
assert_eq y "$(cat "$rw/new")" "a write through a :rw mount"

note "exec --env, --workdir and --secret add to the sandbox's settings for that exec only"
assert_exit 0 sbx secret create other-secret OTHER=s2 EXTRA=s3
assert_exit 0 sbx exec --env MODE=override --env NEW=1 --workdir /tmp --secret other-secret \
  worker --app my-app -- sh -c 'pwd; echo $MODE $NEW $MY_SECRET $OTHER $EXTRA'
assert_eq "/tmp
override 1 hello s2 s3" "$LAST_OUT" "exec with its own env, workdir and secret"
assert_exit 0 sbx exec worker --app my-app -- sh -c 'pwd; echo "$MODE|${NEW:-}|${OTHER:-}"'
assert_eq "/repo
test||" "$LAST_OUT" "the next exec is back to the sandbox's settings"

note "a name is resolved within its app; default app when --app is absent"
assert_sbx_error sbx exec worker -- true
SB_DEFAULT=$(sbx_create --name worker)
assert_exit 0 sbx exec worker -- sh -c 'echo ${MODE:-unset}'
assert_eq unset "$LAST_OUT" "exec worker without --app reaches the default app's worker"
assert_eq default "$(field "$SB_DEFAULT" .app)" "app of the default-app worker"

note "ls --tag: a sandbox matches when it has all the given tags"
SB_B=$(sbx_create --app my-app --tag major_version=1 --tag minor_version=3)
SB_C=$(sbx_create --app my-app --tag major_version=2 --tag minor_version=2)
SB_OTHER=$(sbx_create --app other-app --tag major_version=1)
got=$(running_ids --app my-app --tag major_version=1)
assert_eq "$(printf '%s\n' "$SB" "$SB_B" | sort)" "$got" "ls --app my-app --tag major_version=1"
listing=$(sbx_json ls --app my-app --tag major_version=1 --json)
assert_eq 2 "$(json_eval 'len(d)' "$listing")" "entries in ls --app my-app --tag major_version=1 --json"
worker=$(json_eval "[s for s in d if s['id'] == '$SB'][0]" "$listing")
assert_eq worker "$(json_get .name "$worker")" "ls --json .name"
assert_eq my-app "$(json_get .app "$worker")" "ls --json .app"
assert_eq running "$(json_get .state "$worker")" "ls --json .state"
assert_eq /repo "$(json_get .workdir "$worker")" "ls --json .workdir"
assert_eq '{"major_version":"1","minor_version":"2"}' "$(json_get .tags "$worker")" "ls --json .tags"
assert_eq '["my-secret"]' "$(json_get .secrets "$worker")" "ls --json .secrets"
assert_eq 300 "$(json_get .timeout "$worker")" "ls --json .timeout"
assert_not_contains "$listing" hello "ls --json output (secret value)"
assert_eq "$SB" "$(running_ids --app my-app --tag major_version=1 --tag minor_version=2)" \
  "ls with two tags"
assert_eq "$SB_C" "$(running_ids --app my-app --tag minor_version=2 --tag major_version=2)" \
  "ls with two tags, other order"
assert_eq "" "$(running_ids --app my-app --tag major_version=3)" "ls with a tag nobody has"
assert_eq "" "$(running_ids --app my-app --tag major_version=1 --tag nope=1)" \
  "ls with one matching and one missing tag"
assert_eq "$(printf '%s\n' "$SB" "$SB_B" "$SB_OTHER" | sort)" \
  "$(running_ids --tag major_version=1)" "ls --tag across apps"

note "sbx tag replaces the whole tag set"
assert_exit 0 sbx tag "$SB" env=prod
assert_eq '{"env":"prod"}' "$(field "$SB" .tags)" "tags after sbx tag env=prod"
assert_eq "$SB_B" "$(running_ids --app my-app --tag major_version=1)" "ls --tag after retagging"
assert_eq "$SB" "$(running_ids --app my-app --tag env=prod)" "ls by the new tag"
assert_exit 0 sbx tag --app my-app worker a=1 b=2
assert_eq '{"a":"1","b":"2"}' "$(field "$SB" .tags)" "tags after sbx tag by name"

note "the name is taken while worker runs, free once it ended; a refused sandbox leaves nothing"
rows_before=$(sbx_json ls --all --json | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
dirs_before=$(ls "$SBX_HOME/sandboxes" | wc -l)
assert_sbx_error sbx create --app my-app --name worker
assert_contains "$LAST_ERR" "a running sandbox named 'worker' already exists in app 'my-app'" \
  "create with a taken name"
assert_sbx_error sbx run --app my-app --name worker -- true
assert_contains "$LAST_ERR" "a running sandbox named 'worker' already exists in app 'my-app'" \
  "run with a taken name"
assert_eq "$rows_before" \
  "$(sbx_json ls --all --json | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
  "rows after the refused create and run"
assert_eq "$dirs_before" "$(ls "$SBX_HOME/sandboxes" | wc -l)" \
  "sandbox directories after the refused create and run"
assert_exit 0 sbx terminate "$SB"
SB_NEXT=$(sbx_create --app my-app --name worker)
assert_ne "$SB" "$SB_NEXT" "id of the new worker"
assert_exit 0 sbx exec worker --app my-app -- sh -c 'echo ${MODE:-fresh}'
assert_eq fresh "$LAST_OUT" "exec worker reaches the new worker"
assert_eq ended "$(field "$SB" .state)" "the old worker, by id"

note "secret ls names secrets, never values"
assert_exit 0 sbx secret ls
assert_contains "$LAST_OUT" my-secret "secret ls"
assert_contains "$LAST_OUT" other-secret "secret ls"
assert_not_contains "$LAST_OUT" hello "secret ls (value)"
