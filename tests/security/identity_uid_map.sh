#!/usr/bin/env bash
# Identity and capabilities: the sandbox's root is never host root. Rootless it is the
# caller's own uid (one id); as real root, an unprivileged range far from 0. setgroups is denied.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

assert_exit 0 sbx run -- sh -c 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u'
read -r -a uid <<<"$(sed -n 1p <<<"$LAST_OUT")"
read -r -a gid <<<"$(sed -n 2p <<<"$LAST_OUT")"
assert_eq deny "$(sed -n 3p <<<"$LAST_OUT")" "setgroups"
assert_eq 0 "$(sed -n 4p <<<"$LAST_OUT")" "uid inside"
assert_eq 0 "${uid[0]}" "first uid inside"
if is_root; then
  ((uid[1] >= 65536 && gid[1] >= 65536)) || fail "as root the range starts at host uid ${uid[1]}/gid ${gid[1]}"
  assert_eq 65536 "${uid[2]}" "uid range size"
else
  assert_eq "$(id -u) 1" "${uid[1]} ${uid[2]}" "rootless uid map"
  assert_eq "$(id -g) 1" "${gid[1]} ${gid[2]}" "rootless gid map"
fi
