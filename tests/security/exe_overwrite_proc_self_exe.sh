#!/usr/bin/env bash
# /proc/self/exe overwrite of sbx (CVE-2019-5736): pid 1 of the sandbox runs the sbx binary,
# but /proc/1/exe cannot be opened for reading or writing (EACCES); an exec'd process's
# /proc/self/exe is its own program, which it cannot open for writing (EACCES); the host's sbx
# binary is byte-for-byte unchanged afterwards.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
sum=$(sha256sum "$SBX" | cut -d' ' -f1)
SB=$(sbx_create "${PROBE_MOUNT[@]}")
probe_exec "$SB" open_write /proc/1/exe
expect EACCES "open /proc/1/exe for writing"
probe_exec "$SB" open_read /proc/1/exe
expect EACCES "open /proc/1/exe for reading"
probe_exec "$SB" readlink /proc/self/exe
expect ok "readlink /proc/self/exe"
assert_exit 0 sbx exec "$SB" -- readlink /proc/self/exe
assert_eq /usr/bin/readlink "$LAST_OUT" "an exec's /proc/self/exe is its own program"
assert_exit 0 sbx exec "$SB" -- python3 -c '
import errno, os
try:
    os.open("/proc/self/exe", os.O_WRONLY)
    print("ok")
except OSError as e:
    print(errno.errorcode[e.errno])'
assert_eq EACCES "$LAST_OUT" "open /proc/self/exe (python3, owned by unmapped host root) for writing"
assert_exit 0 sbx exec "$SB" -- sh -c 'for p in /proc/[0-9]*; do readlink $p/exe 2>/dev/null; done | grep -c sbx || true'
assert_eq 0 "$LAST_OUT" "processes whose exe link shows the sbx binary"
assert_eq "$sum" "$(sha256sum "$SBX" | cut -d' ' -f1)" "the sbx binary is unchanged"
