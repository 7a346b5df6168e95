#!/bin/sh
# scaleml generate end to end: the files it writes, thread-independent bytes, --size, paper mode,
# and one-line input errors with exit code 2. Args: $1 = scaleml binary, $2 = tests/data folder.
set -eu
BIN=$1
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$BIN" generate --samples 20000 --chunk-size 7000 --seed 5 --threads 1 --out "$DIR/a.csv" >/dev/null
"$BIN" generate --samples 20000 --chunk-size 7000 --seed 5 --threads 2 --out "$DIR/b.csv" >/dev/null
"$BIN" generate --samples 20000 --chunk-size 7000 --seed 5 --threads 3 --out "$DIR/c.csv" >/dev/null
cmp -s "$DIR/a.csv" "$DIR/b.csv" || fail "bytes differ between 1 and 2 threads"
cmp -s "$DIR/a.csv" "$DIR/c.csv" || fail "bytes differ between 1 and 3 threads"

[ "$(head -n 1 "$DIR/a.csv")" = "feature_0,feature_1,feature_2,feature_3,feature_4,feature_5,feature_6,feature_7,feature_8,feature_9,target" ] \
  || fail "header: $(head -n 1 "$DIR/a.csv")"
[ "$(wc -l < "$DIR/a.csv")" -eq 20001 ] || fail "line count $(wc -l < "$DIR/a.csv")"
# Every data line: 10 numbers and an integer label 0 or 1.
bad=$(tail -n +2 "$DIR/a.csv" | awk -F, 'NF != 11 || ($11 != "0" && $11 != "1")' | wc -l)
[ "$bad" -eq 0 ] || fail "$bad malformed lines"

grep -qx "num_samples,20000" "$DIR/a.csv.meta" || fail "meta: $(cat "$DIR/a.csv.meta")"
grep -qx "num_features,10" "$DIR/a.csv.meta" || fail "meta num_features"
grep -q "^dataset_size_mb," "$DIR/a.csv.meta" || fail "meta dataset_size_mb"
grep -q '"rows": 20000' "$DIR/a.csv.json" || fail "json rows"
grep -q '"checksum": "xxh3_64:' "$DIR/a.csv.json" || fail "json checksum"
[ -z "$(ls "$DIR" | grep tmp || true)" ] || fail "temporary files left: $(ls "$DIR")"

# Another seed gives other data; paper mode gives other data from chunk 1 on.
"$BIN" generate --samples 20000 --chunk-size 7000 --seed 6 --out "$DIR/d.csv" >/dev/null
cmp -s "$DIR/a.csv" "$DIR/d.csv" && fail "seed ignored"
"$BIN" generate --samples 20000 --chunk-size 7000 --seed 5 --problem-per-chunk --out "$DIR/p.csv" >/dev/null
[ "$(head -n 7001 "$DIR/a.csv")" = "$(head -n 7001 "$DIR/p.csv")" ] || fail "paper mode: chunk 0 should be the same problem"
cmp -s "$DIR/a.csv" "$DIR/p.csv" && fail "paper mode made the same file"

# --size lands within 2% of the size asked for.
"$BIN" generate --size 3MB --out "$DIR/s.csv" >/dev/null
size=$(wc -c < "$DIR/s.csv")
[ "$size" -gt 2940000 ] && [ "$size" -lt 3060000 ] || fail "--size 3MB wrote $size bytes"

# Bad input: exit code 2 and one line naming the flag.
expect_error() {
  pattern=$1
  shift
  set +e
  "$BIN" generate "$@" >/dev/null 2>"$DIR/err"
  code=$?
  set -e
  [ "$code" -eq 2 ] || fail "exit $code for $*"
  [ "$(wc -l < "$DIR/err")" -eq 1 ] || fail "not one line for $*: $(cat "$DIR/err")"
  grep -q -- "$pattern" "$DIR/err" || fail "no '$pattern' in: $(cat "$DIR/err")"
}
expect_error "--informative + --redundant + --repeated" --samples 10 --features 10 --informative 6 --redundant 5 --out "$DIR/e.csv"
expect_error "2\*\*--informative" --samples 10 --classes 5 --informative 2 --redundant 0 --out "$DIR/e.csv"
expect_error "--weights" --samples 10 --weights 0.1,0.2,0.3 --out "$DIR/e.csv"
expect_error "--size" --size 12parsecs --out "$DIR/e.csv"
expect_error "--samples" --out "$DIR/e.csv"
expect_error "--samples" --samples 10 --size 1MB --out "$DIR/e.csv"
expect_error "nonexistent" --samples 10 --out "$DIR/nonexistent/e.csv"
[ ! -e "$DIR/e.csv" ] || fail "an error left a file"
echo "ok"
