#!/bin/sh
# scaleml inspect on a good file: the table, --json, the binary cache, --target and --threads.
# Usage: sh inspect_basic.sh SCALEML_BINARY TESTS_DATA_DIR
set -u
BIN=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

printf 'feature_0,feature_1,target\r\n1.5,-2,0\r\n2.5,4,1\r\n-1,0.25,1\r\n3,1,2' > "$work/small.csv"

"$BIN" inspect "$work/small.csv" > "$work/out.txt" 2> "$work/err.txt" || fail "inspect exited $?"
[ -s "$work/err.txt" ] && fail "unexpected stderr: $(cat "$work/err.txt")"
grep -q '^rows  *4$' "$work/out.txt" || fail "rows: $(cat "$work/out.txt")"
grep -q '^features  *2$' "$work/out.txt" || fail "features"
grep -q '^classes  *3$' "$work/out.txt" || fail "classes"
grep -Eq '^ +1 +2 +50\.00%$' "$work/out.txt" || fail "class 1 count: $(cat "$work/out.txt")"
grep -Eq '^feature_0 +numeric +-1 +1\.5 +3 +0 +4$' "$work/out.txt" || fail "feature_0 stats: $(cat "$work/out.txt")"
grep -Eq '^feature_1 +numeric +-2 +0\.8125 +4 +0 +4$' "$work/out.txt" || fail "feature_1 stats"
grep -q 'binary cache written' "$work/out.txt" || fail "first load should write the cache"
[ -f "$work/small.scaleml" ] || fail "no cache file"

"$BIN" inspect "$work/small.csv" > "$work/out2.txt" || fail "second inspect exited $?"
grep -q 'from the binary cache' "$work/out2.txt" || fail "second load not from the cache"
grep -Eq '^feature_1 +numeric +-2 +0\.8125 +4 +0 +4$' "$work/out2.txt" || fail "cached stats differ"

# --json: one JSON object on stdout and nothing else.
"$BIN" inspect "$work/small.csv" --json --no-cache > "$work/out.json" || fail "--json exited $?"
grep -q '"rows": 4' "$work/out.json" || fail "json rows"
grep -q '"from_cache": false' "$work/out.json" || fail "json from_cache"
if command -v python3 > /dev/null; then
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["rows"] == 4 and d["features"] == 2, d
assert [c["count"] for c in d["classes"]] == [1, 2, 1], d["classes"]
assert d["columns"][1]["name"] == "feature_1" and d["columns"][1]["mean"] == 0.8125
assert d["columns"][0]["min"] == -1 and d["columns"][0]["max"] == 3
' "$work/out.json" || fail "json content: $(cat "$work/out.json")"
fi

# --target picks another column; --threads is accepted.
# A target of non-integers holds class names (sorted numerically).
"$BIN" inspect "$work/small.csv" --target feature_0 --threads 2 --no-cache > "$work/out3.txt" 2>&1 \
  || fail "feature_0 as the target exited $?: $(cat "$work/out3.txt")"
grep -q "^target *feature_0" "$work/out3.txt" || fail "target: $(cat "$work/out3.txt")"

# --no-cache writes no cache.
rm -f "$work/small.scaleml"
"$BIN" inspect "$work/small.csv" --no-cache > /dev/null || fail "--no-cache exited $?"
[ -f "$work/small.scaleml" ] && fail "--no-cache wrote a cache"

# --allow-missing.
printf 'a,target\n1,0\n,1\nnan,1\n' > "$work/missing.csv"
"$BIN" inspect "$work/missing.csv" --allow-missing --no-cache > "$work/out4.txt" || fail "--allow-missing exited $?"
grep -Eq '^a +numeric +1 +1 +1 +2 +1$' "$work/out4.txt" || fail "missing count: $(cat "$work/out4.txt")"
echo "inspect_basic: ok"
