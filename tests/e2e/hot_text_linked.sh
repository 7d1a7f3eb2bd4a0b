#!/usr/bin/env bash
# The link order of build/sbx (tests/bench/README.md, "The order of sbx's text"): the sections
# src/hot_text.ld lists are linked into .text.sbx_hot, before .text; the list still names what
# the link holds (hot_text.py --check, from build/sbx.map), so a change to the build (say,
# dropping -ffunction-sections) or a list gone stale shows here; and the functions every
# command runs (main, the CLI's parse) lie inside it. Only the layout is checked: what it
# saves is measured by `make bench`, never here.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAP=$(dirname "$SBX")/sbx.map
[[ -f $MAP ]] || fail "no link map beside $SBX ($MAP): the Makefile writes one at every link"
command -v readelf >/dev/null || skip "no readelf (binutils)"

read -r start size < <(readelf -SW "$SBX" | awk '$2 == ".text.sbx_hot" {print $4, $6}') || true
[[ -n ${start:-} ]] || fail "build/sbx has no .text.sbx_hot section: $(readelf -SW "$SBX" | grep text)"
start=$((16#$start)) size=$((16#$size))
((size > 256 * 1024)) || fail "the hot text is only $size bytes"
text_start=$(readelf -SW "$SBX" | awk '$2 == ".text" {print $4}')
((start < 16#$text_start)) || fail "the hot text does not come before .text"

check=$(python3 "$ROOT/tests/bench/hot_text.py" --check --out "$ROOT/src/hot_text.ld" --map "$MAP")
note "$check"
read -r found _ listed _ <<<"$check"
((listed > 0)) || fail "src/hot_text.ld lists nothing: $check"
((found * 10 >= listed * 9)) || fail "the link finds under 90% of src/hot_text.ld: regenerate it ($check)"

in_hot() {
  local addr
  addr=$(nm --defined-only "$SBX" | awk -v s="$1" '$3 == s {print $1; exit}')
  [[ -n $addr ]] || fail "no symbol $1 in $SBX"
  addr=$((16#$addr))
  ((addr >= start && addr < start + size))
}
for f in main _ZN3sbx3cli7run_cliEiPPc _ZN3sbx6Engine3runERKNS_11SandboxSpecERKNS_5StdioE \
  _ZN3sbx13start_sandboxERKNS_11SandboxPlanEPNS_13LimitsBackendERKSt8functionIFNS_6ResultIvEERKNS_14SandboxProcessEEE; do
  in_hot "$f" || fail "$f is not in the hot text"
done
