#!/bin/bash
# Three hosts for real: network namespaces h0 (the master), h1 and h2, each joined by a veth pair
# to a bridge in a fourth namespace, addresses 10.77.0.1-3/24 that exist only inside them. Each
# host runs `scaleml launch --nnodes 3 --node-rank R` as the paper's master and two workers:
#   1. every collective on a 3-node group (comm_probe ops);
#   2. `scaleml train --engine ddp` equals the single-process run for every algorithm that
#      trains across ranks, and `--ddp-mode paper` reports the mean of the hosts' accuracies;
#   3. a rank killed on one host: every launcher exits non-zero, none hangs;
#   4. the same in the middle of `scaleml train --engine ddp --algo gbdt`.
# Everything is created here and removed on exit, also on failure. Skips (exit 77) when not
# root or when network namespaces are unavailable.
# usage: netns_three_hosts.sh SCALEML COMM_PROBE GLOO_LIBRARY
set -u
. "$(dirname "$0")/lib/netns_hosts.sh"
SCALEML=$1
PROBE=$2
export SCALEML_GLOO_LIBRARY=$3
netns_require

TAG=sml$$                      # names unique to this run (interface names stay under 15 chars)
HOSTS="${TAG}h0 ${TAG}h1 ${TAG}h2"
WORK=$(mktemp -d /tmp/scaleml-netns-XXXXXX)
PIDS=""

cleanup() {
  # `timeout` passes SIGTERM on to its launcher, which stops its ranks; SIGKILL if that stalls.
  for pid in $PIDS; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 1 50); do
    alive=0
    for pid in $PIDS; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for pid in $PIDS; do kill -KILL "$pid" 2>/dev/null; done
  remove_hosts
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

make_hosts "$TAG" 10.77.0 3
# Without STP the bridge forwards at once; where ping exists, make sure h1 and h2 reach h0 (the
# rendezvous retries until its timeout anyway).
if command -v ping >/dev/null 2>&1; then
  for ns in ${TAG}h1 ${TAG}h2; do
    ok=0
    for _ in $(seq 1 25); do
      if ip netns exec "$ns" ping -c1 -W1 10.77.0.1 >/dev/null 2>&1; then ok=1; break; fi
      sleep 0.2
    done
    [ $ok -eq 1 ] || { echo "FAIL: $ns cannot reach 10.77.0.1"; exit 1; }
  done
fi

. "$(dirname "$0")/lib/checks.sh"

# Runs COMMAND... on all three hosts under `scaleml launch`; exit codes in $WORK/rcN, output in
# $WORK/outN and $WORK/errN. Every launcher is bounded by `timeout`.
run_on_hosts() {
  local port=$1; shift
  PIDS=""
  local r=0
  for ns in $HOSTS; do
    timeout -k 5 120 ip netns exec "$ns" "$SCALEML" launch --nnodes 3 --node_rank $r \
      --nproc_per_node 1 --master_addr 10.77.0.1 --master_port "$port" --timeout 20 -- "$@" \
      >"$WORK/out$r" 2>"$WORK/err$r" &
    PIDS="$PIDS $!"
    r=$((r + 1))
  done
  r=0
  for pid in $PIDS; do
    wait "$pid"
    echo $? >"$WORK/rc$r"
    r=$((r + 1))
  done
  PIDS=""
}

# 1. Every collective across the three hosts.
run_on_hosts 29500 "$PROBE" ops
for r in 0 1 2; do
  grep -q "ok rank $r of 3" "$WORK/out$r"
  check "host $r: every collective correct on 3 hosts (rc $(cat "$WORK/rc$r"))" $?
  [ "$(cat "$WORK/rc$r")" = 0 ] || cat "$WORK/err$r"
done

# 2. Every algorithm that trains across ranks (xgboost through rank 0's rabit tracker), one model
#    trained by the three hosts together, equals the single process; then the paper's protocol
#    (--ddp-mode paper): each host trains alone on its third and rank 0 reports the mean.
"$SCALEML" generate --samples 30000 --features 10 --classes 2 --seed 7 --out "$WORK/data.csv" \
  >/dev/null || exit 1
