#!/usr/bin/env bash
# An endless stdout flood (`yes` as the entrypoint) cannot fill the host's disk: the log file
# stops at 64 MiB plus one marker line, while the flood goes on being read (the writer is not
# blocked); a bystander sandbox and the host are unaffected. (Foreground exec and run give the
# bytes to the caller's own pipe: nothing is stored.)
# timeout: 240
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/_flood_lib.sh"

cap=$((64 << 20))
bystander_create
SB=$(sbx_create --timeout 120 --cpu 1 -- yes)
log=$SBX_HOME/sandboxes/$SB/logs/stdout
size() { stat -c %s "$log" 2>/dev/null || echo 0; }
capped() { (($(size) > cap)); }
wait_until 150 capped || fail "the log did not reach the cap: $(size) bytes"
first=$(size)
sleep 2
assert_eq "$first" "$(size)" "the log size once capped"
((first < cap + 200)) || fail "log of $first bytes, above the cap"
assert_contains "$(tail -c 200 "$log")" "[sbx: output capped at 64 MiB" "the marker at the end"
assert_eq running "$(sandbox_state "$SB")" "the sandbox while its flood is discarded"
host_responsive
bystander_check
assert_exit 0 sbx terminate "$SB"
