# shellcheck shell=bash
# Helpers sourced by every end-to-end scenario (tests/e2e/*.sh, tests/security/*.sh). A scenario
# runs alone as `SBX=build/sbx SBX_HOME=$(mktemp -d) tests/e2e/NAME.sh` and exits 0 (pass),
# 77 (skip) or anything else (fail). At exit it terminates every sandbox of its SBX_HOME that is
# still running, stops its background jobs and removes its scratch directories.

set -euo pipefail

# ---------------------------------------------------------------------------------------------
# Reporting and assertions

# fail MSG: the scenario fails with MSG.
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# skip REASON: the scenario is skipped (exit 77); the runner prints REASON.
skip() {
  echo "SKIP: $*"
  exit 77
}

# note MSG: a progress line in the scenario's output (shown by the runner when it fails).
note() {
  echo "--- $*"
}

# show VALUE: VALUE quoted so that newlines, trailing blanks and empty strings are visible.
show() {
  printf '%q' "$1"
}

# assert_eq EXPECTED ACTUAL MSG
assert_eq() {
  [[ "$1" == "$2" ]] || fail "$3: expected $(show "$1"), got $(show "$2")"
}

# assert_ne UNEXPECTED ACTUAL MSG
assert_ne() {
  [[ "$1" != "$2" ]] || fail "$3: got $(show "$2"), which it must not be"
}

# assert_contains HAYSTACK NEEDLE MSG
assert_contains() {
  [[ "$1" == *"$2"* ]] || fail "$3: $(show "$1") does not contain $(show "$2")"
}

# assert_not_contains HAYSTACK NEEDLE MSG
assert_not_contains() {
  [[ "$1" != *"$2"* ]] || fail "$3: $(show "$1") contains $(show "$2")"
}

# assert_match REGEX STRING MSG (bash extended regex, anchor it yourself)
assert_match() {
  [[ "$2" =~ $1 ]] || fail "$3: $(show "$2") does not match /$1/"
}

# capture CMD…: runs CMD (stdin passed through), never fails; afterwards LAST_RC is its exit
# status, LAST_OUT / LAST_ERR its stdout / stderr (trailing newlines stripped), and
# LAST_OUT_FILE / LAST_ERR_FILE hold the exact bytes.
LAST_RC=0
LAST_OUT=""
LAST_ERR=""
LAST_OUT_FILE=""
LAST_ERR_FILE=""
capture() {
  LAST_RC=0
  "$@" >"$LAST_OUT_FILE" 2>"$LAST_ERR_FILE" || LAST_RC=$?
  LAST_OUT=$(cat "$LAST_OUT_FILE")
  LAST_ERR=$(cat "$LAST_ERR_FILE")
}

# assert_exit CODE CMD…: runs CMD like capture and fails unless it exits with CODE.
assert_exit() {
  local want=$1
  shift
  capture "$@"
  if [[ "$LAST_RC" != "$want" ]]; then
    fail "$(printf '%q ' "$@")exited $LAST_RC, expected $want
  stdout: $(show "$LAST_OUT")
  stderr: $(show "$LAST_ERR")"
  fi
}

# assert_sbx_error CMD…: CMD is sbx's own failure: exit 125, nothing on stdout, exactly one line
# on stderr that starts with "sbx: ". Leaves the message in LAST_ERR.
assert_sbx_error() {
  assert_exit 125 "$@"
  assert_eq "" "$LAST_OUT" "stdout of failing $(printf '%q ' "$@")"
  local lines
  lines=$(wc -l <"$LAST_ERR_FILE")
  assert_eq 1 "$lines" "number of stderr lines of $(printf '%q ' "$@")($(show "$LAST_ERR"))"
  assert_match '^sbx: .+' "$LAST_ERR" "stderr of $(printf '%q ' "$@")"
}

# wait_until TIMEOUT CMD…: runs CMD every 0.2 s until it succeeds (returns 0) or TIMEOUT seconds
# pass (returns 1). Use with a generous TIMEOUT: it bounds a wait, it does not measure speed.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

is_root() {
  [[ "$(id -u)" == 0 ]]
}

# ---------------------------------------------------------------------------------------------
# JSON (through python3; the host's, which sandboxes also see as /usr/bin/python3)

PY=/usr/bin/python3
[[ -x "$PY" ]] || PY=$(command -v python3 || echo python3)

