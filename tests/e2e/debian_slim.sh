#!/usr/bin/env bash
# timeout: 900
# shellcheck disable=SC2016  # sandbox commands are single-quoted on purpose
# The debian-slim base: built once per test run with mmdebstrap from the host's Debian mirror
# into SBX_BASE_CACHE (tests/run.sh shares one between all scenarios and both passes), then
# unpacked for this user's sandbox identity: Debian 12, python3 with venv and pip, owned by the
# identity's root. Rootless without subordinate ids or fakechroot, building fails with a message
# that says what the machine lacks. With the images work present, a sandbox runs on it.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

[[ -n "${SBX_BASE_CACHE:-}" ]] || export SBX_BASE_CACHE=$TEST_TMP/base-cache
if ! ls "$SBX_BASE_CACHE"/debian-slim-*.tar >/dev/null 2>&1; then
  command -v mmdebstrap >/dev/null || skip "mmdebstrap is not installed and no debian-slim tarball is cached"
  if ! is_root && [[ ! -x /usr/bin/fakechroot ]] && ! grep -q "^$(id -un):" /etc/subuid 2>/dev/null; then
    skip "this user can build debian-slim neither in unshare nor in fakechroot mode"
  fi
fi

note "prepare-base debian-slim (builds the cached tarball when the run has none yet)"
SBX_CALL_TIMEOUT=840 capture sbx prepare-base debian-slim
[[ "$LAST_RC" == 0 ]] || fail "prepare-base debian-slim exited $LAST_RC: $LAST_ERR"
ROOTFS=$LAST_OUT
[[ "$ROOTFS" == "$SBX_HOME"/base/debian-slim-* ]] || fail "rootfs path $(show "$ROOTFS")"
ls "$SBX_BASE_CACHE"/debian-slim-bookworm-*.tar >/dev/null || fail "no tarball in the shared cache"
if is_root; then
  owner=$(stat -c %u "$ROOTFS/usr/bin")
  ((owner >= 65536)) || fail "rootful rootfs owned by uid $owner, not a shifted range"
  group=$(stat -c %g "$ROOTFS/usr/bin")
  assert_eq "$((group + 42))" "$(stat -c %g "$ROOTFS/etc/shadow")" "group shadow (42) shifted too"
  assert_eq 2755 "$(stat -c %a "$ROOTFS/usr/bin/chage")" "set-gid bit kept"
else
  assert_eq "$(id -u)" "$(stat -c %u "$ROOTFS/usr/bin")" "rootless rootfs owner"
fi
assert_match '^12\.[0-9]+$' "$(cat "$ROOTFS/etc/debian_version")" "debian_version"
[[ -e "$ROOTFS/usr/bin/python3" && -e "$ROOTFS/usr/lib/python3/dist-packages/pip" ]] ||
  fail "python3 or pip missing from the rootfs"
[[ ! -e "$ROOTFS/dev/null" ]] || fail "device nodes were unpacked into the rootfs"

note "a second call reuses it at once"
assert_exit 0 sbx prepare-base debian-slim
assert_eq "$ROOTFS" "$LAST_OUT" "second prepare-base"
assert_not_contains "$LAST_ERR" "building" "second prepare-base"

note "a local base: a directory and a tarball of one, refused without /bin/sh"
LOCAL=$(scratch_dir)
mkdir -p "$LOCAL/usr/bin" "$LOCAL/etc"
ln -s usr/bin "$LOCAL/bin"
cp /bin/sh "$LOCAL/usr/bin/sh"
echo local > "$LOCAL/etc/marker"
assert_exit 0 sbx prepare-base "$LOCAL"
assert_eq local "$(cat "$LAST_OUT/etc/marker")" "imported directory"
tar -C "$LOCAL" -czf "$TEST_TMP/local.tgz" .
assert_exit 0 sbx prepare-base "$TEST_TMP/local.tgz"
assert_eq local "$(cat "$LAST_OUT/etc/marker")" "imported tarball"
EMPTY=$(scratch_dir)
assert_sbx_error sbx prepare-base "$EMPTY"
assert_eq "sbx: base '$EMPTY' has no /bin/sh: it is not a root filesystem" "$LAST_ERR" "no /bin/sh"
echo "not a tar" > "$TEST_TMP/junk.tar"
assert_sbx_error sbx prepare-base "$TEST_TMP/junk.tar"
assert_contains "$LAST_ERR" "is not a usable tar archive" "junk tarball"
assert_sbx_error sbx prepare-base /dev/null
assert_eq "sbx: base '/dev/null' is neither a directory nor a tar archive" "$LAST_ERR" "a device"
assert_sbx_error sbx prepare-base "$TEST_TMP/missing"
[[ -z "$(ls -d "$SBX_HOME"/base/*.partial 2>/dev/null)" ]] || fail "a failed import left a .partial"

note "what a machine that cannot build says (an empty cache, tools hidden from PATH)"
BIN=$(scratch_dir)
for f in /usr/bin/* /usr/sbin/*; do
  case "${f##*/}" in fakechroot | fakeroot | fakeroot-* | mmdebstrap) ;; *) ln -sf "$f" "$BIN/" ;; esac
done
if is_root; then
  capture env PATH="$BIN" SBX_BASE_CACHE="$TEST_TMP/empty-cache" SBX_HOME="$TEST_TMP/h2" \
    "$SBX" prepare-base debian-slim
  assert_eq 125 "$LAST_RC" "build without mmdebstrap"
  assert_eq "sbx: building debian-slim needs mmdebstrap, which is not installed (apt-get install mmdebstrap)" \
    "$LAST_ERR" "message without mmdebstrap"
elif grep -q "^$(id -un):" /etc/subuid 2>/dev/null; then
  note "(this user has subordinate ids: the rootless message cannot be shown here)"
