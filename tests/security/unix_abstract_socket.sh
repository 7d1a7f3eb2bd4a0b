#!/usr/bin/env bash
# Abstract unix sockets: a host process listening on an abstract socket (as X11 and D-Bus do)
# cannot be reached from inside: connect() fails with ECONNREFUSED (the abstract namespace
# belongs to the network namespace).
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

name=sbx-probe-$$-$RANDOM
ready=$TEST_TMP/abstract.ready
"$PY" - "$name" "$ready" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0" + sys.argv[1])
s.listen(1)
open(sys.argv[2], "w").close()
s.settimeout(60)
try:
    s.accept()
    print("ACCEPTED")
except OSError:
    pass
PY
wait_until 20 test -e "$ready" || fail "the host listener did not start"
"$PY" -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect("\0"+sys.argv[1])' "${name}-nope" 2>/dev/null && fail "control: connect to an unbound name worked"
connect='
import errno, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect("\0" + sys.argv[1])
    print("connected")
except OSError as e:
    print(errno.errorcode[e.errno])'
assert_exit 0 sbx run -- python3 -c "$connect" "$name"
assert_eq ECONNREFUSED "$LAST_OUT" "connect to the host's abstract socket @$name"
assert_exit 0 sbx run -- python3 -c "$connect" /tmp/.X11-unix/X0
assert_eq ECONNREFUSED "$LAST_OUT" "connect to @/tmp/.X11-unix/X0"
