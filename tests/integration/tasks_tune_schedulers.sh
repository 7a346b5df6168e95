#!/bin/bash
# tune's per-round results end to end on a local cluster (issue 15): ASHA stops some gbdt trials
# early (their curves in result.jsonl end before the last round, summary.json says so, best.model
# predicts); then a driver killed mid-experiment is resumed: finished trials are not rerun and the
# interrupted one continues from its checkpoint (its curve has every round once).
# Needs the algorithms' per-round reports (src/algo/TrainingMonitor.h): exits 77 (skipped) while
# gbdt does not report.
# Usage: tasks_tune_schedulers.sh SCALEML_BINARY   (exit 77: skipped)
set -eu
B=$1
[ -x /usr/bin/redis-server ] || { echo "skip: no redis-server"; exit 77; }
T=$(mktemp -d /tmp/scaleml_it_XXXXXX)
export SCALEML_HOME=$T/home
mkdir -m 700 "$SCALEML_HOME"
tune_pid=
cleanup() {
  [ -n "$tune_pid" ] && kill -KILL "$tune_pid" 2>/dev/null
  "$B" stop >/dev/null 2>&1 || true
  rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$B" generate --samples 30000 --seed 3 --out "$T/d.csv" >/dev/null
# Bad options: exit 2 with one line naming the option, before any cluster or data is touched.
expect_input_error() {  # expect_input_error "MESSAGE PART" ARGS...
  local want=$1; shift
  set +e
  msg=$("$B" tune --algo gbdt --data "$T/d.csv" "$@" 2>&1); rc=$?
  set -e
  [ $rc = 2 ] || fail "tune $* exited $rc: $msg"
  echo "$msg" | grep -qF -- "$want" || fail "tune $*: expected '$want' in: $msg"
}
expect_input_error "--scheduler: hyperband not in" --scheduler hyperband
expect_input_error "--search: bayes not in" --search bayes
expect_input_error "--max-t must be at least 1" --scheduler asha --max-t 0
expect_input_error "give --valid-fraction > 0" --scheduler median --valid-fraction 0
expect_input_error "until --time-budget-s ends" --num-samples -1
expect_input_error "--valid-fraction 1.5 must be in [0, 1)" --valid-fraction 1.5
expect_input_error "--min-samples-required must be at least 1" --scheduler median \
  --min-samples-required 0

# A cluster of its own (a killed driver's private local cluster would outlive it).
"$B" start --head --num-cpus 2 >"$T/start.out" 2>&1 || { cat "$T/start.out"; fail "start"; }
SPACE='{"learning_rate": {"loguniform": [0.005, 0.3]}, "num_leaves": {"randint": [4, 64]}}'

# 1. ASHA over 8 gbdt trials of 400 rounds: long enough that the driver reads their reports
# before they end (with 40, a quiet machine finished every trial before any decision).
"$B" tune --algo gbdt --data "$T/d.csv" --search-space "$SPACE" --param num_iterations=400 \
  --num-samples 8 --search-seed 5 --scheduler asha --max-t 400 \
  --storage "$T/asha" >"$T/asha.out" 2>&1 || { cat "$T/asha.out"; fail "tune --scheduler asha"; }
if ! ls "$T"/asha/gbdt_*/result.jsonl >/dev/null 2>&1; then
  echo "skip: gbdt does not report per round yet (no result.jsonl)"
  exit 77
fi
python3 - "$T/asha" <<'PY' || fail "asha results"
import json, os, sys
exp = sys.argv[1]
s = json.load(open(os.path.join(exp, "summary.json")))
assert s["scheduler"] == "asha" and len(s["trials"]) == 8, s
stopped = [t for t in s["trials"] if t["stopped_early"]]
assert stopped, "ASHA stopped no trial"
for t in s["trials"]:
    assert t["status"] == "TERMINATED", t
    lines = [json.loads(l) for l in open(os.path.join(exp, t["trial_id"], "result.jsonl"))]
    assert [l["iteration"] for l in lines] == list(range(1, t["iterations"] + 1)), (t, lines)
    assert all(set(l) == {"iteration", "metric", "metric_name", "time_s"} for l in lines), lines
    assert all(l["metric_name"] == "accuracy" for l in lines)
    if t["stopped_early"]:
        assert t["iterations"] < 400, t
    else:
        assert t["iterations"] == 400, t
best = s["best"]["trial_id"]
assert not [t for t in stopped if t["trial_id"] == best], "the best trial was stopped early"
print(f"asha: {len(stopped)} of 8 trials stopped early; scheduler "
      f"{s['scheduler_ms_per_trial']:.3f} ms per trial, driver {s['driver_ms_per_trial']:.1f} ms")
PY
"$B" predict --model "$T/asha/best.model" --data "$T/d.csv" --out "$T/pred.csv" >/dev/null ||
  fail "predict with best.model"

# 2. Resume after the driver is killed while trial 1 runs (one trial at a time, checkpoints
# every 10 rounds of 1500: enough that trial 1 is still running when the driver is killed).
"$B" tune --algo gbdt --data "$T/d.csv" --search-space "$SPACE" --param num_iterations=1500 \
  --num-samples 3 --search-seed 5 --max-concurrent-trials 1 --checkpoint-freq 10 \
  --storage "$T/res" >"$T/res1.out" 2>&1 &
tune_pid=$!
for _ in $(seq 1 600); do
  [ -f "$T/res/gbdt_00001/checkpoint.json" ] &&
    python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['iteration'] < 20)" \
      "$T/res/gbdt_00001/checkpoint.json" 2>/dev/null && break
  sleep 0.05
done
kill -KILL $tune_pid 2>/dev/null || true
wait $tune_pid 2>/dev/null || true
tune_pid=
[ -f "$T/res/gbdt_00000/result.json" ] || fail "trial 0 had not finished before the kill"
[ -f "$T/res/gbdt_00001/result.json" ] && fail "trial 1 finished before the kill: use more rounds"
first_task=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['task_id'])" \
  "$T/res/gbdt_00000/result.json")
# The killed driver's task is cancelled once its liveness key expires; the resumed run queues.
"$B" tune --algo gbdt --data "$T/d.csv" --search-space "$SPACE" --param num_iterations=1500 \
  --num-samples 3 --search-seed 5 --max-concurrent-trials 1 --checkpoint-freq 10 \
  --storage "$T/res" --resume >"$T/res2.out" 2>&1 || { cat "$T/res2.out"; fail "resume"; }
python3 - "$T/res" "$first_task" <<'PY' || fail "resumed experiment"
import json, os, sys
exp, first_task = sys.argv[1], sys.argv[2]
s = json.load(open(os.path.join(exp, "summary.json")))
assert [t["status"] for t in s["trials"]] == ["TERMINATED"] * 3, s["trials"]
assert s["trials"][0]["task_id"] == first_task, "a finished trial ran again"
resumed = s["trials"][1]["result"]["resumed_from"]
assert resumed >= 20, f"trial 1 started over (resumed_from {resumed})"
for t in s["trials"]:
    lines = [json.loads(l) for l in open(os.path.join(exp, t["trial_id"], "result.jsonl"))]
    assert [l["iteration"] for l in lines] == list(range(1, 1501)), (t["trial_id"], len(lines))
print(f"resume: trial 1 continued from round {resumed}")
PY
echo "PASS: tune schedulers and resume"
