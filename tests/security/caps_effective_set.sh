#!/usr/bin/env bash
# Identity and capabilities: every capability set of a sandboxed process (entrypoint and exec)
# is exactly the documented small set (CAP_CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID,
# SETUID, NET_BIND_SERVICE = 0x4fb); inheritable and ambient are empty.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

want=00000000000004fb
caps='grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" /proc/self/status'
expected="CapInh:	0000000000000000
CapPrm:	$want
CapEff:	$want
CapBnd:	$want
CapAmb:	0000000000000000"
assert_exit 0 sbx run -- sh -c "$caps"
assert_eq "$expected" "$LAST_OUT" "capability sets of a one-shot entrypoint"
SB=$(sbx_create)
assert_exit 0 sbx exec "$SB" -- sh -c "$caps"
assert_eq "$expected" "$LAST_OUT" "capability sets of an exec"
is_root || exit 0 # rootless, the sandbox has one uid: there is no other to switch to
note "a non-root uid inside keeps no capability at all"
assert_exit 0 sbx exec "$SB" -- setpriv --reuid=1000 --regid=1000 --keep-groups -- sh -c "$caps"
assert_match 'CapPrm:	0000000000000000' "$LAST_OUT" "permitted set after setuid(1000)"
assert_match 'CapEff:	0000000000000000' "$LAST_OUT" "effective set after setuid(1000)"
