#!/usr/bin/env bash
# Leaked cwd: the caller's working directory never reaches the sandbox: an exec starts in
# "/" (or its --workdir), /proc/self/cwd resolves inside the sandbox, and "/.." is "/".
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
here=$(scratch_dir)
cd "$here"
SB=$(sbx_create "${PROBE_MOUNT[@]}")
assert_exit 0 sbx exec "$SB" -- sh -c 'pwd; readlink /proc/self/cwd; ls -A | head -n 3 | wc -l'
assert_eq "/
/" "$(sed -n 1,2p <<<"$LAST_OUT")" "cwd of an exec run from $here"
assert_exit 0 sbx exec --workdir /tmp "$SB" -- readlink /proc/self/cwd
assert_eq /tmp "$LAST_OUT" "cwd with --workdir"
probe_exec "$SB" dotdot
expect same "/.. is /"
probe_exec "$SB" open_read "$here"
expect ENOENT "the caller's cwd $here inside"
