# shellcheck shell=bash
# Sourced first by the scenarios that exercise --network nat or host: re-executes the scenario
# inside a network namespace of its own, with an interface d0 (10.199.0.2/24, one end of a veth
# pair whose other end has no address) and a default route via 10.199.0.1 (a fixed neighbour
# entry, so no ARP) that lead nowhere: packets sent there are silently dropped. pasta takes
# that namespace for "the host", so whatever a sandbox sends out stops there and never reaches
# a real network; "the host's loopback" is that namespace's own. As root: a new network namespace. Rootless: a user
# namespace that configures it, and nested in it one that maps the caller's uid back, so that
# sbx still runs unprivileged. Exits 77 when the host cannot make them.

TEST_NET_ADDR=10.199.0.2
TEST_NET_GW=10.199.0.1
if [[ -z "${SBX_IN_TEST_NETNS:-}" ]]; then
  export SBX_IN_TEST_NETNS=1
  _net_setup="ip link set lo up && ip link add d0 type veth peer name d1 &&
    ip link set d1 up && ip link set d0 up && ip addr add $TEST_NET_ADDR/24 dev d0 &&
    ip neigh add $TEST_NET_GW lladdr 02:00:00:00:00:01 dev d0 nud permanent &&
    ip route add default via $TEST_NET_GW"
  if ! command -v ip >/dev/null; then
    echo "SKIP: needs ip (iproute2) to set up a test network namespace"
    exit 77
  fi
  if [[ "$(id -u)" == 0 ]]; then
    unshare --net -- bash -c "$_net_setup" ||
      { echo "SKIP: cannot make a network namespace"; exit 77; }
    exec unshare --net -- bash -c "$_net_setup && exec \"\$0\" \"\$@\"" "$0" "$@"
  fi
  unshare --user --map-root-user --net -- bash -c "$_net_setup &&
    unshare --user --map-user=$(id -u) --map-group=$(id -g) -- true" ||
    { echo "SKIP: cannot make a user and network namespace to test in"; exit 77; }
  exec unshare --user --map-root-user --net -- bash -c "$_net_setup && exec unshare --user \
    --map-user=$(id -u) --map-group=$(id -g) -- \"\$0\" \"\$@\"" "$0" "$@"
fi
