#!/bin/bash
# The ddp engine's scaling across three hosts (issue 17, "the scaling curve"): network namespaces
# h0, h1, h2 (veth pairs to a bridge in a namespace of its own, addresses 10.80.0.1-3 that exist
# only inside them), one rank per host, 1, 2 and 3 ranks training one model together on the same
# CSV (each rank reads its byte range). One JSON line per run in OUT/scaling.jsonl:
#   {"kind":"ddp_scaling","transport":"namespaces","algo":A,"ranks":N,"rows_train":R,
#    "fit_s":slowest rank,"predict_s":..,"comm_s":slowest rank,"comm_calls":rank 0's,
#    "comm_bytes":all ranks,"accuracy":..,"wall_s":..,"load1":uptime's load at the start,...}
# then OUT/scaling.md: the table, and the alpha-beta estimate for the same ranks from
# OUT/network.jsonl's namespace latencies when that file is there (bench/run_network_bench.sh
# --out OUT). --resume skips the (algo, ranks, data) points already in scaling.jsonl with status
# ok. The namespaces and every process are removed on exit, also on failure or ^C.
#
# usage: bench/run_scaling_namespaces.sh --data CSV [--out DIR] [--algos gbdt,knn]
#          [--ranks "1 2 3"] [--threads 1] [--timeout S] [--resume] [-- TRAIN_FLAGS...]
# The paper's 1GB data: --data /path/paper-5000000.csv (bench's 1GB dataset, 5,000,000 rows).
# Environment: SCALEML_BINARY (default build/scaleml), SCALEML_GLOO_LIBRARY (default next to it).
set -u
B=$(readlink -f "${SCALEML_BINARY:-build/scaleml}")
export SCALEML_GLOO_LIBRARY=${SCALEML_GLOO_LIBRARY:-$(dirname "$B")/libscaleml_gloo.so}
HERE=$(dirname "$(readlink -f "$0")")
DATA=""
OUT=bench-results/scaling-namespaces
ALGOS=gbdt,knn
RANKS="1 2 3"
THREADS=1
TIMEOUT=900
RESUME=0
EXTRA=()
while [ $# -gt 0 ]; do
  case $1 in
    --data) DATA=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --algos) ALGOS=$2; shift 2 ;;
    --ranks) RANKS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --resume) RESUME=1; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "run_scaling_namespaces.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$DATA" ] && [ -r "$DATA" ] || { echo "run_scaling_namespaces.sh: --data CSV is needed (readable)" >&2; exit 2; }
[ -x "$B" ] || { echo "run_scaling_namespaces.sh: no scaleml at $B (set SCALEML_BINARY)" >&2; exit 2; }
for n in $RANKS; do
  case $n in 1|2|3) ;; *) echo "run_scaling_namespaces.sh: --ranks takes 1, 2 and/or 3 (three hosts)" >&2; exit 2 ;; esac
done
[ "$(id -u)" -eq 0 ] || { echo "run_scaling_namespaces.sh: needs root (network namespaces)" >&2; exit 2; }
DATA=$(readlink -f "$DATA")
mkdir -p "$OUT" || exit 1
OUT=$(readlink -f "$OUT")
RESULTS=$OUT/scaling.jsonl
touch "$RESULTS"
VERSION=$("$B" --version)

TAG=sns$$
WORK=$(mktemp -d /tmp/scaleml-scaling-ns-XXXXXX)
PIDS=""
cleanup() {
  for pid in $PIDS; do kill -TERM "$pid" 2>/dev/null; done
  for pid in $PIDS; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  remove_hosts
  rm -rf "$WORK"
}
. "$(dirname "$0")/../tests/integration/lib/netns_hosts.sh"  # make_hosts, remove_hosts, on
trap cleanup EXIT
trap 'exit 1' INT TERM

# Three hosts: ${TAG}h0..h2, each a veth pair to a bridge in ${TAG}sw.
make_hosts "$TAG" 10.80.0 3

