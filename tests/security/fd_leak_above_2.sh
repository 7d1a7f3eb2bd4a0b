#!/usr/bin/env bash
# Leaked fds: descriptors the caller of sbx holds open (here 7, 9 and 42, on a host file and a
# host directory) never reach a sandboxed process: the entrypoint and every exec see nothing
# open above fd 2.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
secret=$(scratch_dir)
echo host-only >"$secret/file"
exec 7<"$secret/file" 9<"$secret" 42>"$secret/out"
EP=$(sbx_create "${PROBE_MOUNT[@]}" -- /probe/probe fds)
assert_exit 0 sbx wait "$EP"
assert_eq none "$(sbx logs "$EP")" "descriptors above 2 in the entrypoint"
SB=$(sbx_create "${PROBE_MOUNT[@]}")
probe_exec "$SB" fds
expect none "descriptors above 2 in an exec"
assert_exit 0 sbx exec "$SB" -- sh -c '/probe/probe fds & wait'
assert_eq none "$LAST_OUT" "descriptors above 2 in a child of an exec"
probe_run -- fds
expect none "descriptors above 2 in sbx run"
capture sbx exec --detach "$SB" -- /probe/probe fds
assert_eq 0 "$LAST_RC" "exec --detach"
pr=$LAST_OUT
assert_exit 0 sbx wait "$pr"
assert_eq none "$(sbx logs "$pr")" "descriptors above 2 in a detached exec"
exec 7<&- 9<&- 42>&-
