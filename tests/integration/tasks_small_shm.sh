#!/bin/bash
# The object store with Docker's 64 MB /dev/shm (a mount namespace with a 64 MB tmpfs there): a
# tune on a dataset larger than that completes by spilling the object to the node's spill folder
# (shown as object_store_spilled_bytes by status --json); with the spill folder full too, tune
# fails with the bytes needed and both places named, never a SIGBUS or a partial object; a trial
# that needs more memory than any node has fails with the numbers. Before the spill folder, the
# driver died of SIGBUS here and left a partial object in /dev/shm.
# Usage: tasks_small_shm.sh SCALEML_BINARY   (exit 77: skipped: no redis-server, or no root to
# make a mount namespace)
set -eu
B=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
[ -x /usr/bin/redis-server ] || { echo "skip: no redis-server"; exit 77; }
if [ -z "${SCALEML_IN_SHM_NAMESPACE:-}" ]; then
  unshare -m true 2>/dev/null || { echo "skip: cannot make a mount namespace (needs root)"; exit 77; }
  SCALEML_IN_SHM_NAMESPACE=1 exec unshare -m bash "$0" "$@"
fi
mount --make-rprivate /
mount -t tmpfs -o size=64m tmpfs /dev/shm
T=$(mktemp -d /tmp/scaleml_shm_XXXXXX)
export SCALEML_HOME=$T/home
cleanup() { "$B" stop >/dev/null 2>&1 || true; umount "$T/full" 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1.4 million rows of 10 features: a 73 MB dataset object, more than /dev/shm holds.
python3 "$HERE/lib/compact_csv.py" 1400000 "$T/d.csv"
"$B" start --head --port 0 --num-cpus 2 >/dev/null
"$B" tune --algo logreg --data "$T/d.csv" --num-samples 2 --param max_iter=20 \
  --cpus-per-trial 1 --storage "$T/exp" >"$T/tune.out" 2>&1 &
tune_pid=$!
spilled=0
for _ in $(seq 1 300); do  # at most 60 s
  bytes=$("$B" status --json 2>/dev/null | python3 -c \
    "import json,sys; print(max([n.get('object_store_spilled_bytes', 0) for n in json.load(sys.stdin)['nodes']] + [0]))" \
    || echo 0)
  [ "$bytes" -gt "$spilled" ] && spilled=$bytes
  kill -0 $tune_pid 2>/dev/null || break
  sleep 0.2
done
rc=0; wait $tune_pid || rc=$?
[ $rc = 0 ] || { cat "$T/tune.out"; fail "tune exited $rc with a 64 MB /dev/shm"; }
grep -c TERMINATED "$T/exp/summary.csv" | grep -qx 2 || fail "not 2 trials finished: $(cat "$T/exp/summary.csv")"
[ "$spilled" -gt 64000000 ] || fail "status never showed the spilled object (max $spilled bytes)"
echo "spilled bytes seen in status: $spilled"

# A trial larger than every node's memory fails at once, with the numbers.
set +e
msg=$("$B" tune --algo logreg --data "$T/d.csv" --memory-per-trial 100TB 2>&1); rc=$?
set -e
[ $rc != 0 ] || fail "a 100 TB trial was accepted"
echo "$msg" | grep -q "a trial needs 100000000.0 MB of memory (--memory-per-trial); the live node with the most, head, has" \
  || fail "unclear memory error: $msg"
"$B" stop >/dev/null
[ -z "$(ls -A /dev/shm)" ] || fail "objects left in /dev/shm: $(ls /dev/shm)"
[ -z "$(ls -A "$SCALEML_HOME/spill" 2>/dev/null)" ] || fail "spilled objects left: $(ls "$SCALEML_HOME/spill")"

# Both full: the home (and its spill folder) on a 32 MB filesystem.
mkdir -p "$T/full"
mount -t tmpfs -o size=32m tmpfs "$T/full"
export SCALEML_HOME=$T/full/home
"$B" start --head --port 0 --num-cpus 2 >/dev/null
set +e
msg=$("$B" tune --algo logreg --data "$T/d.csv" --num-samples 1 2>&1); rc=$?
set -e
[ $rc = 1 ] || fail "tune with no room anywhere exited $rc (135 is SIGBUS): $msg"
for part in "no room for an object of 72.8 MB (72800128 bytes)" "shared memory /dev/shm has" \
  "the spill folder $SCALEML_HOME/spill has"; do
  echo "$msg" | grep -qF "$part" || fail "'$part' not in: $msg"
done
[ -z "$(ls -A /dev/shm)" ] || fail "a partial object left in /dev/shm: $(ls /dev/shm)"
"$B" stop >/dev/null
echo "OK"
