# shellcheck shell=bash
# Helpers shared by the attack probes of tests/security (sourced, never run: the runner skips
# files starting with "_"). On top of tests/e2e/lib.sh: the probe binary (probes/probe.c, built
# with gcc into the scenario's scratch space and mounted read-only at /probe in sandboxes),
# and assertions on its one-line answers.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"

_SEC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# build_probe: compiles probes/probe.c into PROBE_DIR (mode 0755, reachable from a sandbox whose
# root maps to an unprivileged uid) and sets PROBE_MOUNT=(--mount PROBE_DIR:/probe:ro). Skips
# the scenario when there is no C compiler.
PROBE_DIR=""
PROBE_MOUNT=()
build_probe() {
  local cc
  cc=$(command -v gcc || command -v cc || true)
  [[ -n "$cc" ]] || skip "no C compiler (gcc) to build the probe"
  PROBE_DIR=$(scratch_dir)
  "$cc" -O1 -o "$PROBE_DIR/probe" "$_SEC_DIR/probes/probe.c" ||
    fail "cannot compile tests/security/probes/probe.c"
  chmod 755 "$PROBE_DIR/probe"
  PROBE_MOUNT=(--mount "$PROBE_DIR:/probe:ro")
}

# probe_run [SBX RUN OPTIONS…] -- NAME [ARG]: `sbx run` of /probe/probe NAME [ARG] in a fresh
# sandbox; afterwards LAST_RC / LAST_OUT hold its exit status and its one line.
probe_run() {
  local opts=()
  while (($#)) && [[ "$1" != -- ]]; do
    opts+=("$1")
    shift
  done
  shift
  capture sbx run "${PROBE_MOUNT[@]}" "${opts[@]}" -- /probe/probe "$@"
}

# probe_exec SANDBOX NAME [ARG]: the same in a live sandbox (created with "${PROBE_MOUNT[@]}").
probe_exec() {
  local sb=$1
  shift
  capture sbx exec "$sb" -- /probe/probe "$@"
}

# expect WANT WHAT: the last probe exited 0 and printed exactly WANT (ok, EPERM, ...).
expect() {
  [[ "$LAST_RC" == 0 ]] || fail "$2: the probe exited $LAST_RC (stdout $(show "$LAST_OUT"), stderr $(show "$LAST_ERR"))"
  assert_eq "$1" "$LAST_OUT" "$2"
}

# expect_killed_sigsys WHAT: the last probe was killed by SIGSYS (exit 128+31) and printed nothing.
expect_killed_sigsys() {
  assert_eq 159 "$LAST_RC" "$1: exit status (SIGSYS is 128+31; stdout $(show "$LAST_OUT"))"
  assert_eq "" "$LAST_OUT" "$1: nothing printed before the kill"
}

# sb_sh SANDBOX SCRIPT: runs `sh -c SCRIPT` in SANDBOX, which must succeed; prints its stdout.
sb_sh() {
  local out rc=0
  out=$(sbx exec "$1" -- sh -c "$2" 2>"$TEST_TMP/.sb_sh_err") || rc=$?
  ((rc == 0)) || fail "sh -c $(show "$2") in $1 exited $rc: $(cat "$TEST_TMP/.sb_sh_err")"
  echo "$out"
}

# skip_missing_feature FEATURE VERB: the probe needs an sbx feature that does not exist yet; it
# is skipped, naming it, while `sbx VERB` is unknown.
skip_missing_feature() {
  if ! "$SBX" --help 2>/dev/null | grep -q -E "^  $2 "; then
    skip "sbx has no $1 yet ('sbx $2' is not a verb): nothing to attack"
  fi
  skip "sbx now has '$2' ($1) but this probe has not been written for it yet"
}
