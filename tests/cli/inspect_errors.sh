#!/bin/sh
# Every bad CSV in TESTS_DATA_DIR/csv/bad makes `scaleml inspect` exit 2 with exactly one line on
# stderr: "scaleml: error: " and the message in the matching .error file ({FILE} = the path).
# Usage: sh inspect_errors.sh SCALEML_BINARY TESTS_DATA_DIR
set -u
BIN=$1
DATA=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
cases=0
for csv in "$DATA"/csv/bad/*.csv; do
  name=$(basename "$csv" .csv)
  # Work on a copy so that no cache is ever written next to the test data.
  cp "$csv" "$work/$name.csv"
  expected="scaleml: error: $(sed "s|{FILE}|$work/$name.csv|" "${csv%.csv}.error")"
  "$BIN" inspect "$work/$name.csv" > "$work/stdout" 2> "$work/stderr"
  code=$?
  cases=$((cases + 1))
  if [ "$code" -ne 2 ]; then
    echo "FAIL $name: exit code $code, expected 2" >&2; failures=$((failures + 1)); continue
  fi
  if [ "$(wc -l < "$work/stderr")" -ne 1 ] || [ "$(cat "$work/stderr")" != "$expected" ]; then
    echo "FAIL $name: stderr was:" >&2; cat "$work/stderr" >&2
    echo "expected: $expected" >&2; failures=$((failures + 1)); continue
  fi
  [ -s "$work/stdout" ] && { echo "FAIL $name: stdout not empty" >&2; failures=$((failures + 1)); }
  [ -e "$work/$name.scaleml" ] && { echo "FAIL $name: cache written for a bad file" >&2; failures=$((failures + 1)); }
done
# A missing file and a usage error.
"$BIN" inspect "$work/absent.csv" > /dev/null 2> "$work/stderr"
code=$?
[ "$code" -eq 2 ] && grep -q "absent.csv: cannot open file" "$work/stderr" || {
  echo "FAIL missing file: exit $code: $(cat "$work/stderr")" >&2; failures=$((failures + 1)); }
"$BIN" inspect > /dev/null 2>&1
code=$?
[ "$code" -eq 2 ] || { echo "FAIL no file argument: exit $code" >&2; failures=$((failures + 1)); }
if [ "$cases" -lt 14 ]; then echo "FAIL: only $cases cases found in $DATA/csv/bad" >&2; exit 1; fi
echo "inspect_errors: $cases files, $failures failures"
[ "$failures" -eq 0 ]
