#!/usr/bin/env bash
# shellcheck disable=SC2016  # sandbox commands are single-quoted on purpose
# sbx run when its row cannot be written (the store made unwritable: chattr +i as root, mode
# 0400 rootless, on the database and its journal). An unnamed run appends its row to the
# journal (sbx.db-pending) once its command has been handed to pid 1; a named one writes the
# database while pid 1 mounts. Either way sbx exits 125 naming the file, the command never
# finishes (its late file never appears), nothing is recorded, and nothing runs, stays mounted
# or is left in the state directory. With the store writable again, both work.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

procs=$TEST_TMP/procs.baseline
snapshot_processes "$procs"
assert_exit 0 sbx ls  # the store exists
db=$SBX_HOME/sbx.db
journal=$db-pending
touch "$journal"

unwritable() {
  if is_root; then
    chattr +i "$db" "$journal" 2>/dev/null ||
      skip "chattr +i does not work on the filesystem of $SBX_HOME"
  else
    chmod 0400 "$db" "$journal"
  fi
}
writable() {
  if is_root; then chattr -i "$db" "$journal"; else chmod 0600 "$db" "$journal"; fi
}
trap writable EXIT

out=$(scratch_dir)
chmod 777 "$out"
for name in "" "--name=named"; do
  note "run ${name:-(unnamed)} with an unwritable store"
  unwritable
  # shellcheck disable=SC2086  # $name is one flag or none
  assert_exit 125 sbx run $name --mount "$out:/out" -- sh -c 'sleep 2; touch /out/late'
  if [[ -z $name ]]; then
    assert_contains "$LAST_ERR" "state journal '$journal'" "the error names the journal"
  else
    assert_contains "$LAST_ERR" "state database '$db'" "the error names the database"
  fi
  writable
  sleep 3  # past the moment the command would have finished
  [[ ! -e $out/late ]] || fail "the command of an unrecorded run ${name:-(unnamed)} went on"
  assert_eq 0 "$(json_eval 'len(d)' "$(sbx_json ls --all --json)")" "rows after the failed run"
  assert_eq "" "$(ls "$SBX_HOME/sandboxes")" "sandbox directories left"
  if grep -F "$SBX_HOME" /proc/self/mountinfo; then
    fail "mounts of the state directory remain on the host"
  fi
  wait_until 30 no_stray_pids "$procs" || fail "processes left: $(describe_stray "$procs")"
done

note "with the store writable, both work"
assert_exit 0 sbx run --mount "$out:/out" -- sh -c 'touch /out/late'
[[ -e $out/late ]] || fail "the command of a run did not run"
assert_exit 0 sbx run --name named -- true
assert_eq 2 "$(json_eval 'len(d)' "$(sbx_json ls --all --json)")" "rows after the good runs"
assert_eq "" "$(running_ids)" "sbx ls --json"
assert_no_stray "$procs"
