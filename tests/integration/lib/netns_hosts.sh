# shellcheck shell=bash
# Sourced by the multi-host integration tests (not a test itself: the test globs skip lib/).
# Hosts for real: network namespaces ${TAG}h0 .. ${TAG}h(N-1), each joined by a veth pair to a
# bridge in ${TAG}sw, addresses SUBNET.1 .. SUBNET.N/24 that exist only inside them.
#
#   netns_require [redis]        exit 77 (skip) unless root with iproute2 (and redis-server)
#   make_hosts TAG SUBNET N      create the hosts; exit $NETNS_SKIP_EXIT (77: skipped; a bench
#                                that still succeeds sets 0) without namespaces or bridges, 1 when
#                                one fails half-way (the caller's EXIT trap removes what exists)
#   remove_hosts                 delete them (call it from the EXIT trap, so they go on failure)
#   on I COMMAND...              run COMMAND inside host I, with SCALEML_HOME=$WORK/homeI
#   join_host I TOKEN ARGS...    `scaleml start ARGS...` on host I with the cluster token (in the
#                                environment, not in ps), retried for up to 5 s: the bridge may
#                                need a moment before the first packet passes
#   stop_hosts                   `scaleml stop` on every host, the head (h0) last
# The tasks tests set B (the scaleml binary) and WORK (their temporary folder) before using on,
# join_host or stop_hosts.
NETNS_TAG=""
NETNS_COUNT=0
NETNS_SKIP_EXIT=${NETNS_SKIP_EXIT:-77}

netns_require() {
  [ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
  command -v ip >/dev/null 2>&1 || { echo "SKIP: ip (iproute2) is not installed"; exit 77; }
  if [ "${1:-}" = redis ] && [ ! -x /usr/bin/redis-server ]; then
    echo "SKIP: no redis-server"; exit 77
  fi
}

make_hosts() {
  local tag=$1 subnet=$2 count=$3 err i ns
  NETNS_TAG=$tag
  NETNS_COUNT=$count
  err=$(mktemp)
  if ! ip netns add "${tag}sw" 2>"$err"; then
    echo "SKIP: cannot create a network namespace: $(cat "$err")"; rm -f "$err"; exit "$NETNS_SKIP_EXIT"
  fi
  rm -f "$err"
  ip netns exec "${tag}sw" ip link add br0 type bridge || { echo "SKIP: no bridge support"; exit "$NETNS_SKIP_EXIT"; }
  ip netns exec "${tag}sw" ip link set br0 up || exit 1
  for ((i = 0; i < count; i++)); do
    ns=${tag}h$i
    ip netns add "$ns" || exit 1
    ip link add "${tag}v$i" type veth peer name "${tag}p$i" || exit 1
    ip link set "${tag}v$i" netns "$ns" || exit 1
    ip link set "${tag}p$i" netns "${tag}sw" || exit 1
    ip netns exec "${tag}sw" ip link set "${tag}p$i" master br0 up || exit 1
    ip netns exec "$ns" ip link set lo up || exit 1
    ip netns exec "$ns" ip addr add "$subnet.$((i + 1))/24" dev "${tag}v$i" || exit 1
    ip netns exec "$ns" ip link set "${tag}v$i" up || exit 1
  done
}

# Deleting a namespace deletes the veth ends inside it; an end not moved in yet is deleted here.
remove_hosts() {
  local tag=$NETNS_TAG i
  [ -n "$tag" ] || return 0
  for ((i = 0; i < NETNS_COUNT; i++)); do
    ip netns del "${tag}h$i" 2>/dev/null
    ip link del "${tag}v$i" 2>/dev/null
  done
  ip netns del "${tag}sw" 2>/dev/null
  return 0
}

on() {
  local i=$1; shift
  ip netns exec "${NETNS_TAG}h$i" env SCALEML_HOME="$WORK/home$i" "$@"
}

join_host() {
  local i=$1 token=$2 _; shift 2
  for _ in $(seq 1 20); do
    on "$i" env SCALEML_TOKEN="$token" "$B" start "$@" >/dev/null 2>"$WORK/join$i.err" && return 0
    sleep 0.25
  done
  echo "h$i could not join: $(cat "$WORK/join$i.err")"
  return 1
}

stop_hosts() {
  local i
  for ((i = NETNS_COUNT - 1; i >= 0; i--)); do on "$i" "$B" stop >/dev/null 2>&1; done
  return 0
}
