#!/bin/bash
# A one-node tasks cluster through the command line: start the head, tune 2 logreg trials on a
# generated file (same accuracy as the local engine), a second agent on the same machine, status,
# tokens refused, stop; then no process and no shared-memory file may be left.
# Usage: tasks_one_node.sh SCALEML_BINARY   (exit 77: skipped, no redis-server)
set -eu
B=$1
[ -x /usr/bin/redis-server ] || { echo "skip: no redis-server"; exit 77; }
T=$(mktemp -d /tmp/scaleml_it_XXXXXX)
export SCALEML_HOME=$T/home
cleanup() { "$B" stop >/dev/null 2>&1 || true; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$2)" "$1"; }
alive() { [ -e "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }

# Bad input: exit 2 and a message naming the problem (no cluster needed).
expect_input_error() {  # expect_input_error "MESSAGE PART" ARGS...
  local want=$1; shift
  set +e
  msg=$("$B" "$@" 2>&1); rc=$?
  set -e
  [ $rc = 2 ] || fail "scaleml $* exited $rc: $msg"
  echo "$msg" | grep -qF -- "$want" || fail "scaleml $*: expected '$want' in: $msg"
}
expect_input_error "--num-cpus: '-1' is not a whole number from 0 to 1024" start --head --num-cpus -1
expect_input_error "either --head or --address" start --head --address 127.0.0.1:1
expect_input_error "expected HOST:PORT" start --address nowhere --token x
expect_input_error "a cluster token is required" start --address 127.0.0.1:1
expect_input_error "no cluster running on this machine" status
expect_input_error "'lr': loguniform needs low > 0" tune --algo logreg --data "$0" \
  --search-space '{"lr": {"loguniform": [0, 1]}}'
expect_input_error "--mode must be max or min" tune --algo logreg --data "$0" --mode up
expect_input_error "no such file" tune --algo logreg --data "$T/missing.csv"

"$B" generate --samples 5000 --out "$T/d.csv" >/dev/null
out=$("$B" start --head --port 0 --num-cpus 2 --object-store-memory 200000000)
echo "$out"
echo "$out" | grep -Eq "SCALEML_TOKEN=[0-9a-f]{32} scaleml start --address 127\.0\.0\.1:[0-9]+" \
  || fail "no join line"
[ "$(stat -c %a "$SCALEML_HOME/cluster.json")" = 600 ] || fail "cluster file not 0600"
addr=$(field "$SCALEML_HOME/cluster.json" "['address']")
token=$(field "$SCALEML_HOME/cluster.json" "['token']")
session=$(field "$SCALEML_HOME/cluster.json" "['session']")
"$B" start --head --port 0 2>/dev/null && fail "a second head started"

# A wrong token is refused, by Redis and by start.
set +e
msg=$("$B" status --address "$addr" --token wrongtoken 2>&1); rc=$?
set -e
[ $rc = 2 ] || fail "status with a wrong token exited $rc"
echo "$msg" | grep -q "refused the token" || fail "unclear wrong-token error: $msg"
"$B" start --address "$addr" --token wrongtoken --node-name bad 2>/dev/null && fail "joined with a wrong token"

SCALEML_TOKEN="$token" "$B" start --address "$addr" --node-name second --num-cpus 1 >/dev/null
# Neither the token in the environment nor one given with --token shows in ps.
"$B" status --address "$addr" --token "$token" >/dev/null 2>"$T/warn"
grep -q "visible to other users" "$T/warn" || fail "no warning for --token on the command line"
ps -eo args | grep -v grep | grep -qF "$token" && fail "the token shows in ps"
# A supervised node: start --block stays in the foreground and stops cleanly on SIGTERM.
printf '%s\n' "$token" >"$T/token" && chmod 600 "$T/token"
"$B" start --address "$addr" --token-file "$T/token" --node-name blocked --num-cpus 1 --block \
  >"$T/block.out" 2>&1 &
blocked=$!
for _ in $(seq 1 100); do [ -f "$SCALEML_HOME/nodes/blocked.json" ] && break; sleep 0.1; done
[ -f "$SCALEML_HOME/nodes/blocked.json" ] || fail "start --block: the node did not come up"
kill -TERM $blocked
set +e; wait $blocked; rc=$?; set -e
[ $rc = 0 ] || fail "start --block exited $rc after SIGTERM: $(cat "$T/block.out")"
[ -f "$SCALEML_HOME/nodes/blocked.json" ] && fail "start --block left its node file"
grep -q "stopped (SIGTERM)" "$T/block.out" || fail "start --block: no stop line"
# A home that others may write into is refused before anything in it is trusted.
mkdir -m 777 "$T/open-home"
set +e; msg=$(SCALEML_HOME="$T/open-home" "$B" stop 2>&1); rc=$?; set -e
[ $rc = 2 ] && echo "$msg" | grep -q "writable by other users" || fail "open SCALEML_HOME: $rc $msg"
# --valid-fraction 0: the trials train on all their training rows, as the local engine does.
"$B" tune --algo logreg --data "$T/d.csv" --num-samples 2 --cpus-per-trial 1 --storage "$T/exp" \
  --valid-fraction 0 | tee "$T/tune.out"
grep -q "best trial" "$T/tune.out" || fail "no best trial printed"
local_acc=$("$B" train --algo logreg --data "$T/d.csv" --engine local --json | python3 -c \
  "import json,sys; print(json.load(sys.stdin)['accuracy'])")
python3 - "$T/exp/summary.json" "$local_acc" <<'PY' || fail "summary.json"
import json, sys
s = json.load(open(sys.argv[1]))
trials = s["trials"]
assert len(trials) == 2, trials
for t in trials:
    assert t["status"] == "TERMINATED", t
    assert abs(t["accuracy"] - float(sys.argv[2])) < 1e-12, (t["accuracy"], sys.argv[2])
    assert t["attempts"] == 1 and t["node"] in ("head", "second") and t["trial_id"], t
assert s["best"]["trial_id"] in [t["trial_id"] for t in trials]
PY
[ "$(wc -l < "$T/exp/summary.csv")" = 3 ] || fail "summary.csv rows"
# --resume of a finished experiment reruns nothing.
"$B" tune --algo logreg --data "$T/d.csv" --num-samples 2 --storage "$T/exp" --resume >/dev/null

"$B" status | tee "$T/status.out"
grep -q "nodes: 2 alive, 0 lost" "$T/status.out" || fail "status nodes"
grep -q "tasks: 0 pending, 0 running, 2 done, 0 failed" "$T/status.out" || fail "status tasks"

# train --engine tasks: one trial on this cluster (Engine: TasksEngine), with the local engine's
# accuracy, reported as text and as the versioned record of --report-file.
"$B" train --algo logreg --data "$T/d.csv" --engine tasks --report-file "$T/tasks.report.json" \
  >"$T/train_tasks.out" || fail "train --engine tasks: $(cat "$T/train_tasks.out")"
grep -q "(tasks engine" "$T/train_tasks.out" || fail "train --engine tasks: $(cat "$T/train_tasks.out")"
python3 - "$T/tasks.report.json" "$local_acc" <<'PY' || fail "train --engine tasks: report file"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["schema"] == "scaleml.train_report" and r["version"] == 1, r
assert r["engine"] == "tasks" and r["node"] in ("head", "second") and r["attempts"] == 1, r
assert abs(r["accuracy"] - float(sys.argv[2])) < 1e-12, (r["accuracy"], sys.argv[2])
PY

# --resume after the driver was killed mid-experiment: finished trials are not run again. Trials
# finish in any order (one at a time here: only the head has 2 CPUs), and each must take long
# enough (about a second) for the driver to be killed after the first while others remain.
"$B" generate --samples 20000 --out "$T/d20.csv" >/dev/null
"$B" tune --algo rf --param n_estimators=800 --data "$T/d20.csv" --num-samples 4 \
  --cpus-per-trial 2 --storage "$T/exp3" >"$T/tune3.out" 2>&1 &
tune_pid=$!
for _ in $(seq 1 600); do ls "$T"/exp3/rf_*/result.json >/dev/null 2>&1 && break; sleep 0.1; done
kill -KILL $tune_pid 2>/dev/null || true  # already gone: the count below says why
wait $tune_pid 2>/dev/null || true
first_result=$(ls "$T"/exp3/rf_*/result.json 2>/dev/null | head -1)
[ -n "$first_result" ] || fail "no trial finished before the interruption"
finished_before=$(ls "$T"/exp3/rf_*/result.json | wc -l)
[ "$finished_before" -lt 4 ] || fail "every trial finished before the interruption"
first_trial=$(field "$first_result" "['trial_id']")
first_task=$(field "$first_result" "['task_id']")
"$B" tune --algo rf --param n_estimators=800 --data "$T/d20.csv" --num-samples 4 \
  --cpus-per-trial 2 --storage "$T/exp3" --resume >"$T/tune4.out" || fail "resume"
python3 - "$T/exp3/summary.json" "$first_trial" "$first_task" <<'PY' || fail "resumed summary"
import json, sys
trials = json.load(open(sys.argv[1]))["trials"]
assert len(trials) == 4 and all(t["status"] == "TERMINATED" for t in trials), trials
finished = [t for t in trials if t["trial_id"] == sys.argv[2]]
assert len(finished) == 1 and finished[0]["task_id"] == sys.argv[3], "a finished trial ran again"
PY
echo "resume: $finished_before of 4 trials had finished; the rest ran on --resume"

# A worker process killed mid-trial: the trial runs again and finishes once.
head_pid=$(field "$SCALEML_HOME/nodes/head.json" "['pid']")
# The killed driver's tasks run until its liveness key expires and they are cancelled: wait.
for _ in $(seq 1 600); do
  "$B" status --json | python3 -c \
    "import json,sys; t=json.load(sys.stdin)['tasks']; sys.exit(0 if t['running'] + t['pending'] == 0 else 1)" && break
  sleep 0.1
done
# The trial must outlast the polling below (a second or more): many trees.
"$B" tune --algo rf --param n_estimators=2000 --data "$T/d20.csv" --num-samples 1 \
  --cpus-per-trial 2 --max-failures 1 --storage "$T/exp5" >"$T/tune5.out" 2>&1 &
tune_pid=$!
killed=""
# Once the trial runs, kill every worker process of the head's agent (idle ones are harmless).
for _ in $(seq 1 300); do
  if "$B" status --json | python3 -c \
      "import json,sys; sys.exit(0 if json.load(sys.stdin)['tasks']['running'] > 0 else 1)"; then
    for c in $(cat /proc/"$head_pid"/task/*/children 2>/dev/null); do
      if [ "$(cat /proc/"$c"/comm 2>/dev/null)" = scaleml-worker ]; then
        kill -KILL "$c" && killed="$killed $c"
      fi
    done
  fi
  [ -n "$killed" ] && break
  sleep 0.1
done
[ -n "$killed" ] || fail "found no worker process running the trial"
wait $tune_pid || { cat "$T/tune5.out"; fail "tune after a worker was killed"; }
python3 - "$T/exp5/summary.json" <<'PY' || fail "trial after a worker was killed"
import json, sys
t = json.load(open(sys.argv[1]))["trials"]
assert len(t) == 1 and t[0]["status"] == "TERMINATED" and t[0]["attempts"] == 2, t
PY
echo "workers$killed killed mid-trial: the trial ran again and finished once"

pids=$(cat "$SCALEML_HOME"/nodes/*.json | python3 -c \
  "import json,sys; [print(json.loads(l)['pid']) for l in sys.stdin.read().replace('}\n{','}\x00{').split('\x00')]")
redis_pid=$(field "$SCALEML_HOME/cluster.json" "['redis_pid']")
children=""
for p in $pids; do children="$children $(cat /proc/$p/task/*/children 2>/dev/null || true)"; done
"$B" stop
sleep 0.2
for p in $pids $redis_pid $children; do alive "$p" && fail "process $p is still running"; done
ls /dev/shm | grep -q "^scaleml_${session}_" && fail "shared-memory files left"
[ -e "$SCALEML_HOME/cluster.json" ] && fail "cluster file left"
echo "tasks_one_node: ok"
