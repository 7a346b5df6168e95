#!/bin/bash
# A tune with no cluster starts a private one (Redis, an agent, its dataset in /dev/shm, a home
# under /tmp). Killed with SIGKILL (a bench timeout, the OOM killer) the driver runs no cleanup:
# the private cluster must still go away on its own, leaving no process, shm file or folder.
# Usage: tasks_private_cluster_owner_killed.sh SCALEML_BINARY   (exit 77: no redis-server)
set -eu
B=$1
[ -x /usr/bin/redis-server ] || { echo "skip: no redis-server"; exit 77; }
T=$(mktemp -d /tmp/scaleml_it_XXXXXX)
TUNE=0
cleanup() { [ "$TUNE" = 0 ] || kill -9 "$TUNE" 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
alive() { [ -e "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }

"$B" generate --samples 50000 --out "$T/d.csv" >/dev/null
before=$(ls -d /tmp/scaleml_local_* 2>/dev/null | sort || true)
"$B" tune --algo gbdt --data "$T/d.csv" --num-samples 4 --param num_iterations=100000 \
  >"$T/tune.log" 2>&1 &
TUNE=$!
# The private cluster's home and its Redis, once its first trial runs (at most 30 s).
home="" redis=0
for _ in $(seq 1 150); do
  home=$(comm -13 <(echo "$before") <(ls -d /tmp/scaleml_local_* 2>/dev/null | sort) | head -1)
  if [ -n "$home" ] && [ -f "$home/cluster.json" ] && grep -q TERMINATED\\\|RUNNING "$T/tune.log"; then
    redis=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['redis_pid'])" \
      "$home/cluster.json")
    break
  fi
  sleep 0.2
done
[ "$redis" -gt 0 ] || fail "no private cluster came up: $(tail -3 "$T/tune.log")"
alive "$redis" || fail "Redis $redis of $home is not running"
shm_prefix=$(basename "$(ls -d "$home"/session_* | head -1)")
kill -9 "$TUNE"
TUNE=0
# Gone within 15 s: Redis, every process naming the home, the shm files and the home itself.
for _ in $(seq 1 75); do
  if ! alive "$redis" && [ ! -e "$home" ] && ! ls /dev/shm | grep -q "scaleml_$shm_prefix"; then
    echo "ok: the private cluster of a killed driver went away ($home)"
    exit 0
  fi
  sleep 0.2
done
fail "after the driver's SIGKILL: redis alive=$(alive "$redis" && echo yes || echo no)," \
  "home exists=$([ -e "$home" ] && echo yes || echo no)," \
  "shm files=$(ls /dev/shm | grep -c "scaleml_$shm_prefix" || true)"
