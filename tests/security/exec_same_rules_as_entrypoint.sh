#!/usr/bin/env bash
# Exec is no way around the rules: an exec'd process has the same uid/gid, capability sets,
# no_new_privs, seccomp mode and filter count, session leadership and environment keys as the
# entrypoint, and the same seccomp denials (EPERM for keyctl, unshare, mount).
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
facts='grep -E "^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp|Seccomp_filters):" /proc/self/status | tr -s "\t" " "; env | cut -d= -f1 | sort | tr "\n" " "; echo; [ "$(cut -d" " -f6 /proc/$$/stat)" = $$ ] && echo leader; /probe/probe open_dev_tty; /probe/probe keyctl; /probe/probe unshare_user; /probe/probe mount_tmpfs'
EP=$(sbx_create "${PROBE_MOUNT[@]}" -- sh -c "$facts; sleep 120")
wait_until 30 eval '[[ "$(sbx logs "$EP" | wc -l)" -ge 17 ]]' || fail "the entrypoint did not report: $(sbx logs "$EP")"
entry=$(sbx logs "$EP")
assert_exit 0 sbx exec "$EP" -- sh -c "$facts"
assert_eq "$entry" "$LAST_OUT" "an exec's identity, capabilities, seccomp and environment vs the entrypoint's"
assert_contains "$entry" "NoNewPrivs: 1" "no_new_privs"
assert_match $'Seccomp: 2\nSeccomp_filters: 1' "$entry" "one seccomp filter"
assert_contains "$entry" $'leader\nENXIO\nEPERM\nEPERM\nEPERM' "session and denials"
assert_exit 0 sbx exec --detach "$EP" -- sh -c "$facts"
pr=$LAST_OUT
assert_exit 0 sbx wait "$pr"
assert_eq "$entry" "$(sbx logs "$pr")" "a detached exec vs the entrypoint"
