#!/usr/bin/env bash
# shellcheck disable=SC2016  # sandbox commands are single-quoted on purpose
# A fork bomb hits the --pids cap: fork fails with EAGAIN inside once the sandbox has 32 tasks
# (cgroup pids.max, or rootless RLIMIT_NPROC, which Linux 5.14+ counts per user namespace, so
# only the sandbox's own tasks count); an endless bomb is then killed whole by exec --timeout;
# the sandbox, a bystander sandbox and the host all still work afterwards.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/_flood_lib.sh"

bystander_create
SB=$(sbx_create --pids 32)
note "backend: $(backend_of "$SB")"

note "forking until refused: EAGAIN before 32 tasks"
assert_exit 0 sbx exec --timeout 60 "$SB" -- python3 -c '
import errno, os, signal, time
kids = []
while True:
    try:
        pid = os.fork()
    except OSError as e:
        print(len(kids), errno.errorcode[e.errno])
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    kids.append(pid)
for pid in kids:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
'
read -r forked err <<<"$LAST_OUT"
assert_eq EAGAIN "$err" "the error of the fork past the cap"
((forked > 0 && forked < 32)) || fail "forked $forked processes under --pids 32"

note "an endless shell fork bomb, ended by exec --timeout"
assert_exit 124 sbx exec --timeout 5 "$SB" -- sh -c '(b() { b | b & }; b) & exec sleep 1000'
host_responsive
gone() {
  n=$(sbx exec "$SB" -- sh -c 'ls /proc | grep -c "^[0-9]"' 2>/dev/null) && ((n <= 5))
}
wait_until 30 gone || fail "the bomb outlived its exec: $(sbx exec "$SB" -- ps -ef 2>&1 | head)"
assert_exit 0 sbx exec "$SB" -- echo after
assert_eq after "$LAST_OUT" "the sandbox after the bomb"
bystander_check
