#!/bin/bash
# The time cost of object spilling: the same `scaleml tune` (a local cluster, logreg, 2 trials)
# on a dataset whose object is twice the shared-memory size, run alternately in a mount
# namespace whose /dev/shm is a SHM_MB tmpfs (the object spills to SCALEML_HOME/spill and the
# workers map it from there) and one whose /dev/shm is 4 GB (no spilling). Prints each run's
# put and total seconds and the medians. Needs root (unshare -m) and redis-server.
# Usage: bench/tasks/spill_cost.sh SCALEML_BINARY [SHM_MB=64] [REPS=3]
set -eu
B=$(readlink -f "$1")
SHM_MB=${2:-64}
REPS=${3:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/scaleml_spillcost_XXXXXX)
trap 'rm -rf "$T"' EXIT
# A dataset object is 52 bytes a row (10 float32 features, int32 label, int64 row id).
rows=$(( 2 * SHM_MB * 1000000 / 52 ))
python3 "$HERE/../../tests/integration/lib/compact_csv.py" "$rows" "$T/d.csv"
run() {  # run MODE SHM_SIZE REP
  unshare -m bash -c "mount --make-rprivate / && mount -t tmpfs -o size=$2 tmpfs /dev/shm &&
    SCALEML_HOME=$T/home_$1 '$B' tune --algo logreg --data '$T/d.csv' --num-samples 2 \
      --param max_iter=20 --cpus-per-trial 1 --num-cpus 2 --storage '$T/exp_$1_$3' >/dev/null"
  python3 -c "import json,sys; s=json.load(open(sys.argv[1])); t=s['trials'];
print(f\"{sys.argv[2]:<10} rep {sys.argv[3]}  put {s['put_s']:6.2f} s  total {s['total_s']:6.2f} s  \"
      f\"trials {[x['status'] for x in t]}\")" "$T/exp_$1_$3/summary.json" "$1" "$3"
}
run warmup 4g 0 >/dev/null  # writes the binary cache: both modes then load the same way
echo "dataset: $rows rows, object $(( rows * 52 / 1000000 )) MB; /dev/shm ${SHM_MB} MB vs 4 GB"
for rep in $(seq 1 "$REPS"); do
  run spilling "${SHM_MB}m" "$rep"
  run in_memory 4g "$rep"
done | tee "$T/runs.txt"
python3 - "$T/runs.txt" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    mode, put, total = re.match(r"(\S+).*put\s+([\d.]+) s\s+total\s+([\d.]+) s", line).groups()
    runs.setdefault(mode, []).append((float(put), float(total)))
med = {m: (statistics.median(p for p, _ in r), statistics.median(t for _, t in r))
       for m, r in runs.items()}
for mode, (put, total) in med.items():
    print(f"median {mode:<10} put {put:6.2f} s  total {total:6.2f} s")
print(f"spilling costs {med['spilling'][1] - med['in_memory'][1]:+.2f} s in total "
      f"({med['spilling'][1] / med['in_memory'][1]:.2f}x), {med['spilling'][0] - med['in_memory'][0]:+.2f} s in put")
PY
