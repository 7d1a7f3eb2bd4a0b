#!/usr/bin/env bash
# The view of /proc: /proc/sys (core_pattern, modprobe, hostname, drop_caches), /proc/bus,
# /proc/fs and /proc/irq are mounted read-only; opening sysctls for writing fails with EACCES
# (host-wide ones belong to unmapped host root, the network ones need CAP_NET_ADMIN), and the
# host values are unchanged.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
core=$(cat /proc/sys/kernel/core_pattern)
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for f in sys/kernel/core_pattern sys/kernel/modprobe sys/vm/drop_caches sys/kernel/randomize_va_space sys/net/ipv4/ip_forward sys/net/core/somaxconn; do
  [[ -e "/proc/$f" ]] || continue # e.g. no modprobe without CONFIG_MODULES
  probe_exec "$SB" open_write "/proc/$f"
  expect EACCES "open /proc/$f for writing"
done
assert_exit 0 sbx exec "$SB" -- sh -c 'awk '"'"'$5 ~ "^/proc/(sys|bus|fs|irq)$" { print $5, $6 }'"'"' /proc/self/mountinfo | sort'
[[ "$(wc -l <<<"$LAST_OUT")" -ge 2 ]] || fail "read-only /proc mounts: $(show "$LAST_OUT")"
while read -r target opts; do
  [[ ",$opts," == *,ro,* ]] || fail "$target is mounted $opts"
done <<<"$LAST_OUT"
assert_eq "$core" "$(cat /proc/sys/kernel/core_pattern)" "the host's core_pattern"
