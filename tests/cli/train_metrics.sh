#!/bin/sh
# scaleml train's metrics end to end: the JSON report's logloss, roc_auc, f1, balanced_accuracy
# and confusion matrix equal scikit-learn's on the saved model's probabilities for the test rows
# (binary and 3 classes); --test-data scores a separate file; --cv 5 reports per-fold metrics and
# their mean and std, the same on every run; bad scoring options exit 2 with one line; tune ranks
# by --metric logloss with mode min, and cross-validates its trials with --cv. Args: $1 = scaleml binary, $2 = tests/data folder.
set -eu
BIN=$1
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
PY=/usr/bin/python3

"$BIN" generate --samples 3000 --seed 5 --out "$DIR/bin.csv" >/dev/null
"$BIN" generate --samples 3000 --seed 6 --classes 3 --out "$DIR/three.csv" >/dev/null

# Parity with scikit-learn: train scores the hash split's test rows; predict --proba with the saved
# model gives the same probabilities for them, on which sklearn computes its metrics.
for data in bin three; do
  "$BIN" train --algo gbdt --data "$DIR/$data.csv" --threads 2 --json --no-cache \
    --save-model "$DIR/$data.model" > "$DIR/$data.json" || fail "$data: train failed"
  "$BIN" predict --model "$DIR/$data.model" --data "$DIR/$data.csv" --out "$DIR/$data.pred" \
    --proba 2>/dev/null || fail "$data: predict failed"
  $PY - "$DIR/$data.csv" "$DIR/$data.pred" "$DIR/$data.json" <<'PY' || fail "$data: metrics differ from scikit-learn's"
import json, sys
import numpy as np, pandas as pd
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score,
                             log_loss, roc_auc_score)
MASK = (1 << 64) - 1
def mix(x):
    x = (x + 0x9e3779b97f4a7c15) & MASK
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & MASK
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & MASK
    return x ^ (x >> 31)
def is_test(row, seed=42, test_size=0.2):
    h = mix(mix(mix(seed) ^ row) ^ ((0x7e57 * 0xd1342543de82ef95) & MASK))
    return (h >> 11) * (1.0 / 9007199254740992.0) < test_size
y = pd.read_csv(sys.argv[1])["target"].to_numpy()
pred = pd.read_csv(sys.argv[2], dtype=np.float32)
report = json.load(open(sys.argv[3]))
test = np.array([is_test(r) for r in range(len(y))])
proba = pred[[c for c in pred.columns if c.startswith("proba_")]].to_numpy()[test]
y = y[test]
k = proba.shape[1]
y_pred = proba.argmax(axis=1)
expected = {
    "accuracy": accuracy_score(y, y_pred),
    "logloss": log_loss(y, proba.astype(np.float64), eps=1e-15, labels=list(range(k))),
    "roc_auc": roc_auc_score(y, proba[:, 1]) if k == 2 else
               roc_auc_score(y, proba, multi_class="ovr", average="macro"),
    "f1": f1_score(y, y_pred) if k == 2 else f1_score(y, y_pred, average="macro"),
    "balanced_accuracy": balanced_accuracy_score(y, y_pred),
}
bad = [f"{key}: scaleml {report[key]} sklearn {value}" for key, value in expected.items()
       if abs(report[key] - value) > 1e-10]
matrix = confusion_matrix(y, y_pred, labels=list(range(k))).tolist()
if report["confusion_matrix"]["matrix"] != matrix:
    bad.append(f"confusion {report['confusion_matrix']} sklearn {matrix}")
if report["confusion_matrix"]["classes"] != [str(c) for c in range(k)]:
    bad.append(f"classes {report['confusion_matrix']['classes']}")
if report["rows_test"] != len(y):
    bad.append(f"rows_test {report['rows_test']} sklearn {len(y)}")
print("\n".join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
done
"$BIN" train --algo logreg --data "$DIR/bin.csv" --threads 2 --no-cache > "$DIR/text" \
  || fail "text report"
for word in accuracy logloss roc_auc f1 balanced_accuracy confusion; do
  grep -q "$word" "$DIR/text" || fail "text report lacks $word: $(cat "$DIR/text")"
done

# --test-data: every row of --data trains, every row of the test file is scored.
head -n 2001 "$DIR/bin.csv" > "$DIR/train.csv"
{ head -n 1 "$DIR/bin.csv"; tail -n 1000 "$DIR/bin.csv"; } > "$DIR/test.csv"
"$BIN" train --algo rf --data "$DIR/train.csv" --test-data "$DIR/test.csv" --threads 2 --json \
  --no-cache > "$DIR/td.json" || fail "--test-data failed"
$PY - "$DIR/td.json" "$DIR/test.csv" <<'PY' || fail "--test-data report"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["rows_train"] == 2000 and r["rows_test"] == 1000, (r["rows_train"], r["rows_test"])
assert r["test_data"] == sys.argv[2], r["test_data"]
assert sum(map(sum, r["confusion_matrix"]["matrix"])) == 1000
assert r["accuracy"] > 0.7, r["accuracy"]
PY

# --cv 5: per-fold metrics, their mean and std; deterministic (times aside).
for run in 1 2; do
  "$BIN" train --algo logreg --data "$DIR/three.csv" --cv 5 --threads 2 --json --no-cache \
    > "$DIR/cv$run.json" || fail "--cv 5 failed"
done
$PY - "$DIR/cv1.json" "$DIR/cv2.json" <<'PY' || fail "--cv report"
import json, math, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
cv = a["cv"]
assert cv["folds"] == 5 and len(cv["per_fold"]) == 5, cv["folds"]
names = ["accuracy", "logloss", "roc_auc", "f1", "balanced_accuracy"]
for name in names:
    values = [fold[name] for fold in cv["per_fold"]]
    mean = sum(values) / 5
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / 5)
    assert abs(cv["mean"][name] - mean) < 1e-12 and abs(cv["std"][name] - std) < 1e-12, name
    assert abs(a[name] - mean) < 1e-12, name  # the top level reports the mean
