#!/usr/bin/env bash
# Setuid files written into layers: a root-owned setuid copy of a program, made in the
# sandbox's layer and in a --mount, is on the host owned by the sandbox's mapped uid (the caller,
# or an unprivileged range as root), never by host root; inside, nosuid and no_new_privs make
# the bit confer nothing.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
shared=$(scratch_dir)
chmod 777 "$shared"
SB=$(sbx_create "${PROBE_MOUNT[@]}" --mount "$shared:/shared")
sb_sh "$SB" 'cp /probe/probe /shared/suid && chown 0:0 /shared/suid && chmod 4755 /shared/suid; cp /probe/probe /opt/suid && chown 0:0 /opt/suid && chmod 4755 /opt/suid' >/dev/null
read -r mode owner <<<"$(stat -c '%a %u' "$shared/suid")"
assert_eq 4755 "$mode" "host mode of the setuid file written to a mount"
assert_ne 0 "$owner" "host owner of the setuid file written to a mount"
is_root || assert_eq "$(id -u)" "$owner" "rootless: the caller owns it"
layer=$(find "$SBX_HOME" -path '*/opt/suid' -type f 2>/dev/null | head -n 1 || true)
[[ -n "$layer" ]] || fail "the file written to /opt is not in the sandbox's layer under SBX_HOME"
assert_ne 0 "$(stat -c %u "$layer")" "host owner of the setuid file in the layer"
if is_root; then
  note "inside: a uid other than 0 running the setuid-root copy stays itself"
  assert_exit 0 sbx exec "$SB" -- setpriv --reuid=1000 --regid=1000 --keep-groups -- /opt/suid ids
  assert_eq "1000 1000 1000" "$LAST_OUT" "real, effective, saved uid after exec of a setuid-root file"
fi
assert_exit 0 sbx exec "$SB" -- sh -c 'awk '"'"'$5 == "/" || $5 == "/shared" { print $6 }'"'"' /proc/self/mountinfo'
while read -r opts; do
  [[ ",$opts," == *,nosuid,* ]] || fail "a mount without nosuid: $opts"
done <<<"$LAST_OUT"
