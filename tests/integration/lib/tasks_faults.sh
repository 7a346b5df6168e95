# Sourced by fault_matrix.sh (not a test itself: the test globs skip lib/): the tasks engine's
# rows. Each row starts a fresh two-node cluster on loopback (a head agent and a worker agent w1,
# 2 CPUs each, node timeout 2 s) in its own SCALEML_HOME, runs a tune of 6 rf trials (2 CPUs
# each, --max-failures 3), injects one fault at a random moment and checks the promise:
#   * tune finishes every trial exactly once (6 results, and the cluster's task counts say 6 done
#     and nothing else), with retries, a restarted head (`start --head`) or `tune --resume` after
#     its own death; or, where the row allows, names exactly the trials it lost (exit non-zero,
#     each lost trial ERROR with its reason);
#   * no file looks complete that is not: every JSON file of the experiment parses, every object
#     copy in shared memory equals its primary byte for byte;
#   * `stop` leaves no process (agents, workers, object servers, Redis, the dashboard: every
#     process of the scaleml binary or redis-server under the row's SCALEML_HOME, found by
#     lib/leftovers.sh, not by pid files, parents or working folder) and no file (shared memory,
#     node files, cluster file).
# Uses $SCALEML, $WORK (with data.csv), check() and MATRIX from the caller, and lib/leftovers.sh.

