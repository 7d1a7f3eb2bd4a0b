#!/usr/bin/env bash
# Identity and capabilities: every sandboxed process leads its own session and has no
# controlling terminal, even when sbx is run from one: open("/dev/tty") fails with ENXIO.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
command -v script >/dev/null || skip "script(1) is missing: cannot give sbx a terminal"
SB=$(sbx_create "${PROBE_MOUNT[@]}")
probe_exec "$SB" session
expect "leader notty" "an exec from a pipe"
probe_exec "$SB" open_dev_tty
expect ENXIO "open /dev/tty"
note "sbx itself on a terminal (script(1) allocates one)"
out=$(script -qec "$(printf '%q ' "$SBX" exec "$SB" -- /probe/probe session)" /dev/null </dev/null) ||
  fail "sbx exec under script(1) failed: $out"
out=${out//$'\r'/}
assert_eq "leader notty" "$out" "an exec whose caller has a terminal"
