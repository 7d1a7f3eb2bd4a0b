#!/usr/bin/env bash
# Probe: no raw network access in any mode. Raw IPv4/IPv6 sockets need CAP_NET_RAW, which the
# sandbox's root does not keep (EPERM); packet sockets (AF_PACKET) are refused by the default
# seccomp profile (EAFNOSUPPORT). With --network host this is what keeps the sandbox from
# sniffing or forging the host's traffic.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../e2e/_netns.sh
source "$(dirname "$0")/../e2e/_netns.sh"
# shellcheck source=../e2e/lib.sh
source "$(dirname "$0")/../e2e/lib.sh"
# shellcheck source=../e2e/_net_probe.sh
source "$(dirname "$0")/../e2e/_net_probe.sh"

PROBE='
import errno, socket
for name, fam, kind, proto in [("inet-raw", socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
                               ("inet6-raw", socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6),
                               ("packet", 17, socket.SOCK_RAW, 0x0300)]:
    try:
        socket.socket(fam, kind, proto); print(name, "opened")
    except OSError as e:
        print(name, errno.errorcode.get(e.errno, str(e.errno)))
'
want="inet-raw EPERM
inet6-raw EPERM
packet EAFNOSUPPORT"
modes=(none host)
if why=$(nat_unusable); then note "nat left out: $why"; else modes+=(nat); fi
for mode in "${modes[@]}"; do
  assert_exit 0 sbx run --network "$mode" -- python3 -c "$PROBE"
  assert_eq "$want" "$LAST_OUT" "raw sockets in $mode"
done
