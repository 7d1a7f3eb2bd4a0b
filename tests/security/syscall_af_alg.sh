#!/usr/bin/env bash
# Syscalls that widen the kernel surface: socket families beyond unix/inet/inet6/netlink fail
# with EAFNOSUPPORT: AF_ALG (also with high bits set, which Docker's rule lets through),
# AF_PACKET, AF_KEY, AF_VSOCK, AF_BLUETOOTH; permissive refuses AF_ALG (EPERM); strict kills.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for p in socket_alg socket_alg_high socket_packet; do
  probe_exec "$SB" "$p"
  expect EAFNOSUPPORT "$p"
done
for family in 15 40 31 0 3; do # AF_KEY, AF_VSOCK, AF_BLUETOOTH, AF_UNSPEC, AF_AX25
  probe_exec "$SB" socket "$family"
  expect EAFNOSUPPORT "socket family $family"
done
probe_exec "$SB" socket_netlink
expect ok "AF_NETLINK still works"
probe_exec "$SB" socket 1
expect ok "AF_UNIX still works"
probe_run --policy permissive -- socket_alg_high
expect EPERM "AF_ALG | 1<<32 under permissive"
probe_run --policy strict -- socket_alg
expect_killed_sigsys "AF_ALG under strict"
