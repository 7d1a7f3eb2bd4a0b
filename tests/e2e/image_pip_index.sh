#!/usr/bin/env bash
# shellcheck disable=SC2016  # sandbox commands are single-quoted on purpose
# Images from a PEP 503 simple index served by python3 -m http.server on the host's 127.0.0.1,
# reached by a build with --network host; a requirements file with --pip-index-url.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=_image.sh
source "$(dirname "$0")/_image.sh"
need_host_pip

index=$(scratch_dir)
mkdir -p "$index/simple/sbxindexed"
make_wheel sbxindexed 3.1 "$index/simple/sbxindexed"
cat >"$index/simple/index.html" <<'HTML'
<!DOCTYPE html><html><body><a href="sbxindexed/">sbxindexed</a></body></html>
HTML
cat >"$index/simple/sbxindexed/index.html" <<'HTML'
<!DOCTYPE html><html><body><a href="sbxindexed-3.1-py3-none-any.whl">sbxindexed-3.1-py3-none-any.whl</a></body></html>
HTML
chmod -R a+rX "$index"

port_file=$TEST_TMP/port
"$PY" - "$index" "$port_file" 2>"$TEST_TMP/server.log" <<'PYEOF' &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
open(sys.argv[2], "w").write(str(server.server_address[1]))
server.serve_forever()
PYEOF
server=$!
at_exit kill "$server"
wait_until 20 test -s "$port_file" || fail "the index server did not start"
url="http://127.0.0.1:$(cat "$port_file")/simple"

note "pip install from the local index over the host network"
assert_exit 0 sbx image build --network host --pip sbxindexed --pip-index-url "$url"
id=$LAST_OUT
assert_contains "$LAST_ERR" "Successfully installed sbxindexed-3.1" "installed from the index"
assert_exit 0 sbx run --image "$id" -- python3 -c 'import sbxindexed; print(sbxindexed.__version__)'
assert_eq 3.1 "$LAST_OUT" "import"

note "a requirements file against the same index"
printf 'sbxindexed==3.1\n' >"$TEST_TMP/requirements.txt"
chmod a+r "$TEST_TMP/requirements.txt"
assert_exit 0 sbx image build --network host --pip-requirements "$TEST_TMP/requirements.txt" --pip-index-url "$url"
assert_contains "$LAST_ERR" "pip install -r $TEST_TMP/requirements.txt" "requirements step header"
assert_exit 0 sbx run --image "$LAST_OUT" -- sbxindexed-hello
assert_eq "hello from sbxindexed 3.1" "$LAST_OUT" "console script from the requirements image"

note "without the network the index is out of reach and nothing is cached"
layers=$(layer_count)
assert_exit 125 sbx image build --network none --pip sbxindexed --pip-index-url "$url" --pip-pre --pip-arg=--retries=0
assert_match "exit code [1-9]" "$LAST_ERR" "the failing step's exit code"
assert_eq "$layers" "$(layer_count)" "no layer from the failed build"