assert sum(fold["rows_test"] for fold in cv["per_fold"]) == 3000
assert a["rows_test"] == 3000
def strip(cv):
    return {k: v for k, v in cv.items() if k != "per_fold"}, [
        {k: v for k, v in f.items() if not k.endswith("_s")} for f in cv["per_fold"]]
assert strip(a["cv"]) == strip(b["cv"]), "two runs differ"
PY

expect_error() {  # expect_error PATTERN COMMAND...
  pattern=$1; shift
  set +e
  "$@" > "$DIR/out" 2> "$DIR/err"
  got=$?
  set -e
  [ "$got" -eq 2 ] || fail "$*: exit $got, expected 2 ($(cat "$DIR/err"))"
  [ "$(wc -l < "$DIR/err")" -eq 1 ] || fail "$*: expected one line on stderr: $(cat "$DIR/err")"
  grep -q -- "$pattern" "$DIR/err" || fail "$*: message '$(cat "$DIR/err")' lacks '$pattern'"
}
expect_error "--test-size 0 is out of range" "$BIN" train --algo knn --data "$DIR/bin.csv" --test-size 0
expect_error "--test-size 1 is out of range" "$BIN" train --algo knn --data "$DIR/bin.csv" --test-size 1
expect_error "exclude each other" "$BIN" train --algo knn --data "$DIR/bin.csv" --cv 5 \
  --test-data "$DIR/test.csv"
expect_error "at least 2 folds" "$BIN" train --algo knn --data "$DIR/bin.csv" --cv 1
expect_error "does not apply with --cv" "$BIN" train --algo knn --data "$DIR/bin.csv" --cv 3 \
  --test-size 0.3
expect_error "no_such.csv" "$BIN" train --algo knn --data "$DIR/bin.csv" --test-data "$DIR/no_such.csv"
expect_error "--metric auc is unknown" "$BIN" tune --algo logreg --data "$DIR/bin.csv" --metric auc

# tune ranks by logloss, smallest first, and stores every metric per trial.
"$BIN" tune --algo logreg --data "$DIR/bin.csv" --search-space '{"C": {"grid_search": [0.001, 1]}}' \
  --metric logloss --storage "$DIR/exp" --num-cpus 2 > "$DIR/tune.out" 2>&1 || fail "tune: $(cat "$DIR/tune.out")"
$PY - "$DIR/exp/summary.json" "$DIR/exp/summary.csv" <<'PY' || fail "tune --metric logloss"
import csv, json, sys
s = json.load(open(sys.argv[1]))
assert s["metric"] == "logloss" and s["mode"] == "min", (s["metric"], s["mode"])
losses = {t["trial_id"]: t["logloss"] for t in s["trials"]}
assert s["best"]["trial_id"] == min(losses, key=losses.get), (s["best"], losses)
rows = list(csv.DictReader(open(sys.argv[2])))
assert all(float(r["roc_auc"]) > 0.5 and r["f1"] and r["balanced_accuracy"] for r in rows), rows
PY
# tune --cv: every trial cross-validates; its metric is the folds' mean.
"$BIN" tune --algo logreg --data "$DIR/bin.csv" --cv 3 --metric roc_auc --storage "$DIR/exp_cv" \
  --num-cpus 2 > "$DIR/tune_cv.out" 2>&1 || fail "tune --cv: $(cat "$DIR/tune_cv.out")"
$PY - "$DIR/exp_cv/summary.json" <<'PY' || fail "tune --cv 3"
import json, sys
s = json.load(open(sys.argv[1]))
t = s["trials"][0]
assert s["mode"] == "max" and t["result"]["cv"]["folds"] == 3, (s["mode"], t["result"].get("cv"))
assert t["roc_auc"] == t["result"]["cv"]["mean"]["roc_auc"] == t["metric"], t
PY
echo "train_metrics: ok"
