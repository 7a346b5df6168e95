#!/bin/bash
# `scaleml launch` on loopback, end to end through the command line:
#   torchrun's `_` spellings; a 3-rank group running every collective; a rank killed mid-run
#   making the launcher exit non-zero naming it, with no process left; and
#   `scaleml train --engine ddp` with 2 and 3 ranks against the single-process run for every
#   algorithm (xgboost through libxgboost's rabit collective and rank 0's tracker).
# usage: launch_loopback.sh SCALEML COMM_PROBE GLOO_LIBRARY
set -u
SCALEML=$1
PROBE=$2
export SCALEML_GLOO_LIBRARY=$3
WORK=$(mktemp -d /tmp/scaleml-launch-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib/checks.sh"

# Every collective, 3 ranks, torchrun's spellings.
timeout -k 5 120 "$SCALEML" launch --nnodes 1 --node_rank 0 --nproc_per_node 3 \
  --master_addr 127.0.0.1 --master_port "$(free_port)" --timeout 30 -- "$PROBE" ops \
  >"$WORK/out" 2>"$WORK/err"
rc=$?
[ $rc -eq 0 ] && [ "$(grep -c '^ok rank' "$WORK/out")" -eq 3 ]
check "3 ranks under scaleml launch: every collective correct (rc $rc)" $?
[ $rc -eq 0 ] || cat "$WORK/err"

# A rank killed mid-run: the launcher names it and leaves nothing behind.
MARK=scaleml-loopback-$$
timeout -k 5 120 "$SCALEML" launch --nproc-per-node 3 --master-port "$(free_port)" --timeout 60 \
  -- "$PROBE" die 1 "$MARK" >"$WORK/out" 2>"$WORK/err"
rc=$?
[ $rc -eq 1 ] && grep -q "launch: rank 1 (local rank 1, pid [0-9]*) was killed by signal SIGKILL" "$WORK/err"
check "a killed rank: launcher exits 1 naming rank 1 (rc $rc)" $?
[ $rc -eq 1 ] || cat "$WORK/err"
! pgrep -f "[s]${MARK#s}" >/dev/null
check "no rank process is left" $?

# Training across ranks equals training alone.
"$SCALEML" generate --samples 6000 --features 10 --classes 2 --seed 11 --out "$WORK/data.csv" \
  >/dev/null || exit 1
compare() {  # compare ALGO RANKS TOLERANCE PARAMS...
  local algo=$1 ranks=$2 tolerance=$3; shift 3
  "$SCALEML" train --algo "$algo" --data "$WORK/data.csv" --no-cache --json "$@" >"$WORK/local.json"
  timeout -k 5 300 "$SCALEML" launch --nproc-per-node "$ranks" --master-port "$(free_port)" \
    --timeout 60 -- "$SCALEML" train --engine ddp --algo "$algo" --data "$WORK/data.csv" \
    --no-cache --json "$@" >"$WORK/ddp.json" 2>"$WORK/err"
  local rc=$?
  [ $rc -eq 0 ] || cat "$WORK/err"
  /usr/bin/python3 - "$WORK/local.json" "$WORK/ddp.json" "$ranks" "$tolerance" <<'PY'
import json, sys
local, ddp = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ranks, tolerance = int(sys.argv[3]), float(sys.argv[4])
assert ddp["engine"] == "ddp" and ddp["ranks"] == ranks and len(ddp["per_rank"]) == ranks, ddp
assert ddp["ddp_mode"] == "one-model" and "accuracy_per_rank" not in ddp, ddp  # the default
assert [r["rank"] for r in ddp["per_rank"]] == list(range(ranks))
assert ddp["rows_test"] == local["rows_test"], (ddp["rows_test"], local["rows_test"])
assert abs(ddp["accuracy"] - local["accuracy"]) <= tolerance, (ddp["accuracy"], local["accuracy"])
# The other metrics: confusion matrices added over the ranks, AUC from the gathered scores.
if tolerance <= 1e-9:
    assert ddp["confusion_matrix"] == local["confusion_matrix"], (ddp["confusion_matrix"], local["confusion_matrix"])
    for key in ("logloss", "roc_auc", "f1", "balanced_accuracy"):
        assert abs(ddp[key] - local[key]) <= 1e-9, (key, ddp[key], local[key])
    if "cv" in local:
        assert ddp["cv"]["folds"] == local["cv"]["folds"]
        for key, value in local["cv"]["mean"].items():
            assert abs(ddp["cv"]["mean"][key] - value) <= 1e-9, (key, ddp["cv"]["mean"], local["cv"]["mean"])
print("  %s x%d: accuracy %.4f (single process %.4f)" % (ddp["algo"], ranks, ddp["accuracy"], local["accuracy"]))
PY
  check "$algo with $ranks ranks matches the single process (tolerance $tolerance)" $?
}
for ranks in 2 3; do
  compare logreg $ranks 1e-9
  compare knn $ranks 1e-9
  compare gbdt $ranks 2e-3 --param num_iterations=10
  compare rf $ranks 1e-9 --param n_estimators=12
  compare xgboost $ranks 0.01 --param n_estimators=20
done
# Scoring on a separate file (every rank reads its part of both) and cross-validation.
{ head -n 1 "$WORK/data.csv"; tail -n 1500 "$WORK/data.csv"; } >"$WORK/test.csv"
compare logreg 3 1e-9 --test-data "$WORK/test.csv"
compare rf 3 1e-9 --param n_estimators=12 --cv 3

# A rank killed mid-training: the launcher names it and exits non-zero, nothing hangs.
cp "$WORK/data.csv" "$WORK/killed-$$.csv"
SCALEML_LOG=info timeout -k 5 300 "$SCALEML" launch --nproc-per-node 3 \
  --master-port "$(free_port)" --timeout 60 -- "$SCALEML" train --engine ddp --algo gbdt \
  --param num_iterations=100000 --data "$WORK/killed-$$.csv" --no-cache >/dev/null 2>"$WORK/err" &
launcher=$!
# Once rank 1 has joined the group (its log line), give it a second of training, then kill it.
for _ in $(seq 1 600); do
  grep -q "rank 1 of 3 joined the group" "$WORK/err" && break
  sleep 0.1
done
sleep 1
victim=""
for pid in $(pgrep -f "[a]lgo gbdt --param num_iterations=100000 --data $WORK/killed-$$.csv"); do
  if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "RANK=1"; then victim=$pid; fi
done
[ -n "$victim" ] && kill -KILL "$victim"
wait $launcher
rc=$?
# The launcher sees the death first and stops the local survivors (on other hosts, they name the
# lost rank themselves: netns_three_hosts.sh).
[ -n "$victim" ] && [ $rc -eq 1 ] &&
  grep -q "launch: rank 1 (local rank 1, pid $victim) was killed by signal SIGKILL" "$WORK/err"
check "rank 1 killed mid-training: the launcher names it and exits 1 (rc $rc)" $?
[ $rc -eq 1 ] || cat "$WORK/err"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
