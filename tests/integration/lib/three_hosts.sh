# Sourced by the multi-host integration tests (not a test itself: the test globs skip lib/).
# make_three_hosts TAG SUBNET: network namespaces ${TAG}h0..h2, each joined by a veth pair to a
# bridge in ${TAG}sw, addresses SUBNET.1-3/24 that exist only inside them. The caller removes them
# (remove_three_hosts TAG) from its EXIT trap, so they go also on failure. Exits with 77 (skip)
# when namespaces or bridges are unavailable, 1 when setting one up fails half-way.
make_three_hosts() {
  local tag=$1 subnet=$2 err i ns
  err=$(mktemp)
  if ! ip netns add "${tag}sw" 2>"$err"; then
    echo "SKIP: cannot create a network namespace: $(cat "$err")"; rm -f "$err"; exit 77
  fi
  rm -f "$err"
  ip netns exec "${tag}sw" ip link add br0 type bridge || { echo "SKIP: no bridge support"; exit 77; }
  ip netns exec "${tag}sw" ip link set br0 up
  for i in 0 1 2; do
    ns=${tag}h$i
    ip netns add "$ns" || exit 1
    ip link add "${tag}v$i" type veth peer name "${tag}p$i" || exit 1
    ip link set "${tag}v$i" netns "$ns"
    ip link set "${tag}p$i" netns "${tag}sw"
    ip netns exec "${tag}sw" ip link set "${tag}p$i" master br0 up
    ip netns exec "$ns" ip link set lo up
    ip netns exec "$ns" ip addr add "$subnet.$((i + 1))/24" dev "${tag}v$i"
    ip netns exec "$ns" ip link set "${tag}v$i" up
  done
}

remove_three_hosts() {
  local tag=$1 ns
  for ns in "${tag}h0" "${tag}h1" "${tag}h2" "${tag}sw"; do ip netns del "$ns" 2>/dev/null; done
}
