#!/usr/bin/env bash
# timeout: 300
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# SIGKILL of `sbx create` at several points (0 to 500 ms after it started), of the CLI alone and
# of its whole process group (the CLI with whatever it forked, e.g. a supervisor not yet on its
# own). A create killed before it printed its id leaves no sandbox running or creating once
# things settle, its name free, and no process behind; the store stays usable throughout.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
sbx_json ls --all --json >/dev/null # sbx works at all: fail fast, not after timeouts

procs=$TEST_TMP/procs.baseline
snapshot_processes "$procs"
out=$(scratch_dir)
delays=(0 0.02 0.05 0.1 0.2 0.5)

# kill_create ROUND DELAY GROUP: starts a create, SIGKILLs it DELAY seconds later (GROUP=1: its
# whole process group). Leaves its stdout in $out/ROUND.out.
kill_create() {
  local round=$1 delay=$2 group=$3 pid pgid
  setsid "$SBX" create --app crash --name "c$round" --tag round="$round" -- sleep 1000 \
    >"$out/$round.out" 2>"$out/$round.err" &
  pid=$!
  sleep "$delay"
  pgid=$(awk '{ sub(/.*\) /, ""); print $3 }' "/proc/$pid/stat" 2>/dev/null || true)
  if ((group)) && [[ "$pgid" == "$pid" ]]; then
    kill -KILL -- "-$pid" 2>/dev/null || true
  else
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

rounds=()
round=0
for group in 0 1; do
  for delay in "${delays[@]}"; do
    note "round $round: SIGKILL $( ((group)) && echo "the process group of" ) sbx create after ${delay}s"
    kill_create "$round" "$delay" "$group"
    rounds+=("$round")
    round=$((round + 1))
  done
done

# printed ROUND: the create of that round got as far as printing its id.
printed() {
  [[ "$(cat "$out/$1.out")" =~ ^sb-$ID_CHARS$ ]]
}

# settled: no sandbox of a killed-before-printing round is running or creating.
settled() {
  local listing r
  listing=$("$SBX" ls --all --app crash --json 2>/dev/null) || return 1
  for r in "${rounds[@]}"; do
    printed "$r" && continue
    [[ -z "$(json_eval "' '.join(s['id'] for s in d if s['tags'].get('round') == '$r' and s['state'] in ('creating', 'running'))" "$listing")" ]] ||
      return 1
  done
}

note "settle"
if ! wait_until 60 settled; then
  fail "sandboxes of killed creates still shown as running or creating:
$(sbx ls --all --app crash --json)"
fi
killed_early=0
for r in "${rounds[@]}"; do
  printed "$r" || killed_early=$((killed_early + 1))
done
note "$killed_early of ${#rounds[@]} creates were killed before they printed an id"

note "every ended sandbox has a known end_reason"
all=$(sbx_json ls --all --json)
assert_eq "" "$(json_eval '" ".join(s["id"] + ":" + str(s["end_reason"]) for s in d if s["state"] == "ended" and s["end_reason"] not in ("exit", "signal", "timeout", "idle", "terminated", "lost"))' "$all")" \
  "ended sandboxes without a valid end_reason"

note "the store still works, and every name is free once its sandbox is gone"
for r in "${rounds[@]}"; do
  if printed "$r"; then
    sbx terminate "$(cat "$out/$r.out")" >/dev/null
  fi
done
for r in "${rounds[@]}"; do
  sb=$(sbx_create --app crash --name "c$r")
  assert_exit 0 sbx exec "$sb" -- echo "round $r"
  assert_eq "round $r" "$LAST_OUT" "exec in a new sandbox named c$r"
  assert_exit 0 sbx terminate "$sb"
done
assert_eq "" "$(running_ids)" "ls --json at the end"
assert_no_stray "$procs"
