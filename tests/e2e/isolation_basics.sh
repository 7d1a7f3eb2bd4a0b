#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# Isolation as the sandbox sees it: uid 0 inside mapped to an unprivileged host uid (the caller's
# when rootless, never 0 as root); own hostname; only lo; masked secrets in /etc; no host /root,
# /home, /var, /run, /tmp or state dir; read-only /usr; a private writable root layer that
# persists across execs but never reaches the host; fresh /proc and minimal /dev; no_new_privs
# and a small capability set; a new session; and an environment free of the caller's variables.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# inside CMD…: stdout of CMD run in the sandbox (which must succeed).
inside() {
  local out rc=0
  out=$(sbx exec "$SB" -- "$@" 2>"$TEST_TMP/.inside_err") || rc=$?
  ((rc == 0)) || fail "exec $* exited $rc: $(cat "$TEST_TMP/.inside_err")"
  printf '%s\n' "$out"
}

# absent PATH…: none of the paths exists inside the sandbox.
absent() {
  local p
  for p in "$@"; do
    assert_exit 1 sbx exec "$SB" -- test -e "$p"
  done
}

tag=$RANDOM$RANDOM
export SBX_LEAK_MARKER="leak-$tag"
# A private key of our own under /etc/ssh (as root, where /etc/ssh exists), so that the masking
# of /etc/ssh/*_key is seen even on a host without ssh host keys. Masks are planned at create.
test_key=/etc/ssh/sbx-test-${tag}_key
if [[ -d /etc/ssh && -w /etc/ssh ]]; then
  at_exit rm -f "$test_key"
  printf 'secret-%s\n' "$tag" >"$test_key"
fi
SB=$(sbx_create --app iso)

note "identity: root inside, mapped to an unprivileged uid on the host"
assert_eq 0 "$(inside id -u)" "uid inside"
assert_eq 0 "$(inside id -g)" "gid inside"
map=$(inside cat /proc/self/uid_map)
read -r inner outer count <<<"$map"
assert_eq 0 "$inner" "first uid_map entry starts at 0"
assert_match '^[0-9]+$' "$count" "uid_map count"
if is_root; then
  assert_ne 0 "$outer" "host uid of the sandbox's root (sbx as real root)"
  assert_eq "" "$(awk '$2 == 0' <<<"$map")" "uid_map lines that map to host uid 0"
else
  assert_eq "$(id -u)" "$outer" "host uid of the sandbox's root (rootless: the caller's)"
fi

