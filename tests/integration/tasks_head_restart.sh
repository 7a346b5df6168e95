#!/bin/bash
# A head that comes back, on three hosts for real (network namespaces h0, h1, h2 as in
# tasks_three_hosts.sh): while a tune of 8 trials runs on all three, the head's Redis is killed
# (SIGKILL) and restarted with `scaleml start --head` on the same home. The workers' agents and
# the tune driver reconnect, and the experiment finishes with every trial run once: 8 results,
# task counts 8 done and nothing else. Prints the time from the restarted head to the
# experiment running again: its agents reconnected, its first trial started and finished (the
# trials that ran through the outage go on; docs/fault-matrix.md quotes the figures).
# Skips (exit 77) when not root, without iproute2 or network namespaces, or without redis-server.
# usage: tasks_head_restart.sh SCALEML
set -u
. "$(dirname "$0")/lib/netns_hosts.sh"
. "$(dirname "$0")/lib/leftovers.sh"
B=$(readlink -f "$1")
netns_require redis

WORK=$(mktemp -d /tmp/scaleml-head-restart-XXXXXX)
cleanup() {
  [ -n "${tune_pid:-}" ] && kill -KILL "$tune_pid" 2>/dev/null
  stop_hosts
  kill_scaleml_processes "$WORK" "$B"
  remove_hosts
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
  echo "FAIL: $*"
  for i in 0 1 2; do tail -n 8 "$WORK"/home$i/session_*/logs/*.log 2>/dev/null; done
  tail -n 20 "$WORK/tune.out" 2>/dev/null
  exit 1
}
json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$2)" "$1"; }
status_field() {  # status_field PYTHON_EXPR_ON_S: evaluated on `status --json` from h0
  on 0 "$B" status --json 2>/dev/null | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)" 2>/dev/null
}
now() { date +%s.%N; }

make_hosts smr$$ 10.79.0 3
on 0 "$B" generate --samples 20000 --out "$WORK/d.csv" >/dev/null || fail "generate"
on 0 "$B" start --head --node-ip-address 10.79.0.1 --port 6379 --num-cpus 2 --node-name h0 \
  --node-timeout-ms 2000 --object-store-memory 100000000 >/dev/null || fail "head start"
token=$(json "$WORK/home0/cluster.json" "['token']")
for i in 1 2; do
  join_host $i "$token" --address 10.79.0.1:6379 --num-cpus 2 --node-name h$i \
    --object-store-memory 100000000 || fail "h$i did not join"
done
[ -n "$(ls "$WORK"/home0/session_*/redis/appendonlydir/*.aof 2>/dev/null)" ] \
  || fail "Redis keeps no append-only file in the head's home"
ps -eo args | grep redis-server | grep -q "$token" && fail "the token shows in ps"
echo "PASS: three nodes joined; Redis persists to the head's home, the token is not in ps"

# Eight trials of about a second each over three 2-CPU nodes: four waves.
on 0 "$B" tune --algo rf --param n_estimators=400 --data "$WORK/d.csv" --num-samples 8 \
  --cpus-per-trial 2 --storage "$WORK/exp" --reconnect-timeout 60 >"$WORK/tune.out" 2>&1 &
tune_pid=$!
for _ in $(seq 1 300); do  # mid-experiment: some trials done, some running (at most 30 s)
  [ "$(status_field "s['tasks']['done']")" -ge 1 ] 2>/dev/null \
    && [ "$(status_field "s['tasks']['running']")" -ge 1 ] 2>/dev/null && break
  sleep 0.1
done
done_before=$(status_field "s['tasks']['done']")
[ "$done_before" -ge 1 ] 2>/dev/null && [ "$done_before" -lt 8 ] || fail "not mid-experiment ($done_before done)"
redis_pid=$(json "$WORK/home0/cluster.json" "['redis_pid']")
kill -KILL "$redis_pid"
sleep 1
restart_start=$(now)
on 0 "$B" start --head >"$WORK/restart.out" 2>&1 || { cat "$WORK/restart.out"; fail "restart of the head"; }
restarted=$(now)
[ "$(json "$WORK/home0/cluster.json" "['address']")" = 10.79.0.1:6379 ] || fail "the address changed"
[ "$(json "$WORK/home0/cluster.json" "['token']")" = "$token" ] || fail "the token changed"
# Running again: the three agents reconnected (each logs it once it has reconciled its tasks).
reconnected=""
for _ in $(seq 1 600); do
  n=0
  for i in 0 1 2; do
    grep -q "reconnected to Redis" "$WORK"/home$i/session_*/logs/agent_h$i.log 2>/dev/null && n=$((n + 1))
  done
  [ $n = 3 ] && { reconnected=$(now); break; }
  sleep 0.05
done
[ -n "$reconnected" ] || fail "the agents did not reconnect within 30 s"
python3 -c "import sys; a,b,c=map(float,sys.argv[1:]); print('head restart: start --head took %.2f s; all three agents reconnected %.2f s after the restarted head was up' % (b-a, c-b))" \
  "$restart_start" "$restarted" "$reconnected"
for _ in $(seq 1 600); do kill -0 $tune_pid 2>/dev/null || break; sleep 0.1; done
kill -0 $tune_pid 2>/dev/null && fail "tune did not finish within 60 s of the restart"
wait $tune_pid || fail "tune failed after the head came back"
tune_pid=""
python3 - "$WORK/exp/summary.json" <<'PY' || fail "trials after the restart"
import json, sys
trials = json.load(open(sys.argv[1]))["trials"]
assert len(trials) == 8, len(trials)
assert all(t["status"] == "TERMINATED" for t in trials), [(t["trial_id"], t["status"]) for t in trials]
assert len({t["trial_id"] for t in trials}) == 8
PY
counts=$(status_field "'%d %d %d %d' % tuple(s['tasks'][k] for k in ('pending','running','done','failed'))")
[ "$counts" = "0 0 8 0" ] || fail "task counts (pending running done failed): $counts"
echo "PASS: Redis killed mid-experiment and restarted; 8 trials, each recorded once (counts $counts)"
python3 - "$WORK/exp/summary.json" "$restarted" <<'PY'
import json, sys
up = float(sys.argv[2])
trials = json.load(open(sys.argv[1]))["trials"]
starts = [t["started"] - up for t in trials if t.get("started", 0) > up]
ends = [t["finished"] - up for t in trials if t.get("finished", 0) > up]
print("head restart: first trial started %.2f s, first finished %.2f s after the restarted head was up"
      % (min(starts) if starts else float("nan"), min(ends) if ends else float("nan")))
PY
for i in 1 2 0; do on $i "$B" stop >/dev/null; done
sleep 0.2
left=$(scaleml_processes "$WORK" "$B")
[ -z "$left" ] || fail "stop left processes: $(ps -o pid=,comm=,args= -p "$(echo $left | tr ' ' ,)")"
echo "PASS: stop on every host left no process (the restarted head's included)"
echo "tasks_head_restart: ok"
