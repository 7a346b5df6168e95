#!/bin/bash
# Network latency, measured with scaleml's own transports (issue 17, "network latency"):
#   1. collective latency by message size (`scaleml commbench`: allreduce and allgather, median
#      and p95 of the slowest rank over repeats) between 2 and 3 ranks on loopback, then between
#      3 network-namespace hosts (veth pairs to a bridge in a namespace of its own, addresses
#      10.79.0.1-3 that exist only inside them), one rank per host;
#   2. object transfer throughput between namespace hosts: a 3-node tasks cluster (head h0,
#      workers h1 and h2) runs a short tune for each dataset size; the workers pull the dataset
#      object from the head (ObjectTransfer::Pull, checksummed) and log bytes and seconds.
# Appends one JSON line per measurement to RESULTS_DIR/network.jsonl:
#   {"kind":"collective_latency","transport":"loopback"|"namespaces","ranks":N,"op":"allreduce",
#    "bytes":B,"median_s":x,"p95_s":y,...}
#   {"kind":"object_transfer","transport":"namespaces","bytes":B,"seconds":s,"bytes_per_s":r,...}
# The namespaces, the cluster and every process are removed on exit, also on failure or ^C.
# Parts 1b and 2 need root and iproute2 (part 2 also redis-server); without them they are
# skipped with a message and the script still succeeds.
#
# usage: bench/run_network_bench.sh [--out RESULTS_DIR] [--sizes LIST] [--ops LIST]
#          [--repeats N] [--seconds-per-size S] [--ranks "2 3"] [--object-rows "100000 1000000"]
#          [--loopback-only] [--no-objects]
# Environment: SCALEML_BINARY (default build/scaleml), SCALEML_GLOO_LIBRARY (default next to it).
set -u
B=$(readlink -f "${SCALEML_BINARY:-build/scaleml}")
export SCALEML_GLOO_LIBRARY=${SCALEML_GLOO_LIBRARY:-$(dirname "$B")/libscaleml_gloo.so}
OUT=bench-results/network
SIZES=""
OPS=allreduce,allgather
REPEATS=30
SECONDS_PER_SIZE=2
RANKS="2 3"
OBJECT_ROWS="100000 1000000"
LOOPBACK_ONLY=0
OBJECTS=1
while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=$2; shift 2 ;;
    --sizes) SIZES=$2; shift 2 ;;
    --ops) OPS=$2; shift 2 ;;
    --repeats) REPEATS=$2; shift 2 ;;
    --seconds-per-size) SECONDS_PER_SIZE=$2; shift 2 ;;
    --ranks) RANKS=$2; shift 2 ;;
    --object-rows) OBJECT_ROWS=$2; shift 2 ;;
    --loopback-only) LOOPBACK_ONLY=1; shift ;;
    --no-objects) OBJECTS=0; shift ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "run_network_bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$B" ] || { echo "run_network_bench.sh: no scaleml at $B (set SCALEML_BINARY)" >&2; exit 2; }
for n in $RANKS; do
  case $n in 2|3) ;; *) echo "run_network_bench.sh: --ranks takes 2 and/or 3 (three hosts)" >&2; exit 2 ;; esac
done
mkdir -p "$OUT" || exit 1
RESULTS=$(readlink -f "$OUT")/network.jsonl
COMMBENCH=(commbench --ops "$OPS" --repeats "$REPEATS" --seconds-per-size "$SECONDS_PER_SIZE"
           --out "$RESULTS")
[ -n "$SIZES" ] && COMMBENCH+=(--sizes "$SIZES")
LIMIT=${BENCH_STEP_TIMEOUT:-300}  # seconds for any one step (a group, a tune)

TAG=snb$$
WORK=$(mktemp -d /tmp/scaleml-netbench-XXXXXX)
PIDS=""
CLUSTER=0
cleanup() {
  for pid in $PIDS; do kill -TERM "$pid" 2>/dev/null; done
  for pid in $PIDS; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  if [ $CLUSTER = 1 ]; then for i in 0 1 2; do on $i "$B" stop >/dev/null 2>&1; done; fi
  remove_hosts
  rm -rf "$WORK"
}
. "$(dirname "$0")/../tests/integration/lib/netns_hosts.sh"  # make_hosts, remove_hosts, on
trap cleanup EXIT
trap 'exit 1' INT TERM
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# 1a. Loopback: one launcher, N local ranks.
for n in $RANKS; do
  echo "== loopback, $n ranks"
  timeout -k 5 "$LIMIT" "$B" launch --nproc-per-node "$n" --master-port "$(free_port)" \
    --timeout 60 -- "$B" "${COMMBENCH[@]}" --transport loopback || {
    echo "run_network_bench.sh: loopback commbench with $n ranks failed" >&2; exit 1; }