_JSON_PROG='
import datetime, json, re, sys
doc = json.loads(sys.stdin.read())
def ts(v):
    """A timestamp as seconds since the epoch, from a number or an RFC 3339 / ISO 8601 string."""
    if isinstance(v, (int, float)):
        return float(v)
    return datetime.datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
def out(v):
    if isinstance(v, str):
        print(v)
    elif v is None:
        print("null")
    elif isinstance(v, bool):
        print("true" if v else "false")
    elif isinstance(v, (int, float)):
        print(json.dumps(v))
    else:
        print(json.dumps(v, sort_keys=True, separators=(",", ":")))
mode, arg = sys.argv[1], sys.argv[2]
if mode == "path":
    v = doc
    for key, idx in re.findall(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(-?\d+)\]", arg):
        if key:
            v = v.get(key) if isinstance(v, dict) else None
        else:
            v = v[int(idx)] if isinstance(v, list) and -len(v) <= int(idx) < len(v) else None
    out(v)
else:
    out(eval(arg, {"json": json, "re": re, "ts": ts}, {"d": doc}))
'

# json_get PATH [JSON]: the value at PATH (".a.b[0].c"; "." for the whole document) of JSON, or of
# stdin. Strings print raw, null as null, objects and arrays as compact sorted JSON.
json_get() {
  if (($# > 1)); then
    "$PY" -c "$_JSON_PROG" path "$1" <<<"$2"
  else
    "$PY" -c "$_JSON_PROG" path "$1"
  fi
}

# json_eval EXPR [JSON]: a Python expression over the parsed document `d`, printed like json_get.
# ts(v) turns a timestamp (number, or RFC 3339 string) into seconds since the epoch.
json_eval() {
  if (($# > 1)); then
    "$PY" -c "$_JSON_PROG" eval "$1" <<<"$2"
  else
    "$PY" -c "$_JSON_PROG" eval "$1"
  fi
}

# ---------------------------------------------------------------------------------------------
# The sbx binary and the store

_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SBX=${SBX:-$_LIB_DIR/../../build/sbx}
case "$SBX" in
  /*) ;;
  */*) SBX=$PWD/$SBX ;;
  *) SBX=$(command -v "$SBX" || echo "$SBX") ;;
esac
[[ -f "$SBX" && -x "$SBX" ]] || fail "SBX=$SBX is not an executable file (run make first)"
export SBX

_OWN_HOME=0
if [[ -z "${SBX_HOME:-}" ]]; then
  SBX_HOME=$(mktemp -d "${TMPDIR:-/tmp}/sbx-home.XXXXXX")
  _OWN_HOME=1
fi
[[ "$SBX_HOME" == /* ]] || SBX_HOME=$PWD/$SBX_HOME
mkdir -p "$SBX_HOME"
export SBX_HOME

# The scenario's scratch space: world-searchable, so that a sandbox whose root maps to an
# unprivileged uid (sbx as real root) can still reach mount sources made below it.
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sbx-test.XXXXXX")
chmod 755 "$TEST_TMP"
LAST_OUT_FILE=$TEST_TMP/.last_out
LAST_ERR_FILE=$TEST_TMP/.last_err

# scratch_dir: a new empty directory (mode 0755) below TEST_TMP, removed at exit.
scratch_dir() {
  local d
  d=$(mktemp -d "$TEST_TMP/d.XXXXXX")
  chmod 755 "$d"
  echo "$d"
}

# A terminal on stdin would stop sbx calls run under `timeout`; scenarios never need one.
if [[ -t 0 ]]; then
  exec </dev/null
fi

SBX_CALL_TIMEOUT=${SBX_CALL_TIMEOUT:-60}

# sbx ARGS…: runs $SBX, passing stdin, stdout, stderr and the exit status through, but fails the
# scenario if one call takes more than SBX_CALL_TIMEOUT seconds (a hung sbx must not hang CI).
sbx() {
  local start=$SECONDS rc=0
  timeout --foreground -k 5 "$SBX_CALL_TIMEOUT" "$SBX" "$@" || rc=$?
  if ((rc == 124 && SECONDS - start >= SBX_CALL_TIMEOUT - 1)); then
    fail "sbx $* did not return within ${SBX_CALL_TIMEOUT}s"
  fi
  return "$rc"
}

ID_CHARS='[A-Za-z0-9]{24}'

# sbx_create ARGS…: `sbx create ARGS…`, which must succeed and print exactly one sb- id; prints it.
sbx_create() {
  local out rc=0
  out=$(sbx create "$@" 2>"$TEST_TMP/.create_err") || rc=$?
  ((rc == 0)) || fail "sbx create $* exited $rc: $(cat "$TEST_TMP/.create_err")"
  [[ "$out" =~ ^sb-$ID_CHARS$ ]] || fail "sbx create $* printed $(show "$out"), not one sb- id"
  echo "$out"
}

# sbx_json ARGS…: runs sbx ARGS… (which must succeed) and prints its stdout, checked to be JSON.
sbx_json() {
  local out rc=0
  out=$(sbx "$@" 2>"$TEST_TMP/.json_err") || rc=$?
  ((rc == 0)) || fail "sbx $* exited $rc: $(cat "$TEST_TMP/.json_err")"
  "$PY" -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$out" 2>/dev/null ||
    fail "sbx $* did not print JSON: $(show "$out")"
  echo "$out"
}

# field SANDBOX PATH: json_get PATH of `sbx inspect SANDBOX`.
field() {
  json_get "$2" "$(sbx_json inspect "$1")"
}

# sandbox_state SANDBOX: its state ("creating", "running", "ended"); never fails.
sandbox_state() {
  local j
  j=$(sbx inspect "$1" 2>/dev/null) || return 0
  json_get .state "$j" 2>/dev/null || true
}

# is_ended SANDBOX / is_running SANDBOX: for wait_until.
is_ended() {
  [[ "$(sandbox_state "$1")" == ended ]]
}
is_running() {
  [[ "$(sandbox_state "$1")" == running ]]
}

# running_ids [ARGS…]: ids in `sbx ls --json ARGS…`, one a line, sorted.
running_ids() {
  json_eval '"\n".join(sorted(s["id"] for s in d))' "$(sbx_json ls --json "$@")"
}

# ---------------------------------------------------------------------------------------------
# Processes, namespaces and timing

# pid_alive PID: the process exists and is not a zombie.
pid_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ "${stat:0:1}" != Z ]]
}

# pid_gone PID: for wait_until.
pid_gone() {
  ! pid_alive "$1"
}

# pids_gone PID…: none of them is alive (for wait_until).
pids_gone() {
  local p
  for p in "$@"; do
    pid_alive "$p" && return 1
  done
  return 0
}

_PROCS_PROG='
import os, sys
mode = sys.argv[1]
home = os.environ["SBX_HOME"]
def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None
def ancestors():
    seen, pid = set(), os.getpid()
    while pid > 1 and pid not in seen:
        seen.add(pid)
        stat = read(f"/proc/{pid}/stat")
        if stat is None:
            break
        pid = int(stat.rsplit(b")", 1)[1].split()[1])
    return seen
def zombie(pid):
    stat = read(f"/proc/{pid}/stat")
    return stat is None or stat.rsplit(b")", 1)[1].split()[0] == b"Z"
def ppid(pid):
    stat = read(f"/proc/{pid}/stat")
    return int(stat.rsplit(b")", 1)[1].split()[1]) if stat else 0
def userns(pid):
    try:
        return os.readlink(f"/proc/{pid}/ns/user")
    except OSError:
        return None
def tied(pid):
    env = (read(f"/proc/{pid}/environ") or b"").split(b"\0")
    return ("SBX_HOME=" + home).encode() in env or home.encode() in (read(f"/proc/{pid}/cmdline") or b"")
def ours(pid):
    """A process in another user namespace is ours when its nearest ancestor in our namespace
    (its supervisor) belongs to this SBX_HOME, or when it was orphaned (reparented to pid 1)."""
    seen = set()
    while pid > 1 and pid not in seen:
        seen.add(pid)
        if userns(pid) == own_ns:
            return tied(pid)
        pid = ppid(pid)
    return pid == 1
own_ns = userns("self")
skip = ancestors()
baseline = set()
if len(sys.argv) > 2 and os.path.exists(sys.argv[2]):
    baseline = {int(x) for x in open(sys.argv[2]).read().split()}
for name in os.listdir("/proc"):
    if not name.isdigit() or int(name) in skip or zombie(int(name)):
        continue
    pid = int(name)
    ns = userns(pid)
    foreign = ns is not None and own_ns is not None and ns != own_ns
    if mode == "foreign":
        if foreign:
            print(pid)
    elif mode == "sandbox":
        if foreign and pid not in baseline and ours(pid):
            print(pid)
    elif tied(pid) or (foreign and pid not in baseline and ours(pid)):
        print(pid)
'

# foreign_userns_pids: pids (readable to us) in a user namespace other than ours.
foreign_userns_pids() {
  "$PY" -c "$_PROCS_PROG" foreign
}

# snapshot_processes FILE: records the processes now in other user namespaces, so that
# stray_pids can tell sandboxes started later from containers that were there before.
snapshot_processes() {
  foreign_userns_pids >"$1"
}

# stray_pids BASELINE_FILE: processes that belong to this scenario's sbx and should be gone: any
# process (but this shell and its ancestors) with this SBX_HOME in its environment or argv, and
# any process in another user namespace, not in the baseline, whose supervisor is of this
# SBX_HOME or gone (sandboxes of other stores running at the same time are left out).
stray_pids() {
  "$PY" -c "$_PROCS_PROG" stray "$1"
}

# sandbox_pids BASELINE_FILE: processes in another user namespace, not in the baseline, whose
# supervisor is of this SBX_HOME (or gone): the sandboxed processes started since the snapshot.
sandbox_pids() {
  "$PY" -c "$_PROCS_PROG" sandbox "$1"
}

# no_stray_pids BASELINE_FILE: for wait_until.
no_stray_pids() {
  [[ -z "$(stray_pids "$1")" ]]
}

# describe_pids PID…: "pid: cmdline" lines, for failure messages.
describe_pids() {
  local p
  for p in "$@"; do
    echo "$p: $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" || echo '(gone)')"
  done
}

# describe_stray BASELINE_FILE: describe_pids of stray_pids, for failure messages.
describe_stray() {
  local pids
  mapfile -t pids < <(stray_pids "$1")
  describe_pids "${pids[@]}"
}

# assert_no_stray BASELINE_FILE: waits (up to 30 s) until no stray process is left.
assert_no_stray() {
  wait_until 30 no_stray_pids "$1" || fail "processes left behind:
$(describe_stray "$1")"
}

# stamp_lines: copies stdin to stdout line by line, each prefixed with its arrival time
# (monotonic seconds) and a tab.
stamp_lines() {
  "$PY" -u -c '
import sys, time
while True:
    line = sys.stdin.buffer.readline()
    if not line:
        break
    sys.stdout.buffer.write(b"%.3f\t" % time.monotonic() + line)
    sys.stdout.buffer.flush()
'
}

# ---------------------------------------------------------------------------------------------
# Cleanup at exit

_on_error() {
  local rc=$? line=$1 cmd=$2
  echo "error: line $line: '$cmd' exited $rc" >&2
}
trap '_on_error "$LINENO" "$BASH_COMMAND"' ERR

# at_exit CMD…: CMD runs at exit, before the sandboxes are terminated (e.g. to remove files
# the scenario made outside TEST_TMP).
_AT_EXIT=()
at_exit() {
  _AT_EXIT+=("$(printf '%q ' "$@")")
}

_cleanup() {
  local rc=$?
  trap - ERR EXIT
  set +eE
  local cmd
  for cmd in "${_AT_EXIT[@]}"; do
    eval "$cmd"
  done
  local job
  for job in $(jobs -p); do
    pkill -TERM -P "$job" 2>/dev/null # the sbx call a background `sbx …` job runs
    kill -TERM "$job" 2>/dev/null
  done
  wait 2>/dev/null
  local listing ids id
  listing=$(timeout -k 2 10 "$SBX" ls --all --json 2>/dev/null)
  ids=$("$PY" -c '
import json, sys
for s in json.loads(sys.stdin.read()):
    if s.get("state") in ("creating", "running"):
        print(s["id"])
' <<<"$listing" 2>/dev/null)
  for id in $ids; do
    timeout -k 2 10 "$SBX" terminate "$id" >/dev/null 2>&1
  done
  chmod -R u+rwX "$TEST_TMP" 2>/dev/null
  rm -rf --one-file-system "$TEST_TMP" 2>/dev/null
  if ((_OWN_HOME)); then
    chmod -R u+rwX "$SBX_HOME" 2>/dev/null
    rm -rf --one-file-system "$SBX_HOME" 2>/dev/null
  fi
  exit "$rc"
}
trap _cleanup EXIT
