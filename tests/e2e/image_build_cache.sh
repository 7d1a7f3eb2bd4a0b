#!/usr/bin/env bash
# shellcheck disable=SC2016  # sandbox commands are single-quoted on purpose
# timeout: 300
# Images on the host base, offline: a wheel made here installed with --pip-no-index
# --pip-find-links; import and console script work in run, create and exec; a second build is
# all cached with the same id; changing step N rebuilds from N only; the JSON spec file gives
# the same image; inline create --pip; ls/inspect; rm refused while in use; prune.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=_image.sh
source "$(dirname "$0")/_image.sh"
need_host_pip

wheels=$(scratch_dir)
make_wheel sbxdemo 1.0 "$wheels"
pip_flags=(--pip sbxdemo --pip-no-index --pip-find-links "$wheels")

note "first build: live log on stderr, the id alone on stdout"
assert_exit 0 sbx image build --name demo "${pip_flags[@]}"
id=$LAST_OUT
assert_match "^im-[0-9a-f]{24}$" "$id" "build prints one image id"
assert_contains "$LAST_ERR" "[1/2] base host" "base header"
assert_contains "$LAST_ERR" "[2/2] pip install sbxdemo" "step header"
assert_contains "$LAST_ERR" "Successfully installed sbxdemo-1.0" "pip's own output"
assert_match "\[2/2\] pip install sbxdemo: done in [0-9.]+s" "$LAST_ERR" "step duration"
assert_not_contains "$LAST_ERR" "cached" "nothing was cached yet"

note "the package imports and its console script is on PATH"
assert_exit 0 sbx run --image demo -- python3 -c 'import sbxdemo; print(sbxdemo.__version__)'
assert_eq 1.0 "$LAST_OUT" "import from run --image NAME"
assert_exit 0 sbx run --image "$id" -- sbxdemo-hello
assert_eq "hello from sbxdemo 1.0" "$LAST_OUT" "console script"
sb=$(sbx_create --image demo)
assert_eq "$id" "$(field "$sb" .image)" "the sandbox records the image id"
assert_exit 0 sbx exec "$sb" -- python3 -c 'import sbxdemo; print(sbxdemo.__version__)'
assert_eq 1.0 "$LAST_OUT" "import from exec"
assert_exit 1 sbx run -- python3 -c 'import sbxdemo'

note "the same spec again: cached, same id, at once"
layers_before=$(layer_count)
assert_exit 0 sbx image build --name demo "${pip_flags[@]}"
assert_eq "$id" "$LAST_OUT" "same id"
assert_contains "$LAST_ERR" "[2/2] pip install sbxdemo: cached" "cached step"
assert_not_contains "$LAST_ERR" "Successfully installed" "pip did not run"
assert_exit 0 sbx image build --quiet "${pip_flags[@]}"
assert_eq "$id" "$LAST_OUT" "--quiet prints the id"
assert_eq "" "$LAST_ERR" "--quiet prints nothing else"
out=$(sbx_json image build --json "${pip_flags[@]}" 2>/dev/null)
assert_eq "$id" "$(json_get .id "$out")" "--json id"
assert_eq true "$(json_get .cached "$out")" "--json cached"
assert_eq "$layers_before" "$(layer_count)" "no new layer"

note "the JSON spec file names the same image"
cat >"$TEST_TMP/image.json" <<JSON
{"base": "host", "steps": [{"pip": ["sbxdemo"], "no_index": true, "find_links": ["$wheels"]}]}
JSON
assert_exit 0 sbx image build -f "$TEST_TMP/image.json"
assert_eq "$id" "$LAST_OUT" "file spec id"
assert_contains "$LAST_ERR" "cached" "file spec cached"

note "a step appended: the first is cached, only the new one runs"
assert_exit 0 sbx image build --name demo2 "${pip_flags[@]}" --run 'echo built > /opt/marker'
id2=$LAST_OUT
assert_ne "$id" "$id2" "a new image"
assert_contains "$LAST_ERR" "[2/3] pip install sbxdemo: cached" "step 2 cached"
assert_match "\[3/3\] run echo built > /opt/marker: done in" "$LAST_ERR" "step 3 built"
assert_exit 0 sbx run --image demo2 -- sh -c 'cat /opt/marker; sbxdemo-hello'
assert_eq "built
hello from sbxdemo 1.0" "$LAST_OUT" "both layers visible"
note "step 2 changed (a new wheel version): steps 2 and 3 rebuild"
make_wheel sbxdemo 2.0 "$wheels"
assert_exit 0 sbx image build "${pip_flags[@]}" --run 'echo built > /opt/marker'
assert_ne "$id2" "$LAST_OUT" "new wheelhouse, new image"
assert_not_contains "$LAST_ERR" "cached" "nothing cached after the changed step"
assert_exit 0 sbx run --image "$LAST_OUT" -- sbxdemo-hello
assert_eq "hello from sbxdemo 2.0" "$LAST_OUT" "the new wheel"

note "inline: create --pip builds (or reuses) then creates"
assert_exit 0 sbx create --pip sbxdemo --pip-no-index --pip-find-links "$wheels" --pip-arg=--upgrade
sb2=$LAST_OUT
assert_match "^sb-$ID_CHARS$" "$sb2" "inline create prints only the sandbox id"
assert_contains "$LAST_ERR" "[2/2] pip install sbxdemo" "inline build log on stderr"
assert_exit 0 sbx exec "$sb2" -- sbxdemo-hello
assert_eq "hello from sbxdemo 2.0" "$LAST_OUT" "inline image works"

note "ls and inspect"
out=$(sbx_json image ls --json)
assert_eq true "$(json_eval "any(i['id'] == '$id' and i['name'] == 'demo' and i['in_use'] == 1 for i in d)" "$out")" "ls --json lists demo in use"
out=$(sbx_json image inspect demo)
assert_eq "$id" "$(json_get .id "$out")" "inspect id"
assert_eq "pip install sbxdemo" "$(json_get '.layers[0].description' "$out")" "inspect layer"
assert_eq /opt/sbx/python "$(json_get .env.PYTHONUSERBASE "$out")" "image env"
assert_exit 0 sbx image ls
assert_contains "$LAST_OUT" "$id" "ls table"

note "rm is refused while a sandbox uses the image"
assert_sbx_error sbx image rm demo
assert_contains "$LAST_ERR" "$sb" "the error names the sandbox"
sbx terminate "$sb" >/dev/null
assert_exit 0 sbx image rm demo
assert_sbx_error sbx image inspect demo
assert_sbx_error sbx run --image demo -- true

note "prune removes only the layers no image uses"
before=$(layer_count)
assert_exit 0 sbx image prune
assert_contains "$LAST_OUT" "removed 0 layers" "demo's layer is still used by demo2"
sbx image rm "$id2" >/dev/null
assert_exit 0 sbx image prune --json
assert_eq 2 "$(json_get .layers_removed "$LAST_OUT")" "demo2's two layers (the first shared with demo)"
[[ "$(layer_count)" -lt "$before" ]] || fail "prune removed nothing"
assert_layers_complete
assert_exit 0 sbx run --image "$(sbx image build --quiet --pip sbxdemo --pip-no-index --pip-find-links "$wheels" --pip-arg=--upgrade)" -- sbxdemo-hello
assert_eq "hello from sbxdemo 2.0" "$LAST_OUT" "remaining images still work after prune"
