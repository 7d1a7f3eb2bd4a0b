#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# sbx run: create, exec, terminate in one call. Output and exit code are the command's; create
# options apply; stdin passes through; afterwards nothing of it runs or stays mounted.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

procs=$TEST_TMP/procs.baseline
snapshot_processes "$procs"

note "sbx run -- python3 -c 'print(1)'"
assert_exit 0 sbx run -- python3 -c 'print(1)'
assert_eq 1 "$LAST_OUT" "stdout of run"
assert_eq "" "$LAST_ERR" "stderr of run"

note "exit codes"
assert_exit 7 sbx run -- sh -c 'exit 7'
assert_exit 127 sbx run -- no-such-command-4b1d
assert_exit 137 sbx run -- sh -c 'kill -9 $$'
assert_exit 0 sbx run -- true

note "stdout and stderr apart; stdin passed through"
assert_exit 3 sbx run -- sh -c 'echo out; echo err >&2; exit 3'
assert_eq out "$LAST_OUT" "run stdout"
assert_eq err "$LAST_ERR" "run stderr"
out=$(printf 'a\nb' | sbx run -- wc -l)
assert_eq 1 "$out" "wc -l of stdin through run"

note "create options apply"
mnt=$(scratch_dir)
echo mounted >"$mnt/f"
assert_exit 0 sbx secret create run-secret TOKEN=t0k
assert_exit 0 sbx run --app oneshot --env X=1 --secret run-secret --workdir /data \
  --mount "$mnt:/data:ro" --tag kind=oneshot -- sh -c 'echo "$X $TOKEN $(pwd) $(cat f)"'
assert_eq "1 t0k /data mounted" "$LAST_OUT" "run with create options"

note "nothing is left running or mounted"
assert_eq "" "$(running_ids)" "sbx ls --json after the runs"
all=$(sbx_json ls --all --json)
assert_eq 8 "$(json_eval 'len(d)' "$all")" "sandboxes recorded by ls --all --json"
assert_eq ended "$(json_eval '" ".join(sorted(set(s["state"] for s in d)))' "$all")" \
  "states of the run sandboxes"
json_eval 'all(s["end_reason"] in ("exit", "terminated", "signal") for s in d)' "$all" |
  grep -qx true || fail "unexpected end_reason among run sandboxes: $all"
assert_eq oneshot "$(json_eval '[s["app"] for s in d if s["tags"] == {"kind": "oneshot"}][0]' "$all")" \
  "the app of the run with --app"
if grep -F "$SBX_HOME" /proc/self/mountinfo; then
  fail "mounts of the state directory remain on the host"
fi
for pid in $(json_eval '" ".join(str(s["supervisor_pid"]) for s in d if s["supervisor_pid"])' "$all"); do
  wait_until 30 pid_gone "$pid" || fail "supervisor $pid of a run still runs"
done
assert_no_stray "$procs"

note "an unnamed run is listed while it runs (from the store's journal), takes execs, and ends"
flag=$(scratch_dir)
chmod 777 "$flag"
sbx run --mount "$flag:/flag" --tag kind=journalled -- \
  sh -c 'touch /flag/up; while [ ! -e /flag/go ]; do sleep 0.05; done; exit 6' &
runner=$!
wait_until 30 test -e "$flag/up" || fail "the run did not start"
live=$(sbx_json ls --json)
assert_eq 1 "$(json_eval 'len(d)' "$live")" "running sandboxes while the run runs"
id=$(json_eval 'd[0]["id"]' "$live")
assert_eq running "$(json_eval 'd[0]["state"]' "$live")" "state of the running run"
assert_eq journalled "$(json_eval 'd[0]["tags"]["kind"]' "$live")" "tag of the running run"
assert_eq 0 "$(stat -c %s "$SBX_HOME/sbx.db-pending")" "journal size after ls folded it"
assert_exit 2 sbx exec "$id" -- sh -c 'echo from-exec; exit 2'
assert_eq from-exec "$LAST_OUT" "output of an exec into a run"
touch "$flag/go"
rc=0
wait "$runner" || rc=$?
assert_eq 6 "$rc" "exit status of the run"
ended=$(sbx_json ls --all --json --tag kind=journalled)
assert_eq "ended exit 6" \
  "$(json_eval 'd[0]["state"] + " " + d[0]["end_reason"] + " " + str(d[0]["returncode"])' "$ended")" \
  "the run's end"

