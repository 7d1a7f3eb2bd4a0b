#!/usr/bin/env bash
# The sbx binary is never reachable or writable from inside: its host path is absent inside
# (ENOENT) unless it lies in the read-only host base, where writing fails with EROFS; no mount
# of the sandbox is its directory.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
sbx_real=$(readlink -f "$SBX")
SB=$(sbx_create "${PROBE_MOUNT[@]}")
case "$sbx_real" in
  /usr/* | /bin/* | /sbin/* | /lib*/* | /etc/*)
    probe_exec "$SB" open_write "$sbx_real"
    expect EROFS "open $sbx_real (in the read-only host base) for writing"
    ;;
  *)
    probe_exec "$SB" open_read "$sbx_real"
    expect ENOENT "open $sbx_real"
    ;;
esac
sbx_dir=$(dirname "$sbx_real")
if [[ "$sbx_dir" != / && "$sbx_dir" != /tmp ]]; then # the sandbox has its own /tmp
  assert_exit 0 sbx exec "$SB" -- sh -c "grep -c -F '$sbx_dir' /proc/self/mountinfo || true"
  assert_eq 0 "$LAST_OUT" "mounts naming the sbx binary's directory"
fi
