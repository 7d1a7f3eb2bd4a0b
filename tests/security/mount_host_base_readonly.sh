#!/usr/bin/env bash
# Mounts: the host base (/usr, /etc, /bin, ...) is read-only, nosuid and nodev inside: chmod and
# new files fail with EROFS, writes to host files with EACCES (their owner is unmapped), and the host files are unchanged afterwards.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
before=$(stat -c '%a %s %Y' /etc/passwd /usr/bin/env)
SB=$(sbx_create "${PROBE_MOUNT[@]}")
probe_exec "$SB" open_append /etc/passwd
expect EACCES "open /etc/passwd (owned by unmapped host root) for writing"
probe_exec "$SB" chmod_suid /usr/bin/env
expect EROFS "chmod 4755 /usr/bin/env"
probe_exec "$SB" create /etc/sbx-probe
expect EROFS "a new file in /etc"
probe_exec "$SB" create /usr/bin/sbx-probe
expect EROFS "a new file in /usr/bin"
assert_exit 0 sbx exec "$SB" -- sh -c 'awk '"'"'$5 == "/usr" || $5 == "/etc" { print $5, $6 }'"'"' /proc/self/mountinfo'
while read -r target opts; do
  for flag in ro nosuid nodev; do
    [[ ",$opts," == *",$flag,"* ]] || fail "$target is mounted $opts, without $flag"
  done
done <<<"$LAST_OUT"
assert_eq 2 "$(wc -l <<<"$LAST_OUT")" "/usr and /etc found in mountinfo"
assert_eq "$before" "$(stat -c '%a %s %Y' /etc/passwd /usr/bin/env)" "host files unchanged"
[[ ! -e /etc/sbx-probe && ! -e /usr/bin/sbx-probe ]] || fail "a probe file reached the host"
