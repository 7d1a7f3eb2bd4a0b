#!/usr/bin/env bash
# shellcheck disable=SC2016  # sandbox commands are single-quoted on purpose
# Seccomp policies: every process in a sandbox (entrypoint and exec alike) runs under the
# default profile unless --policy says otherwise; strict kills instead of failing; a profile
# file in Docker's format works; `sbx policy check` reports problems with their place.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# A probe run with python3 inside: prints "ok" or the errno name of a call the policy denies.
probe='
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def errname(rc):
    return "ok" if rc == 0 else errno.errorcode[ctypes.get_errno()]
what = sys.argv[1]
if what == "unshare":
    print(errname(libc.unshare(0x10000000)))  # CLONE_NEWUSER
elif what == "mount":
    print(errname(libc.mount(b"none", b"/mnt", b"tmpfs", 0, None)))
elif what == "keyctl":
    print(errname(libc.syscall(250, 0, 0, 0, 0, 0)))  # keyctl(KEYCTL_GET_KEYRING_ID)
elif what == "tiocsti":
    print(errname(libc.syscall(16, 0, 0x5412 | (1 << 32), ctypes.byref(ctypes.c_char(b"x")))))
'

note "default: exec'd processes and the entrypoint are filtered"
SB=$(sbx_create --app sec)
assert_exit 0 sbx exec "$SB" -- python3 -c "$probe" unshare
assert_eq EPERM "$LAST_OUT" "unshare(CLONE_NEWUSER) under the default policy"
assert_exit 0 sbx exec "$SB" -- python3 -c "$probe" mount
assert_eq EPERM "$LAST_OUT" "mount under the default policy"
assert_exit 0 sbx exec "$SB" -- python3 -c "$probe" keyctl
assert_eq EPERM "$LAST_OUT" "keyctl under the default policy"
assert_exit 0 sbx exec "$SB" -- python3 -c "$probe" tiocsti
assert_eq EPERM "$LAST_OUT" "TIOCSTI with high bits set under the default policy"
assert_exit 0 sbx exec "$SB" -- sh -c 'echo ordinary work; ls / >/dev/null'
assert_eq "ordinary work" "$LAST_OUT" "ordinary programs still work"
EP=$(sbx_create --app sec -- python3 -c "$probe" unshare)
assert_exit 0 sbx wait "$EP"
assert_eq EPERM "$(sbx logs "$EP")" "the entrypoint is filtered too"
info=$(sbx_json inspect "$SB")
assert_eq default "$(json_get .policy "$info")" "inspect shows the policy"

note "strict kills the process (SIGSYS, 128+31)"
assert_exit 159 sbx run --policy strict -- python3 -c "$probe" unshare
assert_exit 0 sbx run --policy strict -- python3 -c 'print("fine")'
assert_eq fine "$LAST_OUT" "ordinary work under strict"

note "permissive still denies the host-threatening calls"
assert_exit 0 sbx run --policy permissive -- python3 -c "$probe" keyctl
assert_eq EPERM "$LAST_OUT" "keyctl under permissive"

note "Docker's own default profile, unchanged, from a file"
docker=${SBX_TESTDATA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testdata}/docker-default-seccomp.json
[[ -r "$docker" ]] || skip "Docker's profile not found at $docker"
copy=$(scratch_dir)/docker.json
cp "$docker" "$copy"
assert_exit 0 sbx policy check "$copy"
assert_contains "$LAST_OUT" "ok" "policy check of Docker's profile"
assert_exit 0 sbx run --policy "$copy" -- python3 -c "$probe" keyctl
assert_eq EPERM "$LAST_OUT" "keyctl under Docker's profile"
assert_exit 0 sbx run --policy "$copy" -- python3 -c 'print(2)'
assert_eq 2 "$LAST_OUT" "ordinary work under Docker's profile"

note "policy check reports every problem with its place; bad input changes nothing"
bad=$(scratch_dir)/bad.json
cat >"$bad" <<'JSON'
{"defaultAction": "SCMP_ACT_NOPE",
 "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
              {"names": ["write"], "action": 7},
              {"action": "SCMP_ACT_ALLOW"}]}
JSON
assert_exit 1 sbx policy check "$bad"
assert_contains "$LAST_OUT" "defaultAction" "the bad default action is named"
assert_contains "$LAST_OUT" "syscalls[1].action" "the bad rule action is named"
assert_contains "$LAST_OUT" "syscalls[2]" "the rule without names is named"
before=$(sbx ls --all --json)
assert_sbx_error sbx run --policy "$bad" -- true
assert_sbx_error sbx create --policy no-such-policy
assert_eq "$before" "$(sbx ls --all --json)" "a bad policy records no sandbox"
assert_exit 0 sbx policy show default
assert_contains "$LAST_OUT" "default action" "policy show"
sbx terminate "$SB"
