#!/usr/bin/env bash
# shellcheck disable=SC2016  # sandbox commands are single-quoted on purpose
# An image on a local root filesystem directory (a tiny tree made here from host binaries):
# no host /usr or /etc inside, copy/env/workdir/run steps, image defaults under the sandbox's
# own --env/--workdir; the same spec from a JSON file with relative paths; bad spec files and
# flags refused with the bad field named, changing nothing.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=_image.sh
source "$(dirname "$0")/_image.sh"

work=$(scratch_dir)
rootfs=$work/rootfs
for tool in sh cat cp mkdir ls; do
  path=$(command -v "$tool")
  mkdir -p "$rootfs$(dirname "$path")"
  cp -L "$path" "$rootfs$path"
  for lib in $(ldd "$path" | grep -o '/[^ ]*'); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
done
[[ -e "$rootfs/bin" ]] || ln -s usr/bin "$rootfs/bin"
mkdir -p "$work/src/app"
echo data1 >"$work/src/app/f.txt"
chmod -R a+rX "$work"

note "build on a rootfs directory"
assert_exit 0 sbx image build --name tiny --base "$rootfs" --copy "$work/src:/srv" --env MODE=tiny \
  --workdir /srv --run 'echo hi > /hello'
id=$LAST_OUT
assert_contains "$LAST_ERR" "[1/5] base $rootfs" "base header"
assert_exit 0 sbx run --image tiny -- sh -c 'cat /hello; pwd; cat app/f.txt; echo $MODE'
assert_eq "hi
/srv
data1
tiny" "$LAST_OUT" "run, copy, workdir and env steps"
assert_exit 0 sbx run --image tiny -- sh -c 'for p in /etc/passwd /usr/bin/python3 /usr/bin/env; do [ -e $p ] && echo "$p visible"; done; echo end'
assert_eq end "$LAST_OUT" "nothing of the host base inside"
assert_exit 0 sbx run --image tiny --env MODE=mine --workdir / -- sh -c 'pwd; echo $MODE'
assert_eq "/
mine" "$LAST_OUT" "the sandbox's own --env and --workdir win"
sb=$(sbx_create --image tiny)
assert_exit 0 sbx exec "$sb" -- sh -c 'echo changed > /hello; cat /hello'
assert_eq changed "$LAST_OUT" "the image's files are writable through the sandbox's layer"
sbx terminate "$sb" >/dev/null
assert_exit 0 sbx run --image tiny -- cat /hello
assert_eq hi "$LAST_OUT" "the layer itself is unchanged"

note "the copied directory's content is part of the layer id"
assert_exit 0 sbx image build --quiet --base "$rootfs" --copy "$work/src:/srv" --env MODE=tiny --workdir /srv --run 'echo hi > /hello'
assert_eq "$id" "$LAST_OUT" "same content, same id"
echo data2 >"$work/src/app/f.txt"
assert_exit 0 sbx image build --base "$rootfs" --copy "$work/src:/srv" --env MODE=tiny --workdir /srv --run 'echo hi > /hello'
assert_ne "$id" "$LAST_OUT" "changed content, new id"
assert_contains "$LAST_ERR" "[3/5] workdir /srv: cached" "steps before the copy are cached"
assert_match "\[4/5\] copy .*: done in" "$LAST_ERR" "the copy is redone"
assert_exit 0 sbx run --image "$LAST_OUT" -- cat /srv/app/f.txt
assert_eq data2 "$LAST_OUT" "the new content"

note "the same image from a JSON file with relative paths"
cat >"$work/image.json" <<'JSON'
{
  "name": "tiny-file",
  "base": "rootfs",
  "steps": [
    {"env": {"MODE": "tiny"}},
    {"workdir": "/srv"},
    {"copy": "src", "dest": "/srv"},
    {"run": "echo hi > /hello"}
  ]
}
JSON
assert_exit 0 sbx image build -f "$work/image.json"
assert_contains "$LAST_ERR" "cached" "the file spec hits the cache"
assert_exit 0 sbx run --image tiny-file -- cat /srv/app/f.txt
assert_eq data2 "$LAST_OUT" "image named by the file"

note "bad specs are refused, naming the field"
before=$(sbx_json image ls --json)
bad() {  # bad JSON EXPECTED-IN-ERROR
  printf '%s\n' "$1" >"$work/bad.json"
  assert_sbx_error sbx image build -f "$work/bad.json"
  assert_contains "$LAST_ERR" "$2" "error for $1"
}
bad '{"steps": [{"pip": "six"}]}' 'bad.json: steps[0].pip: expected an array, got string'
bad '{"steps": [{"run": "true", "bogus": 1}]}' 'steps[0].bogus: unknown field'
bad '{"steps": [{"run": "true"}, {"pipp": ["x"]}]}' 'steps[1]: a step needs one of'
bad '{"steps": [{"run": "true", "env": {"A": "1"}}]}' 'steps[0]: a step has exactly one of'
bad '{"base": 3}' 'base: expected a string, got integer'
bad '{"bsae": "host"}' 'bsae: unknown field'
bad '{"steps": [{"env": {"1A": "x"}}]}' "environment variable name '1A'"
bad '{"steps": [{"workdir": "rel"}]}' 'must be an absolute path'
bad '{"steps": [{"copy": "nowhere", "dest": "/x"}]}' 'does not exist'
bad '{"steps": [' 'invalid JSON'
assert_sbx_error sbx image build --apt jq
assert_contains "$LAST_ERR" "apt steps need a Debian-based base" "apt on the host base"
assert_sbx_error sbx image build --base /no/such/rootfs
assert_sbx_error sbx image build --pip-no-index
assert_sbx_error sbx image build --network bogus --run true
assert_sbx_error sbx create --image no-such-image
assert_sbx_error sbx image rm no-such-image
assert_eq "$before" "$(sbx_json image ls --json)" "image list unchanged by bad input"
