#!/bin/sh
# scaleml train and predict end to end on every algorithm: the JSON report's fields and a sane
# accuracy, model save/load giving the same predictions as training, and one-line input errors
# with exit code 2. Args: $1 = scaleml binary, $2 = tests/data folder.
set -eu
BIN=$1
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
json_field() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

"$BIN" generate --samples 6000 --seed 11 --class-sep 2.0 --out "$DIR/d.csv" >/dev/null
for algo in gbdt lightgbm xgboost logreg rf knn; do
  "$BIN" train --algo $algo --data "$DIR/d.csv" --threads 2 --json --save-model "$DIR/$algo.model" \
    > "$DIR/$algo.json" || fail "$algo: train failed"
  for field in algo engine rows_train rows_test features classes accuracy load_s fit_s predict_s \
      total_s peak_rss_bytes threads params; do
    json_field "$DIR/$algo.json" $field >/dev/null || fail "$algo: no field $field"
  done
  [ "$(json_field "$DIR/$algo.json" rows_train)" -gt 4000 ] || fail "$algo: rows_train"
  [ "$(json_field "$DIR/$algo.json" classes)" -eq 2 ] || fail "$algo: classes"
  acc=$(json_field "$DIR/$algo.json" accuracy)
  /usr/bin/python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 0.8 else 1)" "$acc" \
    || fail "$algo: accuracy $acc"

  # Predicting the whole file with the saved model: one line per row, and on the test rows
  # (the same hash split) the same accuracy as training reported.
  "$BIN" predict --model "$DIR/$algo.model" --data "$DIR/d.csv" --out "$DIR/$algo.pred" 2>/dev/null \
    || fail "$algo: predict failed"
  [ "$(head -n 1 "$DIR/$algo.pred")" = "prediction" ] || fail "$algo: prediction header"
  [ "$(wc -l < "$DIR/$algo.pred")" -eq 6001 ] || fail "$algo: prediction rows"
  /usr/bin/python3 - "$DIR/d.csv" "$DIR/$algo.pred" "$acc" <<'PY' || fail "$algo: saved model scores differently"
import sys
import numpy as np
import pandas as pd
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
p = pd.read_csv(sys.argv[2])["prediction"].to_numpy()
test = np.array([is_test(r) for r in range(len(y))])
acc = float((y[test] == p[test]).mean())
sys.exit(0 if abs(acc - float(sys.argv[3])) < 1e-9 else 1)
PY
done

# A file without the target column can be predicted.
cut -d, -f1-10 "$DIR/d.csv" > "$DIR/features.csv"
"$BIN" predict --model "$DIR/logreg.model" --data "$DIR/features.csv" --out "$DIR/f.pred" --proba 2>/dev/null \
  || fail "predict without target failed"
[ "$(head -n 1 "$DIR/f.pred")" = "prediction,proba_0,proba_1" ] || fail "proba header: $(head -n 1 "$DIR/f.pred")"

expect_error() {  # expect_error CODE PATTERN COMMAND...
  code=$1; pattern=$2; shift 2
  set +e
  "$@" > "$DIR/out" 2> "$DIR/err"
  got=$?
  set -e
  [ "$got" -eq "$code" ] || fail "$*: exit $got, expected $code ($(cat "$DIR/err"))"
  [ "$(wc -l < "$DIR/err")" -eq 1 ] || fail "$*: expected one line on stderr: $(cat "$DIR/err")"
  grep -q -- "$pattern" "$DIR/err" || fail "$*: message '$(cat "$DIR/err")' lacks '$pattern'"
}
expect_error 2 "unknown algorithm 'svm'; valid algorithms: gbdt" "$BIN" train --algo svm --data "$DIR/d.csv"
expect_error 2 "num_leaves" "$BIN" train --algo gbdt --data "$DIR/d.csv" --param num_leafs=3
expect_error 2 "out of range" "$BIN" train --algo gbdt --data "$DIR/d.csv" --param num_leaves=0
expect_error 2 "name=value" "$BIN" train --algo knn --data "$DIR/d.csv" --param k
expect_error 2 "no_such.csv" "$BIN" train --algo knn --data "$DIR/no_such.csv"
expect_error 2 "test-size" "$BIN" train --algo knn --data "$DIR/d.csv" --test-size 1.5
head -c 100 "$DIR/gbdt.model" > "$DIR/cut.model"
expect_error 2 "truncated" "$BIN" predict --model "$DIR/cut.model" --data "$DIR/d.csv" --out "$DIR/x.pred"
expect_error 2 "not a scaleml model" "$BIN" predict --model "$DIR/d.csv" --data "$DIR/d.csv" --out "$DIR/x.pred"
# One flipped byte in the middle of a model: the checksum catches it (docs/model-format.md).
/usr/bin/python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[len(b) // 2] ^= 1; open(sys.argv[2], 'wb').write(b)" \
  "$DIR/rf.model" "$DIR/flip.model"
expect_error 2 "flip.model: checksum mismatch: the file is damaged or was changed" \
  "$BIN" predict --model "$DIR/flip.model" --data "$DIR/d.csv" --out "$DIR/x.pred"
# A file whose columns are not the model's.
sed '1s/feature_3/speed/' "$DIR/d.csv" > "$DIR/renamed.csv"
expect_error 2 "no column 'feature_3', which the model was trained with" \
  "$BIN" predict --model "$DIR/knn.model" --data "$DIR/renamed.csv" --out "$DIR/x.pred"
cut -d, -f1-9 "$DIR/d.csv" > "$DIR/nine.csv"
expect_error 2 "no column 'feature_9', which the model was trained with" \
  "$BIN" predict --model "$DIR/knn.model" --data "$DIR/nine.csv" --out "$DIR/x.pred"
[ ! -e "$DIR/x.pred" ] || fail "a failed predict left its output"
"$BIN" train --algo gbdt --list-params | grep -q "num_leaves" || fail "--list-params"
echo "train_predict: ok"
