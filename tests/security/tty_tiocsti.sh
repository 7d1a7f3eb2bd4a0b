#!/usr/bin/env bash
# The terminal: TIOCSTI (typing into a terminal) fails with EPERM under default and permissive,
# also with high bits set in the request, on a pty the sandbox opened and on its stdin while
# sbx runs on a terminal; under strict it kills (SIGSYS). The caller's terminal never reaches
# the sandbox: its stdin there is not that terminal.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
probe_exec "$SB" tiocsti
expect EPERM "TIOCSTI on a new pty"
probe_exec "$SB" tiocsti_high
expect EPERM "TIOCSTI | 1<<32 on a new pty"
probe_run --policy permissive -- tiocsti_high
expect EPERM "TIOCSTI | 1<<32 under permissive"
probe_run --policy strict -- tiocsti
expect_killed_sigsys "TIOCSTI under strict"
command -v script >/dev/null || skip "script(1) is missing: cannot give sbx a terminal (the pty cases passed)"
out=$(script -qec "$(printf '%q ' "$SBX" exec "$SB" -- /probe/probe tiocsti_stdin)" /dev/null </dev/null) ||
  fail "sbx exec under script(1) failed: $out"
assert_eq EPERM "${out//$'\r'/}" "TIOCSTI on stdin when sbx runs on a terminal"
