#!/bin/bash
# bench/run_network_bench.sh on loopback with tiny sizes (no root needed): `scaleml commbench`
# under `scaleml launch` with 2 and 3 ranks writes network.jsonl with one collective_latency
# record per rank count, op and size in the schema the report reads; a second run appends; the
# alpha-beta fit of bench/scaling_estimate.py reads the file; bad flags are refused.
# usage: network_bench_loopback.sh SCALEML COMM_PROBE GLOO_LIBRARY
set -u
export SCALEML_BINARY=$1
export SCALEML_GLOO_LIBRARY=$3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/scaleml-netbench-test-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib/checks.sh"

BENCH_STEP_TIMEOUT=60 timeout -k 5 120 bash "$ROOT/bench/run_network_bench.sh" --loopback-only \
  --out "$WORK/results" --sizes 8,512,40816,256KiB --ops allreduce,allgather --repeats 5 \
  --ranks "2 3" >"$WORK/out" 2>&1
rc=$?
check "run_network_bench.sh --loopback-only exits 0 (rc $rc)" $rc
[ $rc -eq 0 ] || cat "$WORK/out"

/usr/bin/python3 - "$WORK/results/network.jsonl" <<'PY'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
assert len(records) == 2 * 2 * 4, len(records)
keys = set()
for r in records:
    assert r["kind"] == "collective_latency" and r["transport"] == "loopback", r
    assert r["op"] in ("allreduce", "allgather") and r["ranks"] in (2, 3), r
    assert isinstance(r["bytes"], int) and r["bytes"] in (8, 512, 40816, 262144), r
    assert 0 < r["median_s"] <= r["p95_s"] < 10, r
    assert r["repeats"] == 5, r
    keys.add((r["ranks"], r["op"], r["bytes"]))
assert len(keys) == 16, keys
print("schema ok: %d records" % len(records))
PY
check "network.jsonl: one collective_latency record per ranks, op and size, schema ok" $?

# A second run appends to the same file (the suite runs loopback and namespaces one after the other).
timeout -k 5 60 "$SCALEML_BINARY" launch --nproc-per-node 2 --master-port "$(free_port)" \
  --timeout 30 -- "$SCALEML_BINARY" commbench --sizes 8 --repeats 3 \
  --out "$WORK/results/network.jsonl" >/dev/null 2>"$WORK/err"
[ $? -eq 0 ] && [ "$(wc -l <"$WORK/results/network.jsonl")" -eq 17 ]
check "commbench appends to an existing network.jsonl" $?

/usr/bin/python3 "$ROOT/bench/scaling_estimate.py" --network "$WORK/results/network.jsonl" \
  --transport loopback >"$WORK/estimate" 2>&1 && grep -q "^Fitted from .*alpha = " "$WORK/estimate"
check "scaling_estimate.py fits alpha and B from network.jsonl" $?

# The scaling table reads scaling.jsonl and the latencies (only namespace ones feed the fit).
sed 's/"loopback"/"namespaces"/' "$WORK/results/network.jsonl" >"$WORK/ns.jsonl"
cat >"$WORK/scaling.jsonl" <<'JSONL'
{"kind":"ddp_scaling","status":"ok","algo":"gbdt","ranks":1,"data":"d.csv","rows_train":800,"fit_s":8.0,"predict_s":1.0,"comm_s":0.0,"comm_calls":0,"comm_bytes":0,"accuracy":0.9,"load1":1.0}
{"kind":"ddp_scaling","status":"ok","algo":"gbdt","ranks":2,"data":"d.csv","rows_train":800,"fit_s":4.0,"predict_s":0.5,"comm_s":0.3,"comm_calls":3000,"comm_bytes":250000000,"accuracy":0.9,"load1":1.0}
{"kind":"ddp_scaling","status":"failed","algo":"gbdt","ranks":3,"data":"d.csv"}
JSONL
/usr/bin/python3 "$ROOT/bench/scaling_namespaces_report.py" --scaling "$WORK/scaling.jsonl" \
  --network "$WORK/ns.jsonl" >"$WORK/table.md" 2>&1 &&
  grep -q "^| gbdt | 800 | 2 | 4.00 | 0.50 | 4.50 | 2.00x | 0.30 | 3,000 | 250.0 MB | 0.9000 | 1.0 | [0-9.]* |$" "$WORK/table.md" &&
  ! grep -q "^| gbdt | 800 | 3 " "$WORK/table.md" && grep -q "^| 40,816 | " "$WORK/table.md"
ok=$?
check "scaling_namespaces_report.py: latency table, ok runs with speed-up and estimate" $ok
[ $ok -eq 0 ] || cat "$WORK/table.md"

"$SCALEML_BINARY" commbench --sizes 12xB 2>"$WORK/err"
rc=$?
[ $rc -eq 2 ] && grep -q -- "--sizes 12xB is not a size" "$WORK/err"
check "commbench refuses a bad size before forming a group (rc $rc)" $?
"$SCALEML_BINARY" commbench --sizes 8 2>"$WORK/err"
rc=$?
[ $rc -eq 2 ] && grep -q "RANK" "$WORK/err"
check "commbench outside a launcher says how to run (rc $rc)" $?

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
