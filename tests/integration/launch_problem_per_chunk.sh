#!/bin/bash
# Every algorithm on the paper's kind of data: `scaleml generate --problem-per-chunk` makes every
# 2,000-row chunk an independent problem, so a rank's byte range of the file holds only some of
# the problems. A rank-local shortcut (training on one's own chunks only) scores well on
# one-problem data and badly here. On loopback, through the command line:
#   1. one-model mode (`scaleml train --engine ddp`) with 2 and 3 ranks equals the single process:
#      logreg, knn and rf exactly (rf grows the same forest on any rank count), gbdt within
#      2e-3, xgboost within 0.02 (distributed XGBoost is not bit-equal to one process: 0.0097
#      with 2 ranks and 0.0044 with 3 measured);
#   2. paper mode (`--ddp-mode paper`) with 3 ranks: ddp_mode "paper", three per-rank accuracies
#      whose mean is the accuracy, shares that cover the training set, the whole test set scored
#      by every rank, no communication while training, and an accuracy within a few points of
#      the single process (each rank's share is a random third of the file, not a chunk range:
#      it must hold every problem).
# usage: launch_problem_per_chunk.sh SCALEML COMM_PROBE GLOO_LIBRARY
set -u
SCALEML=$1
export SCALEML_GLOO_LIBRARY=$3
WORK=$(mktemp -d /tmp/scaleml-per-chunk-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib/checks.sh"

# Six chunks of 2,000 rows, each its own problem.
"$SCALEML" generate --samples 12000 --features 10 --classes 2 --seed 11 --chunk-size 2000 \
  --problem-per-chunk --out "$WORK/data.csv" >/dev/null || exit 1

# Runs the single process once per algorithm; ddp runs compare against it.
local_run() {  # local_run ALGO PARAMS...
  local algo=$1; shift
  timeout -k 5 120 "$SCALEML" train --algo "$algo" --data "$WORK/data.csv" --no-cache --json "$@" \
    >"$WORK/local-$algo.json" 2>"$WORK/err"
  local rc=$?
  check "$algo: single process (rc $rc)" $rc
  [ $rc -eq 0 ] || cat "$WORK/err"
}

ddp_run() {  # ddp_run ALGO RANKS OUT PARAMS... (extra train flags included)
  local algo=$1 ranks=$2 out=$3; shift 3
  timeout -k 5 120 "$SCALEML" launch --nproc-per-node "$ranks" --master-port "$(free_port)" \
    --timeout 60 -- "$SCALEML" train --engine ddp --algo "$algo" --data "$WORK/data.csv" \
    --no-cache --json "$@" >"$out" 2>"$WORK/err"
  local rc=$?
  [ $rc -eq 0 ] || cat "$WORK/err"
  return $rc
}

one_model() {  # one_model ALGO RANKS TOLERANCE PARAMS...
  local algo=$1 ranks=$2 tolerance=$3; shift 3
  ddp_run "$algo" "$ranks" "$WORK/ddp.json" "$@" &&
    /usr/bin/python3 - "$WORK/local-$algo.json" "$WORK/ddp.json" "$ranks" "$tolerance" <<'PY'
import json, sys
local, ddp = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ranks, tolerance = int(sys.argv[3]), float(sys.argv[4])
assert ddp["engine"] == "ddp" and ddp["ddp_mode"] == "one-model", ddp
assert ddp["ranks"] == ranks and len(ddp["per_rank"]) == ranks, ddp
assert "accuracy_per_rank" not in ddp, ddp
assert ddp["rows_train"] == local["rows_train"], (ddp["rows_train"], local["rows_train"])
assert ddp["rows_test"] == local["rows_test"], (ddp["rows_test"], local["rows_test"])
assert abs(ddp["accuracy"] - local["accuracy"]) <= tolerance, (ddp["accuracy"], local["accuracy"])
print("  %s x%d one-model: accuracy %.4f (single process %.4f)"
      % (ddp["algo"], ranks, ddp["accuracy"], local["accuracy"]))
PY
  check "$algo with $ranks ranks, one-model, per-chunk data: matches the single process (tolerance $tolerance)" $?
}

paper() {  # paper ALGO PARAMS...
  local algo=$1; shift
  ddp_run "$algo" 3 "$WORK/paper.json" --ddp-mode paper "$@" &&
    /usr/bin/python3 - "$WORK/local-$algo.json" "$WORK/paper.json" <<'PY'
import json, sys
local, paper = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert paper["engine"] == "ddp" and paper["ddp_mode"] == "paper", paper
assert paper["ranks"] == 3 and [r["rank"] for r in paper["per_rank"]] == [0, 1, 2], paper
per_rank = paper["accuracy_per_rank"]
assert len(per_rank) == 3, per_rank
assert abs(paper["accuracy"] - sum(per_rank) / 3) <= 1e-12, (paper["accuracy"], per_rank)
# Every rank scored the whole test set; the three shares are the whole training set, a third each.
assert paper["rows_test"] == local["rows_test"], (paper["rows_test"], local["rows_test"])
shares = paper["rows_train_per_rank"]
assert sum(shares) == paper["rows_train"] == local["rows_train"], (shares, local["rows_train"])
assert all(abs(s - local["rows_train"] / 3) < 0.05 * local["rows_train"] for s in shares), shares
# The paper's ranks never talk while training.
assert all(r["comm_calls"] == 0 and r["comm_bytes"] == 0 for r in paper["per_rank"]), paper["per_rank"]
# The slowest rank decides each phase.
for phase in ("load_s", "fit_s", "predict_s", "total_s"):
    assert paper[phase] == max(r[phase] for r in paper["per_rank"]), phase
# A random third of every problem, not a chunk range: near the single process, far from chance.
assert min(per_rank) >= local["accuracy"] - 0.08, (per_rank, local["accuracy"])
assert paper["accuracy"] >= local["accuracy"] - 0.05, (paper["accuracy"], local["accuracy"])
print("  %s x3 paper: accuracy %.4f, per rank %s (single process %.4f)"
      % (paper["algo"], paper["accuracy"], " ".join("%.4f" % a for a in per_rank), local["accuracy"]))
PY
  check "$algo with 3 ranks, paper mode, per-chunk data: the mean of three thirds near the single process" $?
}

run_algorithm() {  # run_algorithm ALGO ONE_MODEL_TOLERANCE PARAMS...
  local algo=$1 tolerance=$2; shift 2
  local_run "$algo" "$@"
  for ranks in 2 3; do one_model "$algo" $ranks "$tolerance" "$@"; done
  paper "$algo" "$@"
}
run_algorithm logreg 1e-9
run_algorithm knn 1e-9
run_algorithm gbdt 2e-3 --param num_iterations=10
run_algorithm rf 1e-9 --param n_estimators=12
run_algorithm xgboost 0.02 --param n_estimators=10

# The text report names the mode and every rank's accuracy; --save-model keeps rank 0's model.
timeout -k 5 120 "$SCALEML" launch --nproc-per-node 3 --master-port "$(free_port)" --timeout 60 \
  -- "$SCALEML" train --engine ddp --ddp-mode paper --algo logreg --data "$WORK/data.csv" \
  --no-cache --save-model "$WORK/paper.model" >"$WORK/paper.txt" 2>"$WORK/err"
rc=$?
[ $rc -eq 0 ] || cat "$WORK/err"
grep -q "^logreg on .* (ddp engine, paper mode, 3 ranks" "$WORK/paper.txt" &&
  [ "$(grep -c "^  rank [0-2] *accuracy 0\.[0-9]* on [0-9]* training rows" "$WORK/paper.txt")" -eq 3 ]
check "paper mode's text report names its mode and every rank's accuracy (rc $rc)" $?
[ $rc -eq 0 ] && [ -s "$WORK/paper.model" ] &&
  [ "$(find "$WORK" -maxdepth 1 -name 'paper.model*' | wc -l)" -eq 1 ] &&
  "$SCALEML" predict --model "$WORK/paper.model" --data "$WORK/data.csv" --out "$WORK/pred.csv" \
    >/dev/null 2>"$WORK/err" && [ "$(wc -l <"$WORK/pred.csv")" -eq 12001 ]
check "paper mode --save-model writes one model (rank 0's) that predicts every row" $?
! "$SCALEML" train --algo logreg --data "$WORK/data.csv" --no-cache --ddp-mode paper \
  >/dev/null 2>"$WORK/err" && grep -q "applies to --engine ddp only" "$WORK/err"
check "--ddp-mode paper without --engine ddp is refused clearly" $?

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
