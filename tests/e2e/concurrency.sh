#!/usr/bin/env bash
# timeout: 420
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# Many sbx calls at once on one store: 16 creates (each with an exec and, for 12 of them, a
# terminate) in parallel, 16 execs in parallel in one sandbox, 16 app creates and 8 runs in
# parallel, then 4 terminates in parallel. Afterwards every sandbox is accounted for in
# ls --all --json with the right state, and none is lost.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
sbx_json ls --all --json >/dev/null # sbx works at all: fail fast, not after timeouts

N=16
SBX_CALL_TIMEOUT=180
results=$(scratch_dir)
procs=$TEST_TMP/procs.baseline
snapshot_processes "$procs"

# worker I: create w$I, exec in it by name, terminate it unless I % 4 == 0. Writes its sandbox
# id to $results/I.id and "ok" or the reason it failed to $results/I.status.
worker() {
  local i=$1 id out rc=0
  id=$(timeout 180 "$SBX" create --app conc --name "w$i" --tag worker="$i" --tag batch=conc \
    2>"$results/$i.err") || rc=$?
  if ((rc != 0)) || [[ ! "$id" =~ ^sb-$ID_CHARS$ ]]; then
    echo "create exited $rc, printed '$id': $(cat "$results/$i.err")" >"$results/$i.status"
    return
  fi
  echo "$id" >"$results/$i.id"
  out=$(timeout 180 "$SBX" exec --app conc "w$i" -- sh -c 'echo "hello-$1"' _ "$i" \
    2>"$results/$i.err") || rc=$?
  if ((rc != 0)) || [[ "$out" != "hello-$i" ]]; then
    echo "exec exited $rc, printed '$out': $(cat "$results/$i.err")" >"$results/$i.status"
    return
  fi
  if ((i % 4 != 0)); then
    timeout 180 "$SBX" terminate "$id" 2>"$results/$i.err" || rc=$?
    if ((rc != 0)); then
      echo "terminate exited $rc: $(cat "$results/$i.err")" >"$results/$i.status"
      return
    fi
  fi
  echo ok >"$results/$i.status"
}

# check_statuses PREFIX COUNT: every $results/PREFIX<i>.status says ok.
check_statuses() {
  local i bad=""
  for ((i = 0; i < $2; i++)); do
    [[ "$(cat "$results/$1$i.status" 2>/dev/null)" == ok ]] ||
      bad+="  $1$i: $(cat "$results/$1$i.status" 2>/dev/null || echo 'no status')"$'\n'
  done
  [[ -z "$bad" ]] || fail "parallel calls failed:
$bad"
}

note "$N creates + execs + terminates in parallel"
for ((i = 0; i < N; i++)); do
  worker "$i" &
