#!/bin/bash
# `scaleml train --engine ddp` under the cluster managers operators already run:
#   - Open MPI's `mpirun -np 3` (ranks from OMPI_COMM_WORLD_*, the master exported with -x);
#   - Slurm's `srun -n 3` on a private Slurm that this test starts on this machine (munged with
#     its own key and socket, slurmctld and slurmd on their own ports and folders, removed at the
#     end): ranks from SLURM_PROCID/SLURM_NTASKS, the master the step's first node, the port
#     derived from the job id.
# Each must give the single process's gbdt model (the same accuracy to the last digit) and logreg's.
# usage: mpirun_srun.sh SCALEML [ignored...]; exit 77 when neither launcher is installed.
set -u
SCALEML=$1
export SCALEML_GLOO_LIBRARY=${3:-}
WORK=$(mktemp -d /tmp/scaleml-mpi-slurm-XXXXXX)
. "$(dirname "$0")/lib/checks.sh"
slurm_pids=()
cleanup() {
  for pid in "${slurm_pids[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 0.3
  for pid in "${slurm_pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT
have_mpi=0; have_slurm=0
command -v mpirun >/dev/null && have_mpi=1
command -v srun >/dev/null && command -v slurmctld >/dev/null && command -v munged >/dev/null &&
  [ "$(id -u)" -eq 0 ] && have_slurm=1
if [ $have_mpi -eq 0 ] && [ $have_slurm -eq 0 ]; then echo "SKIP: no mpirun, no slurm"; exit 77; fi

"$SCALEML" generate --samples 20000 --seed 5 --out "$WORK/data.csv" >/dev/null || exit 1
accuracy() { /usr/bin/python3 -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["accuracy"])'; }
for algo in gbdt logreg; do
  "$SCALEML" train --algo "$algo" --data "$WORK/data.csv" --threads 1 --json | accuracy \
    >"$WORK/local_$algo" || exit 1
done

if [ $have_mpi -eq 1 ]; then
  for algo in gbdt logreg; do
    timeout -k 5 120 mpirun --allow-run-as-root --oversubscribe -np 3 \
      -x MASTER_ADDR=127.0.0.1 -x MASTER_PORT="$(free_port)" -x SCALEML_GLOO_LIBRARY -x SCALEML_LOG=info \
      "$SCALEML" train --engine ddp --algo "$algo" --data "$WORK/data.csv" --threads 1 --json \
      >"$WORK/mpi_out" 2>"$WORK/mpi_err"
    rc=$?
    got=$(accuracy <"$WORK/mpi_out" 2>/dev/null)
    [ $rc -eq 0 ] && [ "$got" = "$(cat "$WORK/local_$algo")" ] &&
      [ "$(grep -c 'launched by mpirun' "$WORK/mpi_err")" -eq 3 ]
    check "mpirun -np 3: $algo across 3 ranks = one process ($got vs $(cat "$WORK/local_$algo"), rc $rc)" $?
    [ $rc -eq 0 ] || tail -5 "$WORK/mpi_err"
  done
else
  echo "SKIP: mpirun not installed"
fi

start_slurm() {
  local dir=$WORK/slurm host
  host=$(hostname)
  mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/munge" && chmod 700 "$dir/munge"
  head -c 1024 /dev/urandom >"$dir/munge/munge.key" && chmod 600 "$dir/munge/munge.key"
  munged -f --key-file="$dir/munge/munge.key" --socket="$dir/munge/socket" \
    --pid-file="$dir/munge/pid" --log-file="$dir/munge/log" --seed-file="$dir/munge/seed" || return 1
  slurm_pids+=("$(cat "$dir/munge/pid")")
  local ctl_port slurmd_port
  ctl_port=$(free_port); slurmd_port=$(free_port)
  cat >"$dir/slurm.conf" <<CONF
ClusterName=scalemltest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctl_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=10 State=UP OverSubscribe=FORCE:4
CONF
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -f "$SLURM_CONF" -i || return 1
  slurmd -f "$SLURM_CONF" || return 1
  local i
  for i in $(seq 1 50); do
    [ -f "$dir/slurmctld.pid" ] && [ -f "$dir/slurmd.pid" ] &&
      sinfo -h -o %T 2>/dev/null | grep -q idle && break
    sleep 0.2
  done
  slurm_pids+=("$(cat "$dir/slurmctld.pid")" "$(cat "$dir/slurmd.pid")")
  sinfo -h -o %T | grep -q idle
}

if [ $have_slurm -eq 1 ]; then
  start_slurm
  check "a private Slurm (munged, slurmctld, slurmd) is up" $?
  for algo in gbdt logreg; do
    # -O: three tasks may share this machine's cores.
    timeout -k 5 120 srun -n 3 -O --time=5 env SCALEML_GLOO_LIBRARY="$SCALEML_GLOO_LIBRARY" SCALEML_LOG=info \
      "$SCALEML" train --engine ddp --algo "$algo" --data "$WORK/data.csv" --threads 1 --json \
      >"$WORK/srun_out" 2>"$WORK/srun_err"
    rc=$?
    got=$(accuracy <"$WORK/srun_out" 2>/dev/null)
    [ $rc -eq 0 ] && [ "$got" = "$(cat "$WORK/local_$algo")" ] &&
      [ "$(grep -c 'launched by srun' "$WORK/srun_err")" -eq 3 ]
    check "srun -n 3: $algo across 3 ranks = one process ($got vs $(cat "$WORK/local_$algo"), rc $rc)" $?
    [ $rc -eq 0 ] || tail -5 "$WORK/srun_err"
  done
else
  echo "SKIP: slurm not installed or not root"
fi
echo "passed $passed, failed $failed"
[ $failed -eq 0 ]
