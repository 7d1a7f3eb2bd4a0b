#!/usr/bin/env bash
# The sbx test runner (`make test`): build/unit_tests, then every scenario in tests/e2e/*.sh and
# tests/security/*.sh, each alone with a fresh SBX_HOME and a time limit. As root with
# SBX_TEST_USER set, the scenarios run a second time as that unprivileged user. Prints one line
# per test and ends with exactly one line "N passed, N failed[, N skipped]".
set -uo pipefail

usage() {
  cat <<'EOF'
usage: tests/run.sh [--e2e-only | --unit-only] [--filter REGEX]

Runs build/unit_tests, then every scenario in tests/e2e/*.sh and tests/security/*.sh (files named
lib.sh or starting with "_" are helpers, not scenarios). A scenario exits 0 to pass, 77 to skip,
anything else to fail; it gets a fresh SBX_HOME and SBX=<absolute path of build/sbx>.

  --e2e-only       only the scenarios
  --unit-only      only build/unit_tests
  --filter REGEX   only the tests whose name (unit_tests, e2e/NAME, security/NAME) matches REGEX

Environment:
  SBX_TEST_USER     as root: also run the scenarios as this unprivileged user ([rootless])
  SBX_TEST_TIMEOUT  seconds one scenario may take (default 180; a scenario can ask for more
                    with a line "# timeout: N" near its top)
  SBX_BASE_CACHE    a directory for the debian-slim tarball kept across runs (default: a
                    fresh one per run, removed at its end)
  SBX_TEST_BUDGET   seconds all scenarios together may take (default 1260); scenarios left
                    when it runs out fail without running
  KEEP_LOGS=1       keep the per-test logs (their directory is printed)
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Shared test data (Docker's seccomp profile, ...) beside the repository, as CI lays it out.
TESTDATA=${SBX_TESTDATA:-$(cd "$ROOT/.." && pwd)/shared/testdata}
export SBX_TESTDATA=$TESTDATA
# Root filesystem bases (the debian-slim tarball) cached for the whole run: built once, shared by
# every scenario and both passes, so sticky and world-writable for SBX_TEST_USER. Set
# SBX_BASE_CACHE to keep one across runs.
OWN_BASE_CACHE=0
if [[ -z "${SBX_BASE_CACHE:-}" ]]; then
  SBX_BASE_CACHE=$(mktemp -d /tmp/sbx-base-cache.XXXXXX)
  chmod 1777 "$SBX_BASE_CACHE"
  OWN_BASE_CACHE=1
fi
export SBX_BASE_CACHE
RUN_UNIT=1
RUN_E2E=1
FILTER=""
while (($#)); do
  case "$1" in
    --e2e-only) RUN_UNIT=0 ;;
    --unit-only) RUN_E2E=0 ;;
    --filter)
      (($# >= 2)) || { echo "run.sh: --filter needs a pattern" >&2; exit 2; }
      FILTER=$2
      shift
      ;;
    --filter=*) FILTER=${1#--filter=} ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

PY=/usr/bin/python3
[[ -x "$PY" ]] || PY=python3
SCENARIO_TIMEOUT=${SBX_TEST_TIMEOUT:-180}
BUDGET=${SBX_TEST_BUDGET:-1260}
PASSED=0
FAILED=0
SKIPPED=0
LOG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sbx-test-logs.XXXXXX")
STAGE=""
BUDGET_START=$SECONDS

cleanup_runner() {
  if [[ -n "$STAGE" ]]; then
    rm -rf --one-file-system "$STAGE"
  fi
  if [[ "${KEEP_LOGS:-0}" != 1 ]]; then
    rm -rf "$LOG_DIR"
  fi
  if ((OWN_BASE_CACHE)); then
    rm -rf "$SBX_BASE_CACHE"
  fi
}
trap cleanup_runner EXIT

selected() {
  [[ -z "$FILTER" || "$1" =~ $FILTER ]]
}

# report STATUS LABEL [DETAIL] [LOG]: one result line; for a failure, the log's last 30 lines.
report() {
  local status=$1 label=$2 detail=${3:-} log=${4:-}
  case "$status" in
    PASS) PASSED=$((PASSED + 1)); echo "PASS $label${detail:+ $detail}" ;;
    SKIP) SKIPPED=$((SKIPPED + 1)); echo "SKIP $label: ${detail:-no reason given}" ;;
    *)
      FAILED=$((FAILED + 1))
      echo "FAIL $label${detail:+ $detail}"
      if [[ -n "$log" && -s "$log" ]]; then
        tail -n 30 "$log" | sed 's/^/    | /'
      fi
      ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Unit tests (Catch2 v2): one result, from the exit status; the "test cases" count is reported.

run_unit() {
  local bin=$ROOT/build/unit_tests log=$LOG_DIR/unit_tests.log rc=0 summary
  if [[ ! -x "$bin" ]]; then
    echo "build/unit_tests is missing: run make first" >"$log"
    report FAIL unit_tests "(not built)" "$log"
    return
  fi
  (cd "$ROOT" && timeout -k 10 900 "$bin") </dev/null >"$log" 2>&1 || rc=$?
  summary=$(grep -E 'test cases' "$log" | tail -n 1)
  if [[ "$summary" =~ in\ ([0-9]+)\ test\ case ]]; then
    summary="${BASH_REMATCH[1]} test cases"
  elif [[ "$summary" =~ test\ cases:\ *(.*)$ ]]; then
    summary="test cases: ${BASH_REMATCH[1]}"
  fi
  if ((rc == 0)); then
    report PASS unit_tests "${summary:+($summary)}"
  else
    report FAIL unit_tests "(exit $rc${summary:+; $summary})" "$log"
  fi
}

# ---------------------------------------------------------------------------------------------
# Scenarios

list_scenarios() {
  local dir f base
  for dir in e2e security; do
    for f in "$ROOT/tests/$dir"/*.sh; do
      [[ -f "$f" ]] || continue
      base=$(basename "$f" .sh)
      [[ "$base" == lib || "$base" == _* ]] && continue
      echo "$dir/$base"
    done
  done
}

# scenario_timeout FILE: its "# timeout: N" line, else the default.
scenario_timeout() {
  local t
  t=$(sed -n '1,15s/^# timeout: *\([0-9][0-9]*\) *$/\1/p' "$1" | head -n 1)
  echo "${t:-$SCENARIO_TIMEOUT}"
}

# as_user CMD…: CMD as the test user of this pass (plain CMD for the invoking user).
RUN_USER=""
SCENARIOS=()
as_user() {
  if [[ -z "$RUN_USER" ]]; then
    "$@"
  else
    setpriv --reuid="$RUN_USER" --regid="$(id -g "$RUN_USER")" --init-groups -- "$@"
  fi
}

# kill_leftovers HOME SBX: SIGKILLs whatever the scenario left behind: the recorded supervisors
# of its store that still run the sbx binary, and every process with HOME in its environment
# (SBX_HOME=HOME) or argv. Sandboxed processes die with their supervisor.
kill_leftovers() {
  local home=$1 sbx=$2 listing pids p
  listing=$(cd / && SBX_HOME=$home as_user timeout -k 2 10 "$sbx" ls --all --json 2>/dev/null \
    </dev/null)
  pids=$("$PY" - "$home" "$sbx" "$listing" <<'EOF'
import json, os, sys
home, sbx, listing = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3]
me = set()
pid = os.getpid()
while pid > 1 and pid not in me:
    me.add(pid)
    try:
        pid = int(open(f"/proc/{pid}/stat", "rb").read().rsplit(b")", 1)[1].split()[1])
    except OSError:
        break
found = set()
try:
    for s in json.loads(listing):
        p = int(s.get("supervisor_pid") or 0)
        if p > 1 and s.get("state") in ("creating", "running") and \
                os.path.realpath(f"/proc/{p}/exe").startswith(sbx):
            found.add(p)
except (ValueError, TypeError, AttributeError, OSError):
    pass
needle = ("SBX_HOME=" + home).encode()
for name in os.listdir("/proc"):
    if not name.isdigit() or int(name) in me:
        continue
    try:
        env = open(f"/proc/{name}/environ", "rb").read().split(b"\0")
    except OSError:
        env = []
    try:
        cmd = open(f"/proc/{name}/cmdline", "rb").read()
    except OSError:
        cmd = b""
    if needle in env or home.encode() in cmd:
        found.add(int(name))
print(" ".join(str(p) for p in sorted(found - me)))
EOF
)
  for p in $pids; do
    kill -KILL "$p" 2>/dev/null
  done
}

# remove_tree DIR: unmounts whatever is still mounted below DIR (as root) and removes it.
remove_tree() {
  local dir=$1 mnt
  [[ -n "$dir" && -d "$dir" ]] || return 0
  if ((EUID == 0)); then
    while read -r mnt; do
      umount -l "$mnt" 2>/dev/null
    done < <(awk -v d="$dir" 'index($5, d "/") == 1 || $5 == d { print $5 }' \
      /proc/self/mountinfo | sort -r)
  fi
  chmod -R u+rwX "$dir" 2>/dev/null
  rm -rf --one-file-system "$dir" 2>/dev/null
}

# run_scenario NAME MODE SBX TESTS_DIR: runs one scenario as RUN_USER (or the caller).
run_scenario() {
  local name=$1 mode=$2 sbx=$3 tests=$4
  local file=$tests/$name.sh label="[$mode] $name"
  local log=$LOG_DIR/${mode}_${name//\//_}.log
  local limit home work rc=0 pid started reason user_home path
  if ((SECONDS - BUDGET_START >= BUDGET)); then
    echo "not run: the ${BUDGET}s budget for all scenarios ran out" >"$log"
    report FAIL "$label" "(not run: time budget exhausted)" "$log"
    return
  fi
  limit=$(scenario_timeout "$file")
  home=$(as_user mktemp -d /tmp/sbx-home.XXXXXX)
  work=$(as_user mktemp -d /tmp/sbx-work.XXXXXX)
  as_user chmod 755 "$work" # mount sources below it must be reachable from a mapped uid
  path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  started=$SECONDS
  if [[ -z "$RUN_USER" ]]; then
    (cd "$work" && exec env SBX="$sbx" SBX_HOME="$home" TMPDIR="$work" \
      SBX_TESTDATA="$TESTDATA" SBX_TEST_MODE="$mode" timeout -k 10 "$limit" bash "$file") </dev/null >"$log" 2>&1 &
  else
    user_home=$(getent passwd "$RUN_USER" | cut -d: -f6)
    (cd "$work" && exec setpriv --reuid="$RUN_USER" --regid="$(id -g "$RUN_USER")" \
      --init-groups -- env -i HOME="$user_home" USER="$RUN_USER" LOGNAME="$RUN_USER" \
      PATH="$path" LANG=C.UTF-8 TMPDIR="$work" CI="${CI:-}" SBX="$sbx" SBX_HOME="$home" \
      SBX_TESTDATA="$TESTDATA" SBX_BASE_CACHE="$SBX_BASE_CACHE" SBX_TEST_MODE="$mode" \
      timeout -k 10 "$limit" bash "$file") </dev/null >"$log" 2>&1 &
  fi
  pid=$!
  { wait "$pid"; } 2>/dev/null || rc=$? # no "Killed" notice when the time limit struck
  # timeout made itself a process-group leader: end whatever the scenario left in its group.
  kill -KILL -- "-$pid" 2>/dev/null
  kill_leftovers "$home" "$sbx"
  remove_tree "$home"
  remove_tree "$work"
  local took="($((SECONDS - started))s)"
  case "$rc" in
    0) report PASS "$label" "$took" ;;
    77)
      reason=$(grep '^SKIP: ' "$log" | tail -n 1)
      report SKIP "$label" "${reason#SKIP: }"
      ;;
    *)
      if ((rc == 124 || rc == 137)) && ((SECONDS - started >= limit)); then
        report FAIL "$label" "(timed out after ${limit}s)" "$log"
      else
        report FAIL "$label" "(exit $rc) $took" "$log"
      fi
      ;;
  esac
}

# run_pass MODE SBX TESTS_DIR: every selected scenario once.
run_pass() {
  local mode=$1 sbx=$2 tests=$3 name
  for name in "${SCENARIOS[@]}"; do
    run_scenario "$name" "$mode" "$sbx" "$tests"
  done
}

# stage_for_user: a world-readable copy of build/sbx (with its link map and the list of hot
# text it was linked with) and tests/ that RUN_USER can reach.
stage_for_user() {
  STAGE=$(mktemp -d /tmp/sbx-rootless.XXXXXX)
  mkdir -p "$STAGE/build" "$STAGE/src"
  cp "$ROOT/build/sbx" "$STAGE/build/sbx"
  if [[ -f $ROOT/build/sbx.map ]]; then cp "$ROOT/build/sbx.map" "$STAGE/build/sbx.map"; fi
  cp "$ROOT/src/hot_text.ld" "$STAGE/src/hot_text.ld"
  cp -r "$ROOT/tests" "$STAGE/tests"
  chmod -R a+rX "$STAGE"
}

run_scenarios() {
  local all name user_ok=1 root_mode=rootless
  mapfile -t all < <(list_scenarios)
  SCENARIOS=()
  for name in "${all[@]}"; do
    selected "$name" && SCENARIOS+=("$name")
  done
  ((${#SCENARIOS[@]})) || return 0
  if [[ ! -x "$ROOT/build/sbx" ]]; then
    echo "run.sh: $ROOT/build/sbx is missing: every scenario will fail (run make)" >&2
  fi
  ((EUID == 0)) && root_mode=root
  RUN_USER=""
  run_pass "$root_mode" "$ROOT/build/sbx" "$ROOT/tests"

  [[ -n "${SBX_TEST_USER:-}" ]] || return 0
  if ((EUID != 0)); then
    echo "run.sh: SBX_TEST_USER is ignored when not run as root" >&2
    return 0
  fi
  local log=$LOG_DIR/rootless_setup.log
  if ! id -u "$SBX_TEST_USER" >/dev/null 2>&1; then
    echo "user $SBX_TEST_USER does not exist" >"$log"
    user_ok=0
  elif [[ "$(id -u "$SBX_TEST_USER")" == 0 ]]; then
    echo "user $SBX_TEST_USER is uid 0, not an unprivileged user" >"$log"
    user_ok=0
  elif [[ ! -x "$ROOT/build/sbx" ]]; then
    echo "build/sbx is missing" >"$log"
    user_ok=0
  fi
  if ((!user_ok)); then
    report FAIL "[rootless] setup" "(SBX_TEST_USER=$SBX_TEST_USER)" "$log"
    return 0
  fi
  stage_for_user
  RUN_USER=$SBX_TEST_USER
  run_pass rootless "$STAGE/build/sbx" "$STAGE/tests"
  RUN_USER=""
}

if ((RUN_UNIT)) && selected unit_tests; then
  run_unit
fi
if ((RUN_E2E)); then
  run_scenarios
fi

if [[ "${KEEP_LOGS:-0}" == 1 ]]; then
  echo "logs kept in $LOG_DIR"
fi
if ((PASSED + FAILED + SKIPPED == 0)); then
  echo "run.sh: no test was selected${FILTER:+ by --filter $FILTER}" >&2
  echo "0 passed, 0 failed"
  exit 1
fi
if ((SKIPPED)); then
  echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
else
  echo "$PASSED passed, $FAILED failed"
fi
((FAILED == 0))