done
wait
check_statuses "" "$N"
ids=$(cat "$results"/*.id | sort)
assert_eq "$N" "$(sort -u <<<"$ids" | wc -l)" "distinct sandbox ids"

all=$(sbx_json ls --all --app conc --json)
assert_eq "$ids" "$(json_eval '"\n".join(sorted(s["id"] for s in d))' "$all")" \
  "ls --all --app conc --json lists exactly the created sandboxes"
for ((i = 0; i < N; i++)); do
  id=$(cat "$results/$i.id")
  s=$(json_eval "[s for s in d if s['id'] == '$id'][0]" "$all")
  assert_eq "w$i" "$(json_get .name "$s")" "name of sandbox $i"
  assert_eq "{\"batch\":\"conc\",\"worker\":\"$i\"}" "$(json_get .tags "$s")" "tags of sandbox $i"
  if ((i % 4 == 0)); then
    assert_eq running "$(json_get .state "$s")" "state of kept sandbox $i"
  else
    assert_eq ended "$(json_get .state "$s")" "state of terminated sandbox $i"
    assert_eq terminated "$(json_get .end_reason "$s")" "end_reason of terminated sandbox $i"
    assert_eq 137 "$(json_get .returncode "$s")" "returncode of terminated sandbox $i"
  fi
done
kept=$(for ((i = 0; i < N; i += 4)); do cat "$results/$i.id"; done | sort)
assert_eq "$kept" "$(running_ids --app conc)" "ls --app conc --json: the kept sandboxes"

note "$N execs in parallel in one sandbox"
target=$(cat "$results/0.id")
exec_worker() {
  local i=$1 out rc=0
  out=$(printf 'in-%s' "$i" | timeout 180 "$SBX" exec "$target" -- sh -c 'echo "$1:$(cat)"' _ "x$i" \
    2>"$results/e$i.err") || rc=$?
  if ((rc == 0)) && [[ "$out" == "x$i:in-$i" ]]; then
    echo ok >"$results/e$i.status"
  else
    echo "exec exited $rc, printed '$out': $(cat "$results/e$i.err")" >"$results/e$i.status"
  fi
}
for ((i = 0; i < N; i++)); do
  exec_worker "$i" &
done
wait
check_statuses e "$N"
procs_json=$(field "$target" .processes)
assert_eq $((N + 1)) "$(json_eval 'len(d)' "$procs_json")" "processes recorded in the target"
assert_eq "ended:0:exit" "$(json_eval '" ".join(sorted(set("%s:%s:%s" % (p["state"], p["returncode"], p["end_reason"]) for p in d)))' "$procs_json")" \
  "states of the parallel execs"

note "$N app creates and 8 runs in parallel"
app_worker() {
  local out rc=0
  out=$(timeout 180 "$SBX" app create "app-$1" 2>"$results/a$1.err") || rc=$?
  if ((rc == 0)) && [[ "$out" =~ ^ap-$ID_CHARS$ ]]; then
    echo ok >"$results/a$1.status"
  else
    echo "app create exited $rc: $out $(cat "$results/a$1.err")" >"$results/a$1.status"
  fi
}
run_worker() {
  local out rc=0
  out=$(timeout 180 "$SBX" run --app runs --tag run="$1" -- sh -c 'echo "r$1"; exit "$1"' _ "$1" \
    2>"$results/r$1.err") || rc=$?
  if ((rc == $1)) && [[ "$out" == "r$1" ]]; then
    echo ok >"$results/r$1.status"
  else
    echo "run exited $rc (wanted $1), printed '$out': $(cat "$results/r$1.err")" >"$results/r$1.status"
  fi
}
for ((i = 0; i < N; i++)); do
  app_worker "$i" &
done
for ((i = 0; i < 8; i++)); do
  run_worker "$i" &
done
wait
check_statuses a "$N"
check_statuses r 8
apps=$(sbx app ls)
for ((i = 0; i < N; i++)); do
  assert_match "(^|[[:space:]])app-$i([[:space:]]|$)" "$apps" "app ls lists app-$i"
done
runs=$(sbx_json ls --all --app runs --json)
assert_eq 8 "$(json_eval 'len(d)' "$runs")" "sandboxes of the parallel runs"
assert_eq ended "$(json_eval '" ".join(sorted(set(s["state"] for s in d)))' "$runs")" \
  "states of the parallel runs' sandboxes"

note "terminate the kept sandboxes in parallel"
for id in $kept; do
  (timeout 180 "$SBX" terminate "$id" >"$results/t-$id.out" 2>&1 && echo ok >"$results/t-$id.status") &
done
wait
for id in $kept; do
  [[ "$(cat "$results/t-$id.status" 2>/dev/null)" == ok ]] ||
    fail "terminate $id failed: $(cat "$results/t-$id.out")"
done

note "everything is accounted for; nothing is lost"
assert_eq "" "$(running_ids)" "ls --json at the end"
all=$(sbx_json ls --all --json)
assert_eq $((N + 8)) "$(json_eval 'len(d)' "$all")" "sandboxes in ls --all --json"
assert_eq ended "$(json_eval '" ".join(sorted(set(s["state"] for s in d)))' "$all")" "states"
assert_eq "" "$(json_eval '" ".join(s["id"] for s in d if s["end_reason"] == "lost")' "$all")" \
  "lost sandboxes"
assert_eq "" "$(json_eval '" ".join(s["id"] for s in d if s["app"] == "conc" and s["end_reason"] != "terminated")' "$all")" \
  "conc sandboxes that did not end by terminate"
assert_no_stray "$procs"
