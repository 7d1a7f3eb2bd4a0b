#!/usr/bin/env bash
# File capabilities written inside: setting security.capability (a file capability granting
# CAP_SYS_ADMIN) fails with EPERM (no CAP_SETFCAP), on the layer and on a --mount; the host file
# carries no such attribute.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
shared=$(scratch_dir)
chmod 777 "$shared"
SB=$(sbx_create "${PROBE_MOUNT[@]}" --mount "$shared:/shared")
sb_sh "$SB" 'cp /probe/probe /shared/capfile; cp /probe/probe /opt/capfile' >/dev/null
probe_exec "$SB" setxattr_fcap /shared/capfile
expect EPERM "setxattr security.capability on a mounted file"
probe_exec "$SB" setxattr_fcap /opt/capfile
expect EPERM "setxattr security.capability in the layer"
"$PY" - "$shared/capfile" <<'PY' || fail "the host file has a security.capability attribute"
import os, sys
try:
    os.getxattr(sys.argv[1], "security.capability")
except OSError:
    sys.exit(0)
sys.exit(1)
PY
