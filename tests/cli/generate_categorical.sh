#!/bin/sh
# scaleml generate --categorical N --missing F: the same bytes for any thread count, string
# categories in N columns, that fraction of empty feature cells, both recorded in the .json.
# Args: $1 = scaleml binary, $2 = tests/data folder.
set -eu
BIN=$1
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for threads in 1 2 3; do
  "$BIN" generate --samples 30000 --chunk-size 7000 --seed 5 --categorical 5 --missing 0.05 \
    --threads "$threads" --out "$DIR/t$threads.csv" >/dev/null
done
cmp -s "$DIR/t1.csv" "$DIR/t2.csv" || fail "bytes differ between 1 and 2 threads"
cmp -s "$DIR/t1.csv" "$DIR/t3.csv" || fail "bytes differ between 1 and 3 threads"

# Five columns of categories (c + digits, or empty), five of numbers; 5% of cells empty.
tail -n +2 "$DIR/t1.csv" | awk -F, '
  { for (i = 1; i <= 10; i++) {
      if ($i == "") empty++
      else if ($i ~ /^c[0-9]+$/) cat[i]++
      else if ($i ~ /^-?[0-9]/) num[i]++
      else { print "bad field " $i; exit 1 }
    } }
  END {
    kinds = 0
    for (i = 1; i <= 10; i++) if (cat[i] > 0 && num[i] > 0) { print "mixed column " i; exit 1 }
    for (i = 1; i <= 10; i++) if (cat[i] > 0) kinds++
    if (kinds != 5) { print kinds " categorical columns"; exit 1 }
    share = empty / (NR * 10)
    if (share < 0.045 || share > 0.055) { print "empty share " share; exit 1 }
  }' || fail "content"
grep -q '"categorical": 5' "$DIR/t1.csv.json" || fail "json categorical"
grep -q '"missing": 0.05' "$DIR/t1.csv.json" || fail "json missing"

# Without the flags the bytes are the plain generator's.
"$BIN" generate --samples 30000 --chunk-size 7000 --seed 5 --out "$DIR/plain.csv" >/dev/null
"$BIN" generate --samples 30000 --chunk-size 7000 --seed 5 --categorical 0 --missing 0 \
  --out "$DIR/zero.csv" >/dev/null
cmp -s "$DIR/plain.csv" "$DIR/zero.csv" || fail "--categorical 0 --missing 0 changed the bytes"

set +e
"$BIN" generate --samples 10 --categorical 9 --out "$DIR/e.csv" >/dev/null 2>"$DIR/err"
code=$?
set -e
[ "$code" -eq 2 ] && grep -q -- "--categorical" "$DIR/err" || fail "--categorical 9: $code $(cat "$DIR/err")"
echo "ok"
