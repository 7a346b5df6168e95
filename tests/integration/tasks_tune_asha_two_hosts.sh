#!/bin/bash
# ASHA end to end across two hosts for real (issue 15): network namespaces h0 (the head: Redis, an
# agent, the tune driver) and h1 (a worker node), joined by veth pairs to a bridge, each host with
# its own SCALEML_HOME. A tune of gbdt trials with --scheduler asha runs on both hosts, and:
#   1. ASHA stops some trials early (summary.json and their curves say so), the stop flag crossing
#      the network to the trials on h1 as to those on h0; the best trial ran to its last round;
#   2. trials ran on h0 and on h1 (summary.json records each trial's node);
#   3. best.model exists and `scaleml predict` works with it;
#   4. `scaleml stop` on both hosts leaves no process (by binary and home, daemons included) and
#      no shared-memory file; the namespaces are removed (also on failure: the EXIT trap).
# Each trial runs for seconds (the driver polls every 0.5 s: a shorter trial ends before any
# decision about it). The whole test: 16 s at a load average of 9 on 2 cores, a minute at 15.
# Skips (exit 77) when not root, without iproute2 or network namespaces, or without redis-server.
# usage: tasks_tune_asha_two_hosts.sh SCALEML
set -u
. "$(dirname "$0")/lib/netns_hosts.sh"
. "$(dirname "$0")/lib/leftovers.sh"
B=$(readlink -f "$1")
netns_require redis

WORK=$(mktemp -d /tmp/scaleml-asha-hosts-XXXXXX)
TAG=sma$$
cleanup() {
  stop_hosts
  kill_scaleml_processes "$WORK" "$B"
  remove_hosts
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
  echo "FAIL: $*"
  for i in 0 1; do tail -n 5 "$WORK"/home$i/session_*/logs/*.log 2>/dev/null; done
  tail -n 20 "$WORK/tune.out" 2>/dev/null
  exit 1
}

make_hosts "$TAG" 10.81.0 2
on 0 "$B" generate --samples 30000 --seed 3 --out "$WORK/d.csv" >/dev/null || fail "generate"
on 0 "$B" start --head --node-ip-address 10.81.0.1 --port 6379 --num-cpus 2 --node-name h0 \
  --node-timeout-ms 2000 --object-store-memory 100000000 >/dev/null || fail "head start"
token=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['token'])" "$WORK/home0/cluster.json")
join_host 1 "$token" --address 10.81.0.1:6379 --num-cpus 2 --node-name h1 \
  --object-store-memory 100000000 || fail "h1 did not join"
on 0 "$B" status | grep -q "nodes: 2 alive" || fail "status does not show 2 nodes"
echo "PASS: two hosts joined"

# 10 trials of 600 rounds, 1 CPU each: 4 at a time over the two 2-CPU hosts, so both hold trials.
# 32 to 63 leaves: a trial costs 1 to 1.5 s of CPU (2-3 s with 4 trials on 2 idle cores), while
# one of 4 leaves took 0.3 s, no longer than the driver's poll.
ROUNDS=600
SPACE='{"learning_rate": {"loguniform": [0.005, 0.3]}, "num_leaves": {"randint": [32, 64]}}'
start_s=$(date +%s.%N)
on 0 timeout -k 5 240 "$B" tune --algo gbdt --data "$WORK/d.csv" --search-space "$SPACE" \
  --param num_iterations=$ROUNDS --num-samples 10 --search-seed 5 --cpus-per-trial 1 \
  --scheduler asha --max-t $ROUNDS --storage "$WORK/exp" >"$WORK/tune.out" 2>&1 ||
  fail "tune --scheduler asha"
took=$(python3 -c "import sys,time; print('%.1f' % (time.time() - float(sys.argv[1])))" "$start_s")
python3 - "$WORK/exp" "$ROUNDS" "$took" <<'PY' || fail "ASHA across two hosts"
import json, os, sys
exp, rounds, took = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = json.load(open(os.path.join(exp, "summary.json")))
trials = s["trials"]
assert s["scheduler"] == "asha" and len(trials) == 10, s
for t in trials:
    assert t["status"] == "TERMINATED", t
    lines = [json.loads(l) for l in open(os.path.join(exp, t["trial_id"], "result.jsonl"))]
    assert [l["iteration"] for l in lines] == list(range(1, t["iterations"] + 1)), (t, len(lines))
    assert t["iterations"] < rounds if t["stopped_early"] else t["iterations"] == rounds, t
stopped = [t for t in trials if t["stopped_early"]]
assert stopped, "ASHA stopped no trial"
assert not [t for t in stopped if t["trial_id"] == s["best"]["trial_id"]], "the best trial stopped early"
nodes = sorted({t["node"] for t in trials})
assert nodes == ["h0", "h1"], nodes
by_node = {n: sum(t["node"] == n for t in trials) for n in nodes}
stopped_by_node = {n: sum(t["node"] == n for t in stopped) for n in nodes}
print(f"asha on two hosts: {len(stopped)} of 10 trials stopped early in {took} s; trials per node "
      f"{by_node}, stopped early per node {stopped_by_node}")
assert stopped_by_node["h1"] > 0, "no trial on h1 was stopped early"
PY
echo "PASS: trials on h0 and h1; ASHA stopped some early, on h1 too; the best ran all $ROUNDS rounds"

[ -s "$WORK/exp/best.model" ] || fail "no best.model"
on 0 "$B" predict --model "$WORK/exp/best.model" --data "$WORK/d.csv" --out "$WORK/pred.csv" \
  >/dev/null || fail "predict with best.model"
[ "$(wc -l <"$WORK/pred.csv")" -ge 30000 ] || fail "predict wrote $(wc -l <"$WORK/pred.csv") lines"
echo "PASS: best.model predicts"

session=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['session'])" "$WORK/home0/cluster.json")
# The count below sees the cluster's daemons, those that run in "/" (agents, the dashboard) too.
daemons=$(python3 - "$WORK" <<'PY'
import glob, json, sys
cluster = json.load(open(sys.argv[1] + "/home0/cluster.json"))
pids = [cluster["redis_pid"], cluster.get("dashboard_pid", 0)]
pids += [json.load(open(f))["pid"] for f in glob.glob(sys.argv[1] + "/home*/nodes/*.json")]
print(" ".join(str(p) for p in pids if p))
PY
)
found=$(scaleml_processes "$WORK" "$B")
[ "$(echo $daemons | wc -w)" -ge 4 ] || fail "expected Redis, the dashboard and two agents: $daemons"
for p in $daemons; do
  echo "$found" | grep -qx "$p" || fail "scaleml_processes does not see daemon $p"
done
on 1 "$B" stop >/dev/null || fail "stop on h1"
on 0 "$B" stop >/dev/null || fail "stop on h0"
left=""
for _ in $(seq 1 20); do  # a stopped daemon may take a moment to be gone (at most 2 s)
  left=$(scaleml_processes "$WORK" "$B")
  [ -z "$left" ] && break
  sleep 0.1
done
[ -z "$left" ] || fail "stop left processes: $(ps -o pid=,comm=,args= -p "$(echo $left | tr ' ' ,)")"
compgen -G "/dev/shm/scaleml_${session}_*" >/dev/null && fail "shared-memory files left"
echo "PASS: stop left no process (the daemons, the dashboard included, were seen before) and no shared-memory file"

cleanup
trap - EXIT
ip netns list | grep -q "^$TAG" && { echo "FAIL: namespaces left: $(ip netns list | grep "^$TAG")"; exit 1; }
echo "PASS: namespaces removed"
echo "tasks_tune_asha_two_hosts: ok"