done
[ $LOOPBACK_ONLY = 1 ] && { echo "results: $RESULTS"; exit 0; }

if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null 2>&1; then
  echo "skipped: namespace hosts need root and iproute2"; echo "results: $RESULTS"; exit 0
fi

# Three hosts: ${TAG}h0..h2, each a veth pair to a bridge in ${TAG}sw; skipped without them.
NETNS_SKIP_EXIT=0 make_hosts "$TAG" 10.79.0 3

# 1b. Namespace hosts: one launcher and one rank per host, rank 0 on h0 (10.79.0.1).
port=29600
for n in $RANKS; do
  echo "== namespaces, $n hosts"
  PIDS=""
  for r in $(seq 0 $((n - 1))); do
    timeout -k 5 "$LIMIT" ip netns exec "${TAG}h$r" "$B" launch --nnodes "$n" --node-rank "$r" \
      --nproc-per-node 1 --master-addr 10.79.0.1 --master-port $port --timeout 60 -- \
      "$B" "${COMMBENCH[@]}" --transport namespaces >"$WORK/out$r" 2>"$WORK/err$r" &
    PIDS="$PIDS $!"
  done
  failed=0
  for pid in $PIDS; do wait "$pid" || failed=1; done
  PIDS=""
  cat "$WORK/out0"
  [ $failed = 0 ] || { cat "$WORK"/err*; echo "run_network_bench.sh: namespaces, $n hosts failed" >&2; exit 1; }
  port=$((port + 1))
done

# 2. Object transfer: the workers pull each dataset from the head.
[ $OBJECTS = 1 ] || { echo "results: $RESULTS"; exit 0; }
[ -x /usr/bin/redis-server ] || { echo "skipped object transfer: no redis-server"; echo "results: $RESULTS"; exit 0; }
echo "== object transfer between namespace hosts"
CLUSTER=1
on 0 "$B" start --head --node-ip-address 10.79.0.1 --port 6379 --num-cpus 2 --node-name h0 \
  --object-store-memory 2000000000 >/dev/null || { echo "head start failed" >&2; exit 1; }
token=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['token'])" "$WORK/home0/cluster.json")
for i in 1 2; do
  joined=0
  for _ in $(seq 1 20); do  # the bridge may need a moment before the first packet passes
    if on $i "$B" start --address 10.79.0.1:6379 --token "$token" --num-cpus 2 --node-name h$i \
      --object-store-memory 2000000000 >/dev/null 2>"$WORK/join$i.err"; then joined=1; break; fi
    sleep 0.25
  done
  [ $joined = 1 ] || { echo "h$i could not join: $(cat "$WORK/join$i.err")" >&2; exit 1; }
done
for rows in $OBJECT_ROWS; do
  "$B" generate --samples "$rows" --features 10 --classes 2 --seed 17 --out "$WORK/d$rows.csv" \
    >/dev/null || exit 1
  # Six one-round trials of 2 CPUs on three 2-CPU nodes: every node runs some, so both workers
  # pull the dataset. The training is incidental; the pulls are what is measured.
  timeout -k 5 "$LIMIT" ip netns exec "${TAG}h0" env SCALEML_HOME="$WORK/home0" "$B" tune \
    --algo logreg --data "$WORK/d$rows.csv" --num-samples 6 --cpus-per-trial 2 \
    --param max_iter=1 --storage "$WORK/exp$rows" >/dev/null 2>"$WORK/tune.err" || {
    cat "$WORK/tune.err"; echo "run_network_bench.sh: tune over $rows rows failed" >&2; exit 1; }
done
# Every pull the agents logged ("pulled object ID (BYTES bytes) from NODE in SECONDS s"), read
# once the cluster has stopped and the logs are complete.
for i in 0 1 2; do on $i "$B" stop >/dev/null 2>&1; done
CLUSTER=0
for i in 0 1 2; do
  cat "$WORK"/home$i/session_*/logs/agent_h$i.log 2>/dev/null | sed "s/^/h$i /"
done | /usr/bin/python3 -c '
import json, re, sys
with open(sys.argv[1], "a") as out:
    for line in sys.stdin:
        m = re.search(r"pulled object \S+ \((\d+) bytes\) from (\S+) in ([0-9.e+-]+) s", line)
        if not m:
            continue
        size, seconds = int(m.group(1)), float(m.group(3))
        record = {"kind": "object_transfer", "transport": "namespaces", "bytes": size,
                  "seconds": seconds, "bytes_per_s": size / seconds if seconds > 0 else None,
                  "from": m.group(2), "to": line.split()[0]}
        out.write(json.dumps(record) + "\n")
        print("object of %d bytes, %s to %s: %.3f s, %.0f MB/s" % (
            size, m.group(2), record["to"], seconds, size / seconds / 1e6))
' "$RESULTS"
echo "results: $RESULTS"
