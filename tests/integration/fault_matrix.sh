#!/bin/bash
# Fault matrix on loopback, two engines. ddp: during a `scaleml launch` of 3 ranks training gbdt
# together, one component gets a fault (SIGKILL, SIGSTOP or SIGTERM) and the promise is checked:
# the run fails fast (within the collective --timeout plus a margin) with a non-zero exit, the
# launcher's message names the lost rank where a rank was hit, and no process of the run is left.
# tasks: during a tune of 6 trials on a two-node cluster (head + worker agent), a node agent, a
# worker process, Redis, the tune driver or the object server (a transfer in flight) gets SIGKILL
# or SIGSTOP at a random moment, and the promise is checked: tune finishes every trial exactly
# once (with retries, a restarted head or --resume), or names exactly the trials it lost; `stop`
# leaves no process and no file; no file looks complete that is not.
# Prints the matrix (fault x component -> outcome). docs/fault-matrix.md says what it covers.
# Knobs: FAULT_MATRIX_ENGINES ("ddp tasks"), FAULT_MATRIX_N (repetitions of each tasks row,
# default 1, each with its own random timing).
# usage: fault_matrix.sh SCALEML [COMM_PROBE GLOO_LIBRARY]
set -u
SCALEML=$1
[ $# -ge 3 ] && export SCALEML_GLOO_LIBRARY=$3
WORK=$(mktemp -d /tmp/scaleml-faults-XXXXXX)
. "$(dirname "$0")/lib/checks.sh"
. "$(dirname "$0")/lib/leftovers.sh"
trap 'kill_scaleml_processes "$WORK" "$SCALEML"; rm -rf "$WORK"' EXIT
TIMEOUT=10  # the group's collective timeout (launch --timeout)
MATRIX=()

ENGINES=${FAULT_MATRIX_ENGINES:-ddp tasks}
REPEATS=${FAULT_MATRIX_N:-1}
"$SCALEML" generate --samples 20000 --features 10 --seed 5 --out "$WORK/data.csv" >/dev/null \
  || { echo "generate failed"; exit 1; }

now() { date +%s.%N; }
elapsed() { /usr/bin/python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }
# rank_pid LAUNCHER_PID RANK: the pid of the launcher's child whose environment says RANK=r.
rank_pid() {
  local child
  for child in $(pgrep -P "$1"); do
    if tr '\0' '\n' < "/proc/$child/environ" 2>/dev/null | grep -qx "RANK=$2"; then
      echo "$child"; return 0
    fi
  done
  return 1
}
# Every process of the binary (or Redis) under $WORK, daemons in "/" included (lib/leftovers.sh).
left_processes() { scaleml_processes "$WORK" "$SCALEML" | wc -l; }

# run_fault NAME SIGNAL TARGET(rank1|launcher) EXPECT_EXIT(nonzero|zero) NAMED_RANK(1|-)
run_fault() {
  local name=$1 signal=$2 target=$3 expect=$4 named=$5
  "$SCALEML" launch --nproc-per-node 3 --master-port "$(free_port)" --timeout $TIMEOUT \
    --stop-grace 2 -- "$SCALEML" train --engine ddp --algo gbdt --data "$WORK/data.csv" \
    --no-cache --threads 1 --param num_iterations=100000 >"$WORK/out" 2>"$WORK/err" &
  local launcher=$! victim="" i
  for i in $(seq 1 300); do  # until every rank runs (training started), at most 30 s
    [ -n "$(rank_pid $launcher 2)" ] && [ -n "$(rank_pid $launcher 1)" ] && break
    sleep 0.1
  done
  # Into training: the group has formed once rank 1 holds its store connection and its links
  # to the two others (at most 60 s on a loaded machine), then 2 s more.
  local pid1; pid1=$(rank_pid $launcher 1)
  for i in $(seq 1 600); do
    [ "$(ls -l /proc/$pid1/fd 2>/dev/null | grep -c socket)" -ge 4 ] && break
    sleep 0.1
  done
  sleep 2
  if [ "$target" = launcher ]; then victim=$launcher; else victim=$(rank_pid $launcher 1); fi
  local start; start=$(now)
  kill "-$signal" "$victim"
  # The launcher's exit (a stopped launcher is continued after the deadline to see what it does).
  local deadline=$((TIMEOUT + 20)) waited=0 rc
  while kill -0 $launcher 2>/dev/null && [ "$(ps -o stat= -p $launcher | cut -c1)" != Z ] \
      && [ $waited -lt $((deadline * 10)) ]; do
    sleep 0.1; waited=$((waited + 1))
  done
  local took; took=$(elapsed "$start" "$(now)")
  if kill -0 $launcher 2>/dev/null && [ "$(ps -o stat= -p $launcher | cut -c1)" != Z ]; then
    kill -CONT $launcher 2>/dev/null; kill -TERM $launcher 2>/dev/null
  fi
  wait $launcher; rc=$?
  sleep 1  # ranks killed by PDEATHSIG need a moment
  local left; left=$(left_processes)
  local outcome="exit $rc after ${took} s, $left processes left"
  local ok=0
  if [ "$expect" = nonzero ]; then [ $rc -ne 0 ] || ok=1; else [ $rc -eq 0 ] || ok=1; fi
  [ "$left" -eq 0 ] || ok=1
  if [ "$named" != - ] && ! grep -q "rank $named" "$WORK/err"; then ok=1; outcome="$outcome, rank $named not named"; fi
  [ "$named" != - ] && outcome="$outcome; $(grep -o "launch: .*" "$WORK/err" | head -1 | cut -c1-90)"
  /usr/bin/python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)" \
    "$took" $((TIMEOUT + 15)) || { ok=1; outcome="$outcome (slow)"; }
  check "$name: $outcome" $ok
  [ $ok -eq 0 ] || { echo "--- stderr:"; tail -5 "$WORK/err"; }
  MATRIX+=("$(printf '%-8s %-9s -> %s' "$signal" "$target" "$outcome")")
  kill_scaleml_processes "$WORK" "$SCALEML"
}

if [[ " $ENGINES " == *" ddp "* ]]; then
run_fault "SIGKILL of rank 1: the launcher fails fast naming it" KILL rank1 nonzero 1
run_fault "SIGSTOP of rank 1: the others time out, the launcher fails naming it" STOP rank1 nonzero 1
run_fault "SIGTERM of rank 1: the launcher fails naming it" TERM rank1 nonzero 1
run_fault "SIGKILL of the launcher: the ranks die with it (PDEATHSIG)" KILL launcher nonzero -
run_fault "SIGTERM of the launcher: it stops the ranks and fails" TERM launcher nonzero -

fi

. "$(dirname "$0")/lib/tasks_faults.sh"
if [[ " $ENGINES " == *" tasks "* ]]; then
  for _ in $(seq 1 "$REPEATS"); do
    tasks_fault KILL agent
    tasks_fault STOP agent
    tasks_fault KILL worker
    tasks_fault STOP worker
    tasks_fault KILL redis
    tasks_fault STOP redis
    tasks_fault KILL headagent
    tasks_fault KILL driver
    tasks_fault STOP driver
    tasks_fault KILL objsrv
    tasks_fault STOP objsrv
  done
fi

echo
echo "fault    component -> outcome (ddp: collective timeout $TIMEOUT s; tasks: 6 trials on 2 nodes)"
printf '%s\n' "${MATRIX[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