port=29510
across_hosts() {  # across_hosts ALGO MODE TOLERANCE PARAMS...
  local algo=$1 mode=$2 tolerance=$3; shift 3
  "$SCALEML" train --algo "$algo" --data "$WORK/data.csv" --no-cache --json "$@" >"$WORK/local.json"
  check "single-process $algo" $?
  run_on_hosts $port "$SCALEML" train --engine ddp --ddp-mode "$mode" --algo "$algo" \
    --data "$WORK/data.csv" --no-cache --json "$@"
  port=$((port + 1))
  for r in 0 1 2; do check "host $r: ddp $mode $algo exits 0" "$(cat "$WORK/rc$r")"; done
  [ "$(cat "$WORK/rc0")" = 0 ] || cat "$WORK/err0" "$WORK/err1" "$WORK/err2"
  /usr/bin/python3 - "$WORK/local.json" "$WORK/out0" "$mode" "$tolerance" <<'PY'
import json, sys
local = json.load(open(sys.argv[1]))
ddp = json.load(open(sys.argv[2]))
mode, tolerance = sys.argv[3], float(sys.argv[4])
assert ddp["ranks"] == 3 and len(ddp["per_rank"]) == 3 and ddp["ddp_mode"] == mode, ddp
assert [r["node"] for r in ddp["per_rank"]] == [0, 1, 2], ddp["per_rank"]
assert ddp["rows_train"] == local["rows_train"] and ddp["rows_test"] == local["rows_test"], (ddp, local)
assert abs(ddp["accuracy"] - local["accuracy"]) <= tolerance, (ddp["accuracy"], local["accuracy"])
if mode == "paper":
    assert len(ddp["accuracy_per_rank"]) == 3
    assert abs(ddp["accuracy"] - sum(ddp["accuracy_per_rank"]) / 3) <= 1e-12
    assert all(r["comm_calls"] == 0 for r in ddp["per_rank"]), ddp["per_rank"]
else:
    assert all(r["comm_bytes"] > 0 for r in ddp["per_rank"]), ddp["per_rank"]
print("%s %s: ddp accuracy %.4f, local %.4f" % (ddp["algo"], mode, ddp["accuracy"], local["accuracy"]))
PY
  check "3-host $algo ($mode) against the single-process run (tolerance $tolerance)" $?
  for r in 1 2; do
    [ ! -s "$WORK/out$r" ]
    check "host $r prints nothing (rank 0 reports)" $?
  done
}
across_hosts logreg one-model 1e-9
across_hosts knn one-model 1e-9
across_hosts gbdt one-model 2e-3 --param num_iterations=10
across_hosts rf one-model 1e-9 --param n_estimators=12
across_hosts xgboost one-model 0.01 --param n_estimators=20
across_hosts gbdt paper 0.03 --param num_iterations=10

# 3. A rank lost on host 1: the other hosts' ranks fail naming it, every launcher exits non-zero.
run_on_hosts 29502 "$PROBE" die 1
for r in 0 1 2; do
  [ "$(cat "$WORK/rc$r")" != 0 ] && [ "$(cat "$WORK/rc$r")" != 124 ]
  check "host $r: launcher exits non-zero, without hanging (rc $(cat "$WORK/rc$r"))" $?
done
for r in 0 2; do
  grep -q "lost rank 1 " "$WORK/err$r"
  check "host $r names the lost rank 1" $?
  grep -q "lost rank 1 " "$WORK/err$r" || cat "$WORK/err$r"
done

# 4. The same during training: host 1's rank is killed mid-way through gbdt.
cp "$WORK/data.csv" "$WORK/killed.csv"
(
  # Once rank 1 has joined the group (its log line), give it a second of training, then kill it.
  for _ in $(seq 1 600); do
    grep -q "rank 1 of 3 joined the group" "$WORK/err1" 2>/dev/null && break
    sleep 0.1
  done
  sleep 1
  for pid in $(pgrep -f "[a]lgo gbdt --data $WORK/killed.csv"); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "RANK=1"; then kill -KILL "$pid"; fi
  done
) &
killer=$!
SCALEML_LOG=info run_on_hosts 29503 "$SCALEML" train --engine ddp --param num_iterations=100000 --algo gbdt \
  --data "$WORK/killed.csv" --no-cache
wait $killer
for r in 0 1 2; do
  [ "$(cat "$WORK/rc$r")" = 1 ]
  check "host $r: launcher exits 1 after rank 1 died mid-training (rc $(cat "$WORK/rc$r"))" $?
done
for r in 0 2; do
  grep -q "rank $r of 3: .* failed: .*lost rank 1 " "$WORK/err$r"
  check "host $r: its rank names the lost rank 1" $?
  grep -q "lost rank 1 " "$WORK/err$r" || cat "$WORK/err$r"
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