done_before() {  # done_before ALGO RANKS: whether scaling.jsonl has that point, status ok
  /usr/bin/python3 - "$RESULTS" "$1" "$2" "$DATA" <<'PY'
import json, sys
path, algo, ranks, data = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
for line in open(path):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if (r.get("kind") == "ddp_scaling" and r.get("status") == "ok" and r.get("algo") == algo
            and r.get("ranks") == ranks and r.get("data") == data):
        sys.exit(0)
sys.exit(1)
PY
}

port=29700
for algo in ${ALGOS//,/ }; do
  for n in $RANKS; do
    if [ $RESUME = 1 ] && done_before "$algo" "$n"; then echo "== $algo, $n ranks: done before"; continue; fi
    echo "== $algo, $n ranks"
    load1=$(cut -d' ' -f1 /proc/loadavg)
    start=$(date +%s.%N)
    PIDS=""
    for r in $(seq 0 $((n - 1))); do
      timeout -k 10 "$TIMEOUT" ip netns exec "${TAG}h$r" "$B" launch --nnodes "$n" --node-rank "$r" \
        --nproc-per-node 1 --master-addr 10.80.0.1 --master-port $port --timeout 300 -- \
        "$B" train --engine ddp --algo "$algo" --data "$DATA" --threads "$THREADS" --no-cache \
        --json "${EXTRA[@]}" >"$WORK/out$r" 2>"$WORK/err$r" &
      PIDS="$PIDS $!"
    done
    rcs=""
    for pid in $PIDS; do wait "$pid"; rcs="$rcs $?"; done
    PIDS=""
    port=$((port + 1))
    end=$(date +%s.%N)
    /usr/bin/python3 - "$WORK/out0" "$RESULTS" "$algo" "$n" "$DATA" "$THREADS" "$load1" \
      "$start" "$end" "$VERSION" "$rcs" "${EXTRA[*]}" <<'PY'
import json, sys
out0, results, algo, ranks, data, threads, load1, start, end, version, rcs, extra = sys.argv[1:]
record = {"kind": "ddp_scaling", "transport": "namespaces", "algo": algo, "ranks": int(ranks),
          "data": data, "threads": int(threads), "load1": float(load1),
          "wall_s": float(end) - float(start), "version": version, "flags": extra}
codes = [int(c) for c in rcs.split()]
try:
    report = json.load(open(out0))
except ValueError:
    report = None
if any(codes) or report is None:
    record["status"] = "timeout" if 124 in codes else "failed"
    record["exit_codes"] = codes
else:
    per_rank = report["per_rank"]
    record.update(status="ok", rows_train=report["rows_train"], rows_test=report["rows_test"],
                  accuracy=report["accuracy"],
                  fit_s=max(r["fit_s"] for r in per_rank),
                  predict_s=max(r["predict_s"] for r in per_rank),
                  load_s=max(r["load_s"] for r in per_rank),
                  comm_s=max(r["comm_s"] for r in per_rank),
                  comm_s_rank0=per_rank[0]["comm_s"],
                  comm_calls=per_rank[0]["comm_calls"],
                  comm_bytes=sum(r["comm_bytes"] for r in per_rank),
                  peak_rss_bytes=max(r["peak_rss_bytes"] for r in per_rank))
with open(results, "a") as f:
    f.write(json.dumps(record) + "\n")
print("  %s" % {k: record.get(k) for k in ("status", "fit_s", "predict_s", "comm_s", "accuracy")})
PY
    [ "$(tail -1 "$RESULTS" | grep -c '"status": "ok"')" = 1 ] || { tail -3 "$WORK"/err*; }
  done
done
/usr/bin/python3 "$HERE/scaling_namespaces_report.py" --scaling "$RESULTS" \
  --network "$OUT/network.jsonl" >"$OUT/scaling.md.partial" && mv "$OUT/scaling.md.partial" "$OUT/scaling.md"
echo "results: $RESULTS, table: $OUT/scaling.md"
