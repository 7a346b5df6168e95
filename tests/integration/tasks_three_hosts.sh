#!/bin/bash
# Three hosts for real: network namespaces (head h0 and workers h1, h2) joined by veth pairs to a
# bridge in a fourth namespace, addresses 10.78.0.1-3/24 that exist only inside them, each host
# with its own SCALEML_HOME. The head runs Redis and an agent; the workers join with the token.
#   1. 6 tune trials land on all three nodes, with the local engine's accuracy; the workers pull
#      the dataset from the head (checksummed) and say so in their logs;
#   2. a wrong token is refused across the network;
#   3. a worker's node agent killed mid-experiment: its trials rerun elsewhere, one result each;
#   4. stop on every host leaves no process and no shared-memory file.
# Everything is created here and removed on exit. Skips (exit 77) when not root, without
# iproute2 or network namespaces, or without redis-server.
# usage: tasks_three_hosts.sh SCALEML
set -u
. "$(dirname "$0")/lib/netns_hosts.sh"
. "$(dirname "$0")/lib/leftovers.sh"
B=$(readlink -f "$1")
netns_require redis

WORK=$(mktemp -d /tmp/scaleml-tasks-netns-XXXXXX)
cleanup() {
  stop_hosts
  kill_scaleml_processes "$WORK" "$B"
  remove_hosts
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*"; for i in 0 1 2; do tail -n 5 "$WORK"/home$i/session_*/logs/*.log 2>/dev/null; done; exit 1; }
alive() { [ -e "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }

make_hosts smt$$ 10.78.0 3

on 0 "$B" generate --samples 20000 --out "$WORK/d.csv" >/dev/null || fail "generate"
on 0 "$B" start --head --node-ip-address 10.78.0.1 --port 6379 --num-cpus 2 --node-name h0 \
  --node-timeout-ms 2000 --object-store-memory 100000000 >"$WORK/head.out" || fail "head start"
token=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['token'])" "$WORK/home0/cluster.json")
for i in 1 2; do
  join_host $i "$token" --address 10.78.0.1:6379 --num-cpus 2 --node-name h$i \
    --object-store-memory 100000000 || fail "h$i did not join"
done
on 0 "$B" status | grep -q "nodes: 3 alive" || fail "status does not show 3 nodes"
echo "PASS: three nodes joined"

# 1. Six trials over three hosts.
# --valid-fraction 0: the trials train on all their training rows, as the local engine does.
on 0 "$B" tune --algo knn --data "$WORK/d.csv" --num-samples 6 --cpus-per-trial 2 \
  --valid-fraction 0 --storage "$WORK/exp" >"$WORK/tune.out" || { cat "$WORK/tune.out"; fail "tune"; }
local_acc=$("$B" train --algo knn --data "$WORK/d.csv" --engine local --json | python3 -c \
  "import json,sys; print(json.load(sys.stdin)['accuracy'])")
python3 - "$WORK/exp/summary.json" "$local_acc" <<'PY' || fail "trials"
import json, sys
trials = json.load(open(sys.argv[1]))["trials"]
assert len(trials) == 6, trials
assert all(t["status"] == "TERMINATED" for t in trials), trials
assert all(abs(t["accuracy"] - float(sys.argv[2])) < 1e-12 for t in trials), trials
nodes = sorted({t["node"] for t in trials})
assert nodes == ["h0", "h1", "h2"], nodes
PY
echo "PASS: 6 trials on h0, h1 and h2 with the local engine's accuracy"
for i in 1 2; do
  grep -Eq "pulled object [0-9a-f]+ \([0-9]+ bytes\) from h[0-2]" "$WORK"/home$i/session_*/logs/agent_h$i.log \
    || fail "h$i did not pull the dataset"
done
echo "PASS: h1 and h2 pulled the dataset over TCP (checksum verified)"

# 2. Wrong token across the network.
on 1 "$B" status --address 10.78.0.1:6379 --token wrong 2>&1 | grep -q "refused the token" \
  || fail "wrong token not refused"
echo "PASS: wrong token refused"

# 3. Kill h2's node agent while trials run there.
on 0 "$B" tune --algo rf --param n_estimators=150 --data "$WORK/d.csv" --num-samples 6 \
  --cpus-per-trial 2 --max-failures 2 --storage "$WORK/exp2" >"$WORK/tune2.out" 2>&1 &
tune_pid=$!
h2_pid=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['pid'])" "$WORK/home2/nodes/h2.json")
killed=0
for _ in $(seq 1 200); do
  if on 0 "$B" status --json | python3 -c "import json,sys; s=json.load(sys.stdin); sys.exit(0 if any(n['name']=='h2' and n['running']>0 for n in s['nodes']) else 1)"; then
    kill -KILL "$h2_pid"; killed=1; break
  fi
  sleep 0.1
done
[ $killed = 1 ] || fail "no trial ever ran on h2"
wait $tune_pid || { cat "$WORK/tune2.out"; fail "tune after killing h2"; }
python3 - "$WORK/exp2/summary.json" <<'PY' || fail "trials after a node loss"
import json, sys
trials = json.load(open(sys.argv[1]))["trials"]
assert len(trials) == 6 and all(t["status"] == "TERMINATED" for t in trials), trials
assert any(t["attempts"] == 2 for t in trials), [t["attempts"] for t in trials]
PY
on 0 "$B" status | tee "$WORK/status.out" | grep -q "1 lost" || fail "h2 not reported lost"
grep -q "tasks: 0 pending, 0 running, 12 done, 0 failed" "$WORK/status.out" || fail "task counts: $(cat "$WORK/status.out")"
echo "PASS: h2 killed mid-experiment; its trials reran elsewhere, one result each"

# 4. Stop everything.
pids="$(cat "$WORK"/home*/nodes/*.json | grep -o '"pid": [0-9]*' | grep -o '[0-9]*')"
session=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['session'])" "$WORK/home0/cluster.json")
for i in 1 2 0; do on $i "$B" stop >/dev/null; done
sleep 0.2
for p in $pids; do alive "$p" && fail "process $p still runs"; done
left=$(scaleml_processes "$WORK" "$B")
[ -z "$left" ] || fail "processes left: $(ps -o pid=,comm=,args= -p "$(echo $left | tr ' ' ,)")"
ls /dev/shm | grep -q "^scaleml_${session}_" && fail "shared-memory files left"
echo "PASS: stop left no process and no shared-memory file"
echo "tasks_three_hosts: ok"