note "hostname and network"
assert_ne "$(uname -n)" "$(inside uname -n)" "hostname inside"
ifaces=$(inside python3 -c '
for line in open("/proc/net/dev").read().splitlines()[2:]:
    print(line.split(":")[0].strip())')
assert_eq lo "$ifaces" "network interfaces inside"

note "secrets of /etc are masked"
for f in /etc/shadow /etc/gshadow /etc/sudoers /etc/ssh/*_key; do
  [[ -e "$f" ]] || continue
  capture sbx exec "$SB" -- cat "$f"
  assert_eq "" "$LAST_OUT" "$f as read inside"
done
assert_eq "$(head -n 1 /etc/passwd)" "$(inside head -n 1 /etc/passwd)" "/etc/passwd is the host's"

note "host /root, /home, /var, /run, /tmp and the state dir are not visible"
markers=()
mk() {
  if touch "$1" 2>/dev/null; then
    markers+=("$1")
    at_exit rm -f "$1"
  fi
}
mk "/tmp/sbx-marker-$tag"
mk "/var/tmp/sbx-marker-$tag"
[[ -n "${HOME:-}" && -d "$HOME" ]] && mk "$HOME/.sbx-marker-$tag"
if is_root; then
  mk "/root/.sbx-marker-$tag"
  mk "/home/.sbx-marker-$tag"
  mk "/run/sbx-marker-$tag"
fi
((${#markers[@]} >= 2)) || fail "could not create marker files on the host"
absent "${markers[@]}"
absent "$SBX_HOME" "$TEST_TMP"
[[ -e /var/lib/dpkg/status ]] && absent /var/lib/dpkg/status
assert_eq "" "$(inside ls -A /tmp)" "a fresh sandbox's /tmp"
assert_exit 0 sbx exec "$SB" -- sh -c "echo t >/tmp/inside-$tag && cat /tmp/inside-$tag"
assert_eq t "$LAST_OUT" "/tmp is writable inside"
[[ ! -e "/tmp/inside-$tag" ]] || fail "a file in the sandbox's /tmp reached the host"

note "/usr is read-only; / and /opt are a private writable layer"
capture sbx exec "$SB" -- touch "/usr/sbx-write-$tag"
assert_ne 0 "$LAST_RC" "exit status of touch /usr/…"
[[ ! -e "/usr/sbx-write-$tag" ]] || fail "a write to /usr reached the host"
capture sbx exec "$SB" -- sh -c "echo x >/usr/bin/sbx-write-$tag"
assert_ne 0 "$LAST_RC" "exit status of a write to /usr/bin"
assert_exit 0 sbx exec "$SB" -- sh -c "echo layer >/persist-$tag && mkdir -p /opt && echo layer >/opt/persist-$tag"
assert_eq "layer
layer" "$(inside cat "/persist-$tag" "/opt/persist-$tag")" "files written by an earlier exec"
[[ ! -e "/persist-$tag" ]] || fail "/persist-$tag appeared on the host"
[[ ! -e "/opt/persist-$tag" ]] || fail "/opt/persist-$tag appeared on the host"
SB_OTHER=$(sbx_create --app iso)
assert_exit 1 sbx exec "$SB_OTHER" -- test -e "/persist-$tag"

note "fresh /proc, minimal /dev"
nprocs=$(inside sh -c 'ls /proc | grep -c "^[0-9]"')
((nprocs < 10)) || fail "$nprocs processes visible in the sandbox's /proc: $(inside ps -ef)"
assert_ne "$(tr '\0' ' ' </proc/1/cmdline)" "$(inside sh -c "tr '\\0' ' ' </proc/1/cmdline")" \
  "pid 1 as seen inside"
absent /dev/mem /dev/kmem /dev/kmsg /dev/port /dev/sda /dev/vda /dev/nvme0 /dev/loop-control
assert_exit 0 sbx exec "$SB" -- sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c'
assert_eq "4
4" "$LAST_OUT" "/dev/null, /dev/zero and /dev/urandom work"

note "no_new_privs, small capability sets"
status=$(inside cat /proc/self/status)
assert_eq 1 "$(awk '/^NoNewPrivs:/ {print $2}' <<<"$status")" "NoNewPrivs"
for set in CapEff CapBnd CapPrm CapAmb; do
  hex=$(awk -v k="$set:" '$1 == k {print $2}' <<<"$status")
  caps=$(( 16#$hex ))
  n=$("$PY" -c "print(bin($caps).count('1'))")
  ((n <= 14)) || fail "$set has $n capabilities ($hex): not a small set"
  for bit in 16 17 19 21 22 25 38 39; do # module, rawio, ptrace, admin, boot, time, perfmon, bpf
    ((((caps >> bit) & 1) == 0)) || fail "$set ($hex) holds capability $bit"
  done
done

note "a new session: the command leads its own session"
stat=$(inside cat /proc/self/stat)
read -r -a fields <<<"${stat##*) }"
pid=${stat%% *}
assert_eq "$pid" "${fields[3]}" "session id of an exec'd command (its own pid)"
assert_exit 0 sbx exec "$SB" -- python3 -c 'import os; print(os.getsid(0) == os.getpid())'
assert_eq True "$LAST_OUT" "python3 leads its own session"
# `read` is a builtin: /proc/self is the entrypoint shell itself.
SB_EP=$(sbx_create --app iso -- sh -c 'read -r _ _ _ _ _ sid _ </proc/self/stat; echo "$$ $sid"; sleep 60')
wait_until 20 bash -c '[[ -n "$("$SBX" logs "$1")" ]]' _ "$SB_EP" || fail "no output from entrypoint"
read -r ep_pid ep_sid <<<"$(sbx logs "$SB_EP")"
assert_eq "$ep_pid" "$ep_sid" "session id of an entrypoint (its own pid)"

note "the environment holds nothing of the caller's"
env_inside=$(inside env)
assert_not_contains "$env_inside" "SBX_LEAK_MARKER" "env inside (marker variable)"
assert_not_contains "$env_inside" "leak-$tag" "env inside (marker value)"
assert_not_contains "$env_inside" "SBX_HOME" "env inside (SBX_HOME)"
assert_not_contains "$env_inside" "$SBX_HOME" "env inside (the state dir)"
assert_contains "$env_inside" "PATH=" "env inside has a PATH"
SB_ENV=$(sbx_create --app iso -- env)
sbx wait "$SB_ENV" >/dev/null
env_ep=$(sbx logs "$SB_ENV")
assert_not_contains "$env_ep" "SBX_LEAK_MARKER" "entrypoint env (marker variable)"
assert_not_contains "$env_ep" "SBX_HOME" "entrypoint env (SBX_HOME)"
assert_exit 0 sbx run -- env
assert_not_contains "$LAST_OUT" "SBX_LEAK_MARKER" "run env (marker variable)"

note "the host's processes are out of reach"
if (($$ > 100)); then
  assert_exit 1 sbx exec "$SB" -- test -e "/proc/$$/cmdline"
fi
