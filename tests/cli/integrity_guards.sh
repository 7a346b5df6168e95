#!/bin/sh
# Nothing silently wrong: an output onto an input, a huge thread count, a repeated --param and a
# search space outside the algorithm's ranges are each refused up front with exit 2 and one line
# naming the flag or parameter, and the input files are left as they were.
# Args: $1 = scaleml binary, $2 = tests/data folder.
set -u
BIN=$1
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect_refused NAME EXPECTED_TEXT COMMAND...: exit 2, one stderr line containing EXPECTED_TEXT.
expect_refused() {
  name=$1 expected=$2
  shift 2
  timeout 60 "$@" > "$DIR/stdout" 2> "$DIR/stderr"
  code=$?
  if [ "$code" -ne 2 ]; then
    fail "$name: exit $code, expected 2"; cat "$DIR/stderr" >&2; return
  fi
  [ "$(wc -l < "$DIR/stderr")" -eq 1 ] || { fail "$name: not one line:"; cat "$DIR/stderr" >&2; }
  grep -q -e "$expected" "$DIR/stderr" || { fail "$name: no '$expected' in:"; cat "$DIR/stderr" >&2; }
}

"$BIN" generate --samples 400 --seed 3 --out "$DIR/s.csv" > /dev/null || { echo "generate failed"; exit 1; }
"$BIN" train --algo logreg --data "$DIR/s.csv" --no-cache --threads 1 --save-model "$DIR/m.model" \
  > /dev/null || { echo "train failed"; exit 1; }
data_sum=$(cksum < "$DIR/s.csv")
model_sum=$(cksum < "$DIR/m.model")
ln -s "$DIR/s.csv" "$DIR/link.csv"

# 1. No input destroyed.
expect_refused "predict --out onto --data" "--out .*--data" \
  "$BIN" predict --model "$DIR/m.model" --data "$DIR/s.csv" --out "$DIR/s.csv"
expect_refused "predict --out onto --data (./ spelling)" "--data" \
  "$BIN" predict --model "$DIR/m.model" --data "$DIR/s.csv" --out "$DIR/./sub/../s.csv"
expect_refused "predict --out onto --data (symlink)" "--data" \
  "$BIN" predict --model "$DIR/m.model" --data "$DIR/s.csv" --out "$DIR/link.csv"
expect_refused "predict --out onto --model" "--out .*--model" \
  "$BIN" predict --model "$DIR/m.model" --data "$DIR/s.csv" --out "$DIR/m.model"
expect_refused "predict --out onto the cache" "binary cache" \
  "$BIN" predict --model "$DIR/m.model" --data "$DIR/s.csv" --out "$DIR/s.scaleml"
expect_refused "train --save-model onto --data" "--save-model .*--data" \
  "$BIN" train --algo logreg --data "$DIR/s.csv" --save-model "$DIR/s.csv"
cp "$DIR/s.csv" "$DIR/summary.csv"
expect_refused "tune --storage onto --data" "--storage .*--data" \
  "$BIN" tune --algo logreg --data "$DIR/summary.csv" --storage "$DIR"
[ "$(cksum < "$DIR/s.csv")" = "$data_sum" ] || fail "the data file changed"
[ "$(cksum < "$DIR/m.model")" = "$model_sum" ] || fail "the model file changed"
# A different output still works.
"$BIN" predict --model "$DIR/m.model" --data "$DIR/s.csv" --out "$DIR/p.csv" 2> /dev/null \
  || fail "predict to a new file failed"

# 2. Options validated up front.
expect_refused "inspect --threads 65536" "--threads" "$BIN" inspect --threads 65536 "$DIR/s.csv"
expect_refused "train --threads 5000" "--threads" \
  "$BIN" train --algo logreg --data "$DIR/s.csv" --threads 5000
expect_refused "predict --threads -3" "--threads" \
  "$BIN" predict --model "$DIR/m.model" --data "$DIR/s.csv" --out "$DIR/p.csv" --threads -3
expect_refused "tune --cpus-per-trial 100000" "--cpus-per-trial" \
  "$BIN" tune --algo logreg --data "$DIR/s.csv" --cpus-per-trial 100000
expect_refused "OMP_NUM_THREADS=1000000 under ddp" "thread count" \
  env OMP_NUM_THREADS=1000000 LOCAL_WORLD_SIZE=1 "$BIN" train --algo logreg --data "$DIR/s.csv" \
  --engine ddp
expect_refused "train --param given twice" "C is given twice" \
  "$BIN" train --algo logreg --data "$DIR/s.csv" --param C=1 --param C=2
expect_refused "train --param field and alias" "same parameter" \
  "$BIN" train --algo logreg --data "$DIR/s.csv" --param C=1 --param c=2
for space in '{"C": -5}' '{"bogus": 1}' '{"C": {"grid_search": [1, -5]}}' \
    '{"C": {"uniform": [-1, 1]}}' '{"max_iter": {"uniform": [1, 10]}}' '{"C": 1, "C": 2}'; do
  rm -rf "$DIR/exp"
  expect_refused "tune --search-space $space" "search space\|unknown" \
    "$BIN" tune --algo logreg --data "$DIR/s.csv" --storage "$DIR/exp" --search-space "$space"
  [ -e "$DIR/exp/summary.json" ] && fail "tune $space: wrote a summary (trials ran)"
done
expect_refused "tune --param also in --search-space" "given both" \
  "$BIN" tune --algo logreg --data "$DIR/s.csv" --search-space '{"C": 1}' --param C=2

[ "$failures" -eq 0 ] || { echo "$failures failures" >&2; exit 1; }
echo "ok"
