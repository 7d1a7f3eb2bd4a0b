#!/usr/bin/env bash
# Reading host files: the sbx state directory (SQLite database, sandbox layers, logs) is not
# visible inside: its path is absent (ENOENT), no mount or open file names it, and a secret's
# value stored in the database is not found anywhere inside but in the environment it was given to.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
secret_value=sbx-state-secret-$$-$RANDOM
sbx secret create statesec "TOKEN=$secret_value" >/dev/null
SB=$(sbx_create "${PROBE_MOUNT[@]}")
probe_exec "$SB" open_read "$SBX_HOME"
expect ENOENT "open $SBX_HOME"
db=$(find "$SBX_HOME" -maxdepth 1 -type f -name '*.db' | head -n 1)
[[ -n "$db" ]] || fail "no database file found in $SBX_HOME"
probe_exec "$SB" open_read "$db"
expect ENOENT "open $db"
assert_exit 0 sbx exec "$SB" -- sh -c "grep -c -F '$SBX_HOME' /proc/self/mountinfo /proc/mounts || true"
assert_not_contains "$LAST_OUT" ":1" "the state dir named in mountinfo"
assert_exit 0 sbx exec "$SB" -- sh -c "grep -r -l -s -F '$secret_value' /etc /tmp /root /var /opt /run 2>/dev/null || true"
assert_eq "" "$LAST_OUT" "files holding the secret value"
