#!/bin/bash
# Object transfer between two hosts (network namespaces joined by a veth pair, addresses
# 10.78.0.x only inside them): a 2-node cluster pulls a dataset for trials on the worker.
# Run as root from the repository root: bash bench/tasks/veth_transfer.sh
set -u
B=${SCALEML_BINARY:-$(pwd)/build/scaleml}
TAG=smb$$
WORK=$(mktemp -d /tmp/scaleml-veth-XXXXXX)
on() { local i=$1; shift; ip netns exec "${TAG}h$i" env SCALEML_HOME="$WORK/home$i" "$@"; }
cleanup() { for i in 0 1; do on $i $B stop >/dev/null 2>&1; done; ip netns del ${TAG}h0; ip netns del ${TAG}h1; rm -rf $WORK; }
trap cleanup EXIT
ip netns add ${TAG}h0; ip netns add ${TAG}h1
ip link add ${TAG}a type veth peer name ${TAG}b
ip link set ${TAG}a netns ${TAG}h0; ip link set ${TAG}b netns ${TAG}h1
ip netns exec ${TAG}h0 ip addr add 10.78.0.1/24 dev ${TAG}a; ip netns exec ${TAG}h0 ip link set ${TAG}a up; ip netns exec ${TAG}h0 ip link set lo up
ip netns exec ${TAG}h1 ip addr add 10.78.0.2/24 dev ${TAG}b; ip netns exec ${TAG}h1 ip link set ${TAG}b up; ip netns exec ${TAG}h1 ip link set lo up
$B generate --samples ${ROWS:-2000000} --out $WORK/d.csv >/dev/null
on 0 $B start --head --node-ip-address 10.78.0.1 --num-cpus 1 --node-name h0 >/dev/null
tok=$(python3 -c "import json; print(json.load(open('$WORK/home0/cluster.json'))['token'])")
sleep 0.5
on 1 $B start --address 10.78.0.1:6379 --token $tok --num-cpus 2 --node-name h1 >/dev/null
on 0 $B tune --algo logreg --data $WORK/d.csv --num-samples 3 --cpus-per-trial 2 --storage $WORK/exp | tail -5
grep pulled $WORK/home1/session_*/logs/agent_h1.log
