#!/usr/bin/env bash
# Reading host files: the caller's home directory (a marker file in it), /home and /root of
# the host are not visible: the marker is absent (ENOENT) and /home and /root are empty.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
home=${HOME:-}
marker=""
if [[ -n "$home" && -d "$home" && -w "$home" ]]; then
  marker=$home/.sbx-probe-secret.$$
  echo "ssh-private-key" >"$marker"
  at_exit rm -f "$marker"
fi
SB=$(sbx_create "${PROBE_MOUNT[@]}")
if [[ -n "$marker" ]]; then
  probe_exec "$SB" open_read "$marker"
  expect ENOENT "the marker in the caller's home ($marker)"
fi
assert_exit 0 sbx exec "$SB" -- sh -c 'ls -A /home /root | grep -v -e "^/" -e "^$" || true'
assert_eq "" "$LAST_OUT" "entries in /home and /root"
if [[ -d "${home:-/nonexistent}/.ssh" ]]; then
  probe_exec "$SB" open_read "$home/.ssh"
  expect ENOENT "$home/.ssh"
fi
[[ -n "$marker" ]] || is_root || skip "no writable home to plant a marker in (HOME=$home); /home and /root were empty"
