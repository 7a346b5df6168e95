#!/bin/sh
# scaleml bench --suite quick on a fast subset (local engine, logreg and knn, small data): the
# results file, the report's tables, the figures when gnuplot exists, and --resume.
set -eu
SCALEML="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$SCALEML" bench --suite quick --engines local --algos logreg,knn --sizes 20000 --no-peers \
  --out "$work/out" --data-dir "$work/data" >"$work/stdout" 2>"$work/stderr" \
  || { cat "$work/stderr" >&2; fail "bench exited non-zero"; }

results="$work/out/results.jsonl"
[ "$(wc -l <"$results")" -eq 2 ] || fail "expected 2 records, got $(wc -l <"$results")"
for field in '"suite":"quick"' '"engine":"local"' '"status":"ok"' '"rows":20000' '"machine":' \
    '"git_commit":' '"peak_rss_bytes":' '"fit_s":' '"accuracy":'; do
  [ "$(grep -c "$field" "$results")" -eq 2 ] || fail "field $field not in every record"
done
grep -q '"algo":"logreg"' "$results" || fail "no logreg record"
grep -q '"algo":"knn"' "$results" || fail "no knn record"
grep -q '\[1/2\] quick/logreg/local/20000' "$work/stderr" || fail "no progress line"

report="$work/out/report.md"
[ -f "$report" ] || fail "no report.md"
grep -q '^### logreg' "$report" || fail "no logreg table"
grep -q '^### knn' "$report" || fail "no knn table"
grep -q '^| algorithm | local 20000 |' "$report" || fail "no accuracy table"
grep -q '^| Logistic regression | 1GB | 5.22 |' "$report" || fail "no paper comparison"
if command -v gnuplot >/dev/null 2>&1; then
  for f in time.png time.svg accuracy.png accuracy.svg; do
    [ -s "$work/out/figures/$f" ] || fail "figure $f missing"
  done
else
  grep -q 'gnuplot was not found' "$report" || fail "report does not say gnuplot is missing"
fi

# --resume: nothing runs again, the results file keeps its two lines.
"$SCALEML" bench --suite quick --engines local --algos logreg,knn --sizes 20000 --no-peers \
  --out "$work/out" --data-dir "$work/data" --resume >"$work/stdout2" 2>"$work/stderr2" \
  || fail "bench --resume exited non-zero"
[ "$(wc -l <"$results")" -eq 2 ] || fail "--resume ran finished runs again"
[ "$(grep -c 'done before (--resume)' "$work/stderr2")" -eq 2 ] || fail "--resume did not say so"

# scaleml report rebuilds the report from results.jsonl alone.
rm "$report"
"$SCALEML" report "$work/out" >/dev/null || fail "report exited non-zero"
grep -q '^### knn' "$report" || fail "report did not rebuild report.md"

# A run that fails is recorded with its error and the suite goes on.
: >"$work/not-a-folder"
"$SCALEML" bench --suite quick --engines local --algos logreg,knn --sizes 20000 --no-peers \
  --no-report --out "$work/failing" --data-dir "$work/not-a-folder/data" 2>"$work/stderr3" \
  || fail "bench with failing runs exited non-zero"
[ "$(grep -c '"status":"failed"' "$work/failing/results.jsonl")" -eq 2 ] \
  || fail "failed runs not recorded"
grep -q '"error":"..*"' "$work/failing/results.jsonl" || fail "failed run without its error"
"$SCALEML" report "$work/failing" >/dev/null || fail "report of failed runs exited non-zero"
grep -q '^## Failed and skipped runs' "$work/failing/report.md" || fail "no failed-runs table"

# --problem one: its own records, run ids and cached dataset beside the paper's data.
"$SCALEML" bench --suite quick --engines local --algos logreg --sizes 20000 --no-peers \
  --no-report --problem one --out "$work/out" --data-dir "$work/data" 2>"$work/stderr4" \
  || { cat "$work/stderr4" >&2; fail "bench --problem one exited non-zero"; }
[ "$(wc -l <"$results")" -eq 3 ] || fail "--problem one did not add its own record"
grep -q '"run_id":"quick/logreg/local/20000/r1/t0/one"' "$results" || fail "no one-problem run id"
grep -q '"problem":"one"' "$results" || fail "no problem field"
[ -s "$work/data/one-n20000-f10-c2-chunk30000-seed42/data.csv" ] || fail "no one-problem dataset"
"$SCALEML" bench --suite quick --problem two --out "$work/x" 2>/dev/null \
  && fail "--problem two accepted"

# The peers' limit and skip rule: a peer out of time at 20000 rows is skipped at 40000.
if /usr/bin/python3 -c 'import sklearn, pandas, xgboost' 2>/dev/null; then
  "$SCALEML" bench --suite quick --engines local --algos logreg --sizes 20000,40000 \
    --peer-timeout 0.05 --out "$work/peers" --data-dir "$work/data" 2>"$work/stderr5" \
    || { cat "$work/stderr5" >&2; fail "bench --peer-timeout exited non-zero"; }
  peers="$work/peers/results.jsonl"
fi
# bench gives its import check of the peer 60 s: on a loaded machine it may run without the peer.
if [ -f "$work/peers/results.jsonl" ] && grep -q '"engine":"python"' "$work/peers/results.jsonl"
then
  grep -q '"engine":"python".*"size":"20000".*"status":"timeout"' "$peers" \
    || fail "the peer did not time out at 20000 rows"
  grep -q '"engine":"python".*"size":"40000".*"status":"skipped"' "$peers" \
    || fail "the peer was not skipped at 40000 rows"
  grep -q 'exceeded the 0.05 s limit at 20000' "$peers" || fail "no skip reason"
  [ "$(grep -c '"engine":"local".*"status":"ok"' "$peers")" -eq 2 ] || fail "local runs not ok"
  grep -q '> 0.05 s (limit)' "$work/peers/report.md" || fail "report without the peer's limit"
fi

# A missing folder is an input error.
set +e
"$SCALEML" report "$work/nowhere" 2>/dev/null
[ $? -eq 2 ] || fail "report of a missing folder should exit 2"
echo ok