note "runs end as their command did, never as lost"
for _ in 1 2 3 4 5 6 7 8; do assert_exit 5 sbx run --tag kind=loop -- sh -c 'exit 5'; done
loop=$(sbx_json ls --all --json --tag kind=loop)
assert_eq 8 "$(json_eval 'len(d)' "$loop")" "rows of eight runs"
assert_eq "exit 5" \
  "$(json_eval '",".join(sorted(set(s["end_reason"] + " " + str(s["returncode"]) for s in d)))' "$loop")" \
  "ends of eight runs"

note "an ended run's directory waits in the trash until the next run removes it"
trash=$SBX_HOME/sandboxes/.trash
assert_exit 0 sbx run --tag kind=writer -- \
  sh -c 'mkdir /many; i=0; while [ $i -lt 300 ]; do echo $i >/many/f$i; i=$((i+1)); done'
writer=$(json_eval 'd[0]["id"]' "$(sbx_json ls --all --json --tag kind=writer)")
[[ -d $trash/$writer/upper/many ]] || fail "the writer's layer is not in the trash: $(ls -a "$trash")"
assert_exit 0 sbx run --tag kind=next -- sleep 1
next=$(json_eval 'd[0]["id"]' "$(sbx_json ls --all --json --tag kind=next)")
assert_eq "$next" "$(ls "$trash")" "the trash after the next run"
assert_eq "" "$(find "$SBX_HOME/sandboxes" -mindepth 1 -maxdepth 1 ! -name .trash)" \
  "sandbox directories left"

note "a run records what its command used (the journal's row and the store's)"
# About 0.1 s or more of CPU, and 48 MiB touched: what pid 1 reaped, in the row at the end.
use='x = 0
for i in range(1500000): x += i
b = bytearray(48 << 20)
for i in range(0, len(b), 4096): b[i] = 1'
assert_exit 0 sbx run --tag kind=user -- python3 -c "$use"
assert_exit 0 sbx run --name "user-$RANDOM" --tag kind=named-user -- python3 -c "$use"
for kind in user named-user; do
  id=$(json_eval 'd[0]["id"]' "$(sbx_json ls --all --json --tag "kind=$kind")")
  info=$(sbx_json inspect "$id")
  assert_eq "ended exit 0" "$(json_eval 'd["state"] + " " + d["end_reason"] + " " + str(d["returncode"])' "$info")" "the $kind run's end"
  peak=$(json_get .usage.peak_memory "$info")
  ((peak >= 48 << 20)) || fail "the $kind run's peak memory is $peak bytes, under the 48 MiB it touched"
  cpu=$(json_get .usage.cpu_seconds "$info")
  "$PY" -c "import sys; sys.exit(0 if $cpu >= 0.05 else 1)" ||
    fail "the $kind run's CPU time is $cpu s, under what its loop takes"
done

note "a run's writable layer is reused only when it carries nothing into the next run"
# Each change below to what a run sees of its root would disqualify its directory; the run
# after it (sleep) empties the trash, keeping the clean ones for reuse; the third takes one.
# Were the change missed, the third would be given that directory and see it.
assert_exit 0 sbx run -- python3 -c 'import os; os.setxattr("/", "user.sbxtest", b"1")'
assert_exit 0 sbx run -- sleep 0.5
assert_exit 0 sbx run -- python3 -c 'import os, sys; sys.exit("user.sbxtest" in os.listxattr("/"))'
assert_exit 0 sbx run -- chmod 700 /
assert_exit 0 sbx run -- sleep 0.5
assert_exit 0 sbx run -- stat -c %a /
assert_eq 755 "$LAST_OUT" "the mode of / in a later run"
assert_exit 0 sbx run -- sh -c "echo carried >/carried"
assert_exit 0 sbx run -- sleep 0.5
assert_exit 1 sbx run -- test -e /carried
kept=$(find "$trash" -mindepth 1 -maxdepth 1 -name '.clean-*' | wc -l)
((kept >= 1 && kept <= 4)) || fail "$kept clean directories kept in the trash, not 1 to 4"

note "an empty command is refused"
assert_sbx_error sbx run --
assert_sbx_error sbx run