else
  ln -sf "$(command -v mmdebstrap)" "$BIN/mmdebstrap"
  capture env PATH="$BIN" SBX_BASE_CACHE="$TEST_TMP/empty-cache" SBX_HOME="$TEST_TMP/h2" \
    "$SBX" prepare-base debian-slim
  assert_eq 125 "$LAST_RC" "rootless build without the means"
  assert_eq "sbx: cannot build debian-slim without root: user $(id -un) has no subordinate ids in /etc/subuid and /etc/subgid (for mmdebstrap --mode=unshare) and fakechroot or fakeroot is not installed (for --mode=fakechroot); add one of them, or set SBX_BASE_CACHE to a directory holding a debian-slim tarball built by root" \
    "$LAST_ERR" "rootless message"
fi
[[ -z "$(ls -A "$TEST_TMP/empty-cache" 2>/dev/null | grep -v '\.lock$')" ]] ||
  fail "a refused build left files in the cache"

if ! "$SBX" --help 2>/dev/null | grep -qE "^ +image +"; then
  skip "sbx has no 'image' verb in this build: a sandbox on debian-slim needs the images work (the base itself passed)"
fi
note "a sandbox on debian-slim"
SB=$(sbx_create --base debian-slim)
assert_exit 0 sbx exec "$SB" -- python3 -c 'import venv, pip; print("ok")'
assert_eq ok "$LAST_OUT" "python3 with venv and pip"
assert_match '^12\.[0-9]+$' "$(sbx exec "$SB" -- cat /etc/debian_version)" "debian_version inside"
sbx terminate "$SB" >/dev/null

# An apt step from a Debian repository served on the host's 127.0.0.1 (a .deb made here; the
# base's own sources are replaced first, so nothing but loopback is asked), then a pip step from
# a local wheelhouse: both land where debian-slim's python3 and PATH find them.
# shellcheck source=_image.sh
source "$(dirname "$0")/_image.sh"
repo=$(scratch_dir)
pkg=$(scratch_dir)
mkdir -p "$pkg/DEBIAN" "$pkg/usr/bin"
printf 'Package: sbxhello\nVersion: 1.0\nArchitecture: all\nMaintainer: sbx tests <t@example.invalid>\nDescription: sbx test package\n' \
  >"$pkg/DEBIAN/control"
printf '#!/bin/sh\necho hello from a local deb\n' >"$pkg/usr/bin/sbxhello"
chmod 0755 "$pkg/usr/bin/sbxhello" "$pkg" "$pkg/DEBIAN" "$pkg/usr" "$pkg/usr/bin"
dpkg-deb --root-owner-group -b "$pkg" "$repo/sbxhello_1.0_all.deb" >/dev/null || fail "dpkg-deb failed"
(
  cd "$repo" || exit 1
  dpkg-deb -f sbxhello_1.0_all.deb
  echo "Filename: ./sbxhello_1.0_all.deb"
  echo "Size: $(stat -c %s sbxhello_1.0_all.deb)"
  echo "SHA256: $(sha256sum sbxhello_1.0_all.deb | cut -d' ' -f1)"
  echo
) >"$repo/Packages" || fail "Packages index"
printf 'Origin: sbx-test\nLabel: sbx-test\nSuite: local\nCodename: local\nDate: %s\nSHA256:\n %s %s Packages\n' \
  "$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S UTC')" "$(sha256sum "$repo/Packages" | cut -d' ' -f1)" \
  "$(stat -c %s "$repo/Packages")" >"$repo/Release"
chmod -R a+rX "$repo"
port_file=$TEST_TMP/apt-port
"$PY" -c '
import functools, http.server, socketserver, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
handler.func.log_message = lambda *a: None
server = socketserver.TCPServer(("127.0.0.1", 0), handler)
open(sys.argv[2], "w").write(str(server.server_address[1]))
server.serve_forever()' "$repo" "$port_file" &
server=$!
at_exit kill "$server"
wait_until 20 test -s "$port_file" || fail "the local apt repository did not start"
port=$(cat "$port_file")
wheels=$(scratch_dir)
make_wheel sbxdemo 1.0 "$wheels"
spec=$TEST_TMP/debian-image.json
printf '%s\n' '{"base": "debian-slim", "steps": [' \
  "{\"run\": \"rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*; echo 'deb [trusted=yes] http://127.0.0.1:$port ./' >/etc/apt/sources.list\"}," \
  '{"apt": ["sbxhello"]},' \
  "{\"pip\": [\"sbxdemo\"], \"no_index\": true, \"find_links\": [\"$wheels\"]}" \
  ']}' >"$spec"
SBX_CALL_TIMEOUT=600 capture sbx image build -f "$spec" --network host --name slim-app
[[ "$LAST_RC" == 0 ]] || fail "debian-slim build exited $LAST_RC: $LAST_ERR"
assert_contains "$LAST_ERR" "] apt-get install sbxhello: done in" "the apt step's header and end"
assert_exit 0 sbx run --image slim-app -- sbxhello
assert_eq "hello from a local deb" "$LAST_OUT" "the apt package's program on PATH"
assert_exit 0 sbx run --image slim-app -- python3 -c 'import sbxdemo; print(sbxdemo.__file__)'
assert_match '^/usr/local/lib/python3[.0-9]*/dist-packages/sbxdemo/__init__.py$' "$LAST_OUT" \
  "pip installs into /usr/local on debian-slim"
assert_exit 0 sbx run --image slim-app -- sbxdemo-hello
assert_eq "hello from sbxdemo 1.0" "$LAST_OUT" "the console script on PATH"
note "apt refused on the host base"
assert_sbx_error sbx image build --apt jq
assert_contains "$LAST_ERR" "apt steps need a Debian-based base" "apt on host refused"
