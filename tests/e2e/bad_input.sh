#!/usr/bin/env bash
# timeout: 300
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# Bad input gets sbx's own failure: exit 125, nothing on stdout, one line "sbx: …" on stderr
# naming what is wrong, and no change at all to the store (apps, secrets, sandboxes and their
# processes are identical before and after). Covers unknown sandboxes, a duplicate name, bad
# K=V pairs, a relative workdir, a missing mount source, bad env keys, timeouts out of range,
# empty commands and unknown secrets.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# snapshot: everything sbx shows about the store.
snapshot() {
  sbx ls --all --json
  sbx app ls
  sbx secret ls
  sbx inspect "$SB"
}

# bad KEYWORD CMD…: CMD fails as bad input, its message mentions KEYWORD (any case), and the
# store is unchanged (compared with SNAPSHOT, taken once the setup below was done: since no bad
# call may change anything, the snapshot after one call is the one before the next).
SNAPSHOT=""
bad() {
  local keyword=$1 after
  shift
  assert_sbx_error "$@"
  [[ "${LAST_ERR,,}" == *"${keyword,,}"* ]] ||
    fail "$(printf '%q ' "$@"): the message $(show "$LAST_ERR") does not mention $(show "$keyword")"
  after=$(snapshot)
  assert_eq "$SNAPSHOT" "$after" "store after $(printf '%q ' "$@")"
  note "ok: $(printf '%q ' "$@")→ $LAST_ERR"
}

assert_exit 0 sbx app create my-app
assert_exit 0 sbx secret create my-secret MY_SECRET=hello
SB=$(sbx_create --app my-app --name taken)
assert_exit 0 sbx exec "$SB" -- true
PR=$(sbx exec --detach "$SB" -- true)
assert_exit 0 sbx wait "$PR"
src=$(scratch_dir)
SNAPSHOT=$(snapshot)

note "unknown sandbox (by id, by name, by name in another app) and unknown process"
unknown_sb=sb-000000000000000000000000
unknown_pr=pr-000000000000000000000000
bad "$unknown_sb" sbx exec "$unknown_sb" -- true
bad "$unknown_sb" sbx terminate "$unknown_sb"
bad "$unknown_sb" sbx inspect "$unknown_sb"
bad "$unknown_sb" sbx wait "$unknown_sb"
bad "$unknown_sb" sbx poll "$unknown_sb"
bad "$unknown_sb" sbx logs "$unknown_sb"
bad "$unknown_sb" sbx tag "$unknown_sb" a=1
bad nope sbx exec nope -- true
bad nope sbx terminate nope
bad taken sbx exec taken -- true
bad taken sbx exec --app other-app taken -- true
bad "$unknown_pr" sbx wait "$unknown_pr"
bad "$unknown_pr" sbx poll "$unknown_pr"
bad "$unknown_pr" sbx logs "$unknown_pr"

note "duplicate name among running sandboxes of an app"
bad taken sbx create --app my-app --name taken

note "bad K=V"
bad NOEQUALS sbx create --env NOEQUALS
bad NOEQUALS sbx create --tag NOEQUALS
bad env sbx create --env =value
bad tag sbx create --tag =value
bad NOEQUALS sbx exec --env NOEQUALS "$SB" -- true
bad NOEQUALS sbx tag "$SB" NOEQUALS
bad NOEQUALS sbx secret create new-secret NOEQUALS
bad NOEQUALS sbx secret create new-secret GOOD=1 NOEQUALS

note "relative workdir"
bad repo sbx create --workdir repo
bad repo sbx create --app new-app --workdir repo
bad repo sbx exec --workdir repo "$SB" -- true
bad repo sbx run --workdir repo -- true

note "missing mount source, malformed mounts"
bad /no-such-dir-7c1e sbx create --mount /no-such-dir-7c1e:/data
bad "$src/missing" sbx create --app new-app --mount "$src/missing:/data"
bad /no-such-dir-7c1e sbx run --mount /no-such-dir-7c1e:/data -- true
bad mount sbx create --mount "$src"
bad data sbx create --mount "$src:data"
bad rx sbx create --mount "$src:/data:rx"

note "env keys not [A-Za-z_][A-Za-z0-9_]*"
bad 1BAD sbx create --env 1BAD=x
bad BAD-KEY sbx create --env BAD-KEY=x
bad "A B" sbx create --env "A B=x"
bad 1BAD sbx exec --env 1BAD=x "$SB" -- true
bad 9KEY sbx secret create new-secret 9KEY=x
bad BAD-KEY sbx run --env BAD-KEY=x -- true

note "timeouts out of range"
for t in 0 -1 86401 abc; do
  bad timeout sbx create --timeout "$t"
  bad timeout sbx run --timeout "$t" -- true
done
for t in -1 86401 abc; do
  bad timeout sbx create --idle-timeout "$t"
  bad timeout sbx exec --timeout "$t" "$SB" -- true
done

note "empty commands"
bad command sbx exec "$SB" --
bad command sbx exec "$SB"
bad command sbx run --
bad command sbx run

note "unknown secret"
bad nope-secret sbx create --secret nope-secret
bad nope-secret sbx exec --secret nope-secret "$SB" -- true
bad nope-secret sbx run --secret nope-secret -- true

note "the largest timeout is accepted"
SB_MAX=$(sbx_create --timeout 86400)
assert_eq 86400 "$(field "$SB_MAX" .timeout)" "timeout 86400"
