#!/usr/bin/env bash
# Reading host files: /etc/shadow, /etc/gshadow and the SSH host keys read as empty inside
# (masked with /dev/null) although the host's are not, and what is written to them
# inside is lost (the mask is /dev/null): the host files are unchanged.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
[[ -f /etc/shadow ]] || skip "this host has no /etc/shadow"
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for f in /etc/shadow /etc/gshadow; do
  [[ -e "$f" ]] || continue
  assert_exit 0 sbx exec "$SB" -- sh -c "wc -c <$f; stat -c %t:%T $f"
  assert_eq "0
1:3" "$LAST_OUT" "$f inside: size, and the device (1:3 is /dev/null)"
  before=$(stat -c '%s %Y %Z' "$f")
  assert_exit 0 sbx exec "$SB" -- sh -c "echo 'root:x:0:0::' >$f; wc -c <$f"
  assert_eq 0 "$LAST_OUT" "$f after writing to it inside (the write went to /dev/null)"
  assert_eq "$before" "$(stat -c '%s %Y %Z' "$f")" "the host's $f"
done
for key in /etc/ssh/ssh_host_*_key; do
  [[ -e "$key" ]] || continue
  assert_exit 0 sbx exec "$SB" -- sh -c "wc -c <$key"
  assert_eq 0 "$LAST_OUT" "$key inside"
done
if is_root; then
  [[ -s /etc/shadow ]] || fail "the host's /etc/shadow is empty: the probe proves nothing"
fi