tasks_s() { SCALEML_HOME="$TASKS_HOME" "$SCALEML" "$@"; }
tasks_status() {  # tasks_status PYTHON_EXPR over `status --json` as s
  tasks_s status --json 2>/dev/null |
    /usr/bin/python3 -c "import json,sys; s=json.load(sys.stdin); print($1)" 2>/dev/null
}
tasks_json() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$2)" "$1"; }
tasks_alive() { [ -e "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }
tasks_random_sleep() { sleep "$(/usr/bin/python3 -c 'import random; print(round(random.uniform(0, 0.8), 2))')"; }

# tasks_tune [--resume]: the experiment of every row (in the background: its pid in TUNE_PID).
tasks_tune() {
  tasks_s tune --algo rf --param n_estimators=100 --data "$WORK/data.csv" --num-samples 6 \
    --cpus-per-trial 2 --max-failures 3 --storage "$TASKS_EXP" --reconnect-timeout 60 "$@" \
    >>"$TASKS_OUT" 2>&1 &
  TUNE_PID=$!
}

# tasks_wait_tune SECONDS: waits for the tune (bounded); its exit code in TUNE_RC (124: too long).
tasks_wait_tune() {
  local i
  for i in $(seq 1 $(($1 * 10))); do tasks_alive "$TUNE_PID" || break; sleep 0.1; done
  if tasks_alive "$TUNE_PID"; then kill -KILL "$TUNE_PID"; wait "$TUNE_PID"; TUNE_RC=124; return; fi
  wait "$TUNE_PID"; TUNE_RC=$?
}

# tasks_wait_for PYTHON_CONDITION: until the cluster status satisfies it (at most 30 s).
tasks_wait_for() {
  local i
  for i in $(seq 1 300); do [ "$(tasks_status "$1")" = True ] && return 0; sleep 0.1; done
  return 1
}

# tasks_fault SIGNAL(KILL|STOP) TARGET(agent|worker|redis|headagent|driver|objsrv); a killed
# Redis or head agent is restarted with `start --head` on the same home.
tasks_fault() {
  local signal=$1 target=$2 ok=0 outcome="" victim="" note=""
  TASKS_HOME="$WORK/tasks_home"; TASKS_EXP="$WORK/tasks_exp"; TASKS_OUT="$WORK/tasks_out"
  rm -rf "$TASKS_HOME" "$TASKS_EXP"; : >"$TASKS_OUT"
  mkdir -m 700 "$TASKS_HOME"
  tasks_s start --head --port 0 --num-cpus 2 --node-name head --node-timeout-ms 2000 \
    --object-store-memory 200000000 >/dev/null 2>>"$TASKS_OUT" || { check "tasks $signal $target: head start" 1; return; }
  local cluster="$TASKS_HOME/cluster.json" token address session
  token=$(tasks_json "$cluster" "['token']"); address=$(tasks_json "$cluster" "['address']")
  session=$(tasks_json "$cluster" "['session']")
  SCALEML_TOKEN=$token tasks_s start --address "$address" --num-cpus 2 --node-name w1 \
    --object-store-memory 200000000 >/dev/null 2>>"$TASKS_OUT" || { check "tasks $signal $target: worker start" 1; return; }
  local head_pid w1_pid
  head_pid=$(tasks_json "$TASKS_HOME/nodes/head.json" "['pid']")
  w1_pid=$(tasks_json "$TASKS_HOME/nodes/w1.json" "['pid']")
  tasks_tune
  # The moment: a trial running on w1 (agent, worker), one finished (Redis, driver), or the
  # dataset stored on the head, about to be pulled by w1 (object server); then a random delay.
  case $target in
    agent|worker) tasks_wait_for "any(n['name'] == 'w1' and n['running'] > 0 for n in s['nodes'])" ;;
    redis|driver|headagent) tasks_wait_for "s['tasks']['done'] >= 1" ;;
    objsrv) tasks_wait_for "any(n['name'] == 'head' and n['objects'] > 0 for n in s['nodes'])" ;;
  esac || note="(the moment never came) "
  tasks_random_sleep
  case $target in
    agent) victim=$w1_pid ;;
    worker) victim=$(pgrep -P "$w1_pid" -x scaleml-worker | head -1) ;;
    redis) victim=$(tasks_json "$cluster" "['redis_pid']") ;;
    headagent) victim=$head_pid ;;
    driver) victim=$TUNE_PID ;;
    objsrv) victim=$(pgrep -P "$head_pid" -x scaleml-objsrv | head -1) ;;
  esac
  if [ -z "$victim" ]; then
    check "tasks $signal $target: no process to hit" 1; tasks_s stop >/dev/null 2>&1; return
  fi
  kill "-$signal" "$victim"
  if [ "$signal" = STOP ]; then
    # Long enough for the fault to matter: past the node timeout (agent), the socket timeout
    # of Redis's clients (Redis), the driver's keep-alive (driver), the transfer deadline.
    local hold=4
    case $target in redis) hold=7 ;; driver) hold=12 ;; worker) hold=3 ;; esac
    sleep $hold; kill -CONT "$victim"; note="${note}stopped ${hold} s; "
  elif [ "$target" = redis ] || [ "$target" = headagent ]; then
    sleep 1
    local t0 t1
    t0=$(date +%s.%N)
    tasks_s start --head >/dev/null 2>>"$TASKS_OUT" || note="${note}restart failed; "
    t1=$(date +%s.%N)
    note="${note}restarted in $(/usr/bin/python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$t1") s; "
  fi
  tasks_wait_tune 120
  local first_rc=$TUNE_RC
  if [ "$target" = driver ]; then
    # The driver's own death (or stop, after which the cluster cancelled its tasks): --resume
    # finishes what it had not recorded.
    local lost
    lost=$(/usr/bin/python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['trials']; print(sum(x['status'] != 'TERMINATED' for x in t))" "$TASKS_EXP/summary.json" 2>/dev/null || echo 6)
    if [ "$first_rc" -ne 0 ] || [ "$lost" != 0 ]; then
      note="${note}tune exit $first_rc with $lost unfinished, --resume; "
      tasks_tune --resume; tasks_wait_tune 120
    fi
  fi
  # The promise.
  local verdict
  verdict=$(/usr/bin/python3 - "$TASKS_EXP" "$TUNE_RC" <<'PY'
import json, os, sys
exp, rc = sys.argv[1], int(sys.argv[2])
bad = []
for root, _, files in os.walk(exp):
    for f in files:
        if f.endswith(".json"):
            try: json.load(open(os.path.join(root, f)))
            except Exception: bad.append(f)
try:
    trials = json.load(open(os.path.join(exp, "summary.json")))["trials"]
except Exception as e:
    print("FAIL no summary (%s)" % e); sys.exit()
done = [t for t in trials if t["status"] == "TERMINATED"]
lost = [t for t in trials if t["status"] != "TERMINATED"]
if bad: print("FAIL unreadable files %s" % bad)
elif len(trials) != 6 or len({t["trial_id"] for t in trials}) != 6: print("FAIL %d trials" % len(trials))
elif not lost and rc == 0: print("ALL 6/6 trials once, attempts %s" % "".join(str(t.get("attempts", 1)) for t in trials))
elif lost and rc != 0 and all(t.get("error") for t in lost):
    print("NAMED %d/6 done; lost %s" % (len(done), ", ".join("%s (%s)" % (t["trial_id"], t["error"][:40]) for t in lost)))
else: print("FAIL rc %d, %d lost, unnamed" % (rc, len(lost)))
PY
)
  case $verdict in
    FAIL*)
      ok=1
      # The experiment folder goes with the test's folder: keep the driver's words in the log.
      echo "tune's last output ($target, SIG$signal):"; tail -n 15 "$TASKS_OUT" | sed 's/^/  /'
      ;;
  esac
  # Every task the cluster recorded DONE is one trial (no trial recorded twice). After a driver's
  # death, tasks it submitted may also have finished unrecorded by it: those count once each.
  local counts
  counts=$(tasks_status "'%d %d %d %d' % tuple(s['tasks'][k] for k in ('pending','running','done','failed'))")
  if [ "$target" != driver ] && [[ $verdict == ALL* ]] && [ "$counts" != "0 0 6 0" ]; then
    ok=1; verdict="$verdict, task counts $counts"
  fi
  # No object copy that looks complete and is not.
  local f primary
  for f in /dev/shm/scaleml_"${session}"_*.c; do
    [ -e "$f" ] || continue
    primary=$(ls /dev/shm/scaleml_"${session}"_*_"$(basename "$f" .c | sed 's/.*_//')".p 2>/dev/null | head -1)
    # cmp exits 1 when the bytes differ, 2 when a file went meanwhile (the tune's end frees it).
    if [ -n "$primary" ]; then
      cmp -s "$f" "$primary"
      [ $? -eq 1 ] && { ok=1; verdict="$verdict, corrupt copy $f"; }
    fi
  done
  # stop leaves nothing: no process of the binary or Redis under the row's home (daemons run in
  # "/" with init as their parent, so neither finds them), whether or not a pid file names it.
  local p left=0 leftover="" left_names=""
  tasks_s stop >/dev/null 2>&1
  for p in $(seq 1 20); do  # a stopped daemon may take a moment to be gone (at most 2 s)
    leftover=$(scaleml_processes "$TASKS_HOME" "$SCALEML")
    [ -z "$leftover" ] && break
    sleep 0.1
  done
  left=$(echo $leftover | wc -w)
  [ "$left" -eq 0 ] || left_names=" ($(ps -o comm=,args= -p "$(echo $leftover | tr ' ' ,)" | cut -c1-60 | paste -sd ';'))"
  local files
  files=$(ls /dev/shm | grep -c "^scaleml_${session}_")
  files=$((files + $(ls "$TASKS_HOME"/nodes 2>/dev/null | wc -l) + $(ls "$TASKS_HOME"/cluster.json 2>/dev/null | wc -l)))
  [ "$left" -eq 0 ] && [ "$files" -eq 0 ] || ok=1
  outcome="${note}${verdict}; stop: $left processes${left_names}, $files files left"
  check "tasks SIG$signal $target: $outcome" $ok
  [ $ok -eq 0 ] || tail -5 "$TASKS_OUT"
  MATRIX+=("$(printf '%-8s %-9s -> %s' "SIG$signal" "$target" "$outcome")")
  kill_scaleml_processes "$TASKS_HOME" "$SCALEML"
  rm -f /dev/shm/scaleml_"${session}"_* 2>/dev/null
}
