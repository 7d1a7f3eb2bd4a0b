# shellcheck shell=bash
# Sourced after lib.sh by the network scenarios: listeners on the host side and probes run
# inside a sandbox, each printing one precise outcome.

# The probe run inside: connect to HOST PORT (TCP over IPv4, or IPv6 for a HOST with ":"; 3 s) and print "connected DATA" (the first
# line the listener sent), "timeout", or the errno name (ECONNREFUSED, ENETUNREACH, ...).
CONNECT_PROBE='
import errno, socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.settimeout(3)
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    print(("connected " + s.recv(200).decode(errors="replace")).strip())
except socket.timeout:
    print("timeout")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
'

# The interfaces inside: "NAME ADDRESS" per interface (ADDRESS "-" when it has no IPv4 one),
# then "default IFACE" for each default route.
IFACES_PROBE='
import fcntl, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _, name in sorted(socket.if_nameindex()):
    try:
        raw = fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", name.encode()))
        print(name, socket.inet_ntoa(raw[20:24]))
    except OSError:
        print(name, "-")
for line in open("/proc/net/route").read().splitlines()[1:]:
    f = line.split()
    if f[1] == "00000000" and f[7] == "00000000":
        print("default", f[0])
'

# start_listener ADDR MARKER: a TCP listener on ADDR (IPv4, or IPv6 with ":"; a fresh port) that sends MARKER to every
# connection; sets LISTENER_PORT. It runs until the scenario exits.
start_listener() {
  local file
  file=$(mktemp "$TEST_TMP/port.XXXXXX")
  env -u SBX_HOME "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.bind((sys.argv[1], 0))
s.listen(16)
open(sys.argv[3], "w").write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept()
    c.sendall(sys.argv[2].encode() + b"\n")
    c.close()
' "$1" "$2" "$file" &
  wait_until 20 test -s "$file" || fail "the test listener on $1 did not start"
  LISTENER_PORT=$(cat "$file")
}

# connect_from SANDBOX HOST PORT: the CONNECT_PROBE outcome from inside SANDBOX.
connect_from() {
  sbx exec "$1" -- python3 -c "$CONNECT_PROBE" "$2" "$3"
}

# pasta_of SANDBOX: the pid of the pasta serving SANDBOX (a child of its supervisor), if any.
pasta_of() {
  local sup
  sup=$(field "$1" .supervisor_pid)
  pgrep -P "$sup" '^pas(ta|st)' || true  # pasta runs as passt.avx2 on x86-64
}

# has_ipv6_loopback: the host has ::1.
has_ipv6_loopback() {
  "$PY" -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null
}

# nat_unusable: why --network nat cannot work here (printed), or nothing and exit 1 when it can.
# pasta needs to be installed and, rootless, /dev/net/tun open to the caller (without udev's
# rule the node is 0600 root).
nat_unusable() {
  if ! command -v pasta >/dev/null; then
    echo "--network nat needs pasta (Debian package passt)"
  elif ! is_root && ! [[ -r /dev/net/tun && -w /dev/net/tun ]]; then
    echo "rootless --network nat needs /dev/net/tun open to this user (it is $(stat -c %a /dev/net/tun 2>/dev/null || echo missing))"
  else
    return 1
  fi
}
