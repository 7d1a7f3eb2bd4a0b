#!/usr/bin/env bash
# `sbx doctor`: one line per host check (status, what was found, what sbx does without it);
# on this machine the features sbx needs (kernel, user namespaces, overlayfs, seccomp) and
# io_uring are ok; --json parses and lists every check; the exit status is 0 when sbx can run.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

checks="kernel user_namespaces overlayfs seccomp io_uring cgroups user_network subordinate_ids"

assert_exit 0 sbx doctor
text=$LAST_OUT
for name in $checks; do
  line=$(grep -E "^(ok|degraded|missing) +$name: " <<<"$text") || fail "no line for $name in: $text"
  assert_contains "$line" "; without it: " "the $name line says what sbx does without it"
done
for name in kernel user_namespaces overlayfs seccomp io_uring; do
  assert_match "^ok +$name: " "$(grep -E " $name: " <<<"$text")" "$name on this machine"
done
assert_eq "sbx can run sandboxes on this host" "$(tail -n 1 <<<"$text")" "the verdict line"

json=$(sbx_json doctor --json)
assert_eq true "$(json_get .usable "$json")" "usable"
assert_eq "${checks// /,}" "$(json_eval '",".join(c["name"] for c in d["checks"])' "$json")" "the checks, in order"
assert_eq true "$(json_eval 'all(c["status"] in ("ok", "degraded", "missing") and c["found"] and c["without"] and isinstance(c["required"], bool) for c in d["checks"])' "$json")" "every check has a status, a finding and a fallback"
assert_eq "kernel,user_namespaces,overlayfs,seccomp" "$(json_eval '",".join(c["name"] for c in d["checks"] if c["required"])' "$json")" "the required checks"
for name in kernel user_namespaces overlayfs seccomp io_uring; do
  assert_eq ok "$(json_eval "[c['status'] for c in d['checks'] if c['name'] == '$name'][0]" "$json")" "$name in --json"
done
assert_eq "" "$(find "$SBX_HOME" -name 'doctor-overlay*')" "the overlay test directories are removed"
assert_sbx_error sbx doctor --bogus
