#!/bin/bash
# The dashboard in a real browser: a one-node cluster whose head serves the dashboard, a tune of
# a few slow trials running on it, and headless Chromium opening the page with the token
# (/?token= sets the session cookie and redirects, in one shot). The DOM must show the node and a
# running trial; screenshots of the live cluster, an experiment's curves (fixture) and a
# benchmark folder (fixture) are taken; the dashboard's CPU use is measured while a browser keeps
# the page open (polling); `scaleml stop` must leave no dashboard behind.
# Usage: dashboard_browser.sh SCALEML_BINARY   (exit 77: skipped, no chromium or redis-server)
# SCALEML_SCREENSHOTS=DIR copies the screenshots there (docs/images, to update the docs).
set -eu
B=$1
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/../data/dashboard
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "skip: no chromium"; exit 77; }
[ -x /usr/bin/redis-server ] || { echo "skip: no redis-server"; exit 77; }
T=$(mktemp -d /tmp/scaleml_dash_it_XXXXXX)
export SCALEML_HOME=$T/home
tune_pid=
cleanup() {
  [ -n "$tune_pid" ] && kill -INT "$tune_pid" 2>/dev/null && wait "$tune_pid" 2>/dev/null
  "$B" stop >/dev/null 2>&1 || true
  rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
alive() { [ -e "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }
http_status() {  # http_status URL: the status code, or 000 when nothing answers
  python3 -c "import sys, urllib.request, urllib.error
try: print(urllib.request.urlopen(sys.argv[1], timeout=5).status)
except urllib.error.HTTPError as e: print(e.code)
except OSError: print('000')" "$1"
}
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$2)" "$1"; }
browser() {  # browser OUTPUT_FLAG URL: one headless shot; the profile is thrown away
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$T/profile-$RANDOM" --window-size=1280,900 --hide-scrollbars \
    --virtual-time-budget=5000 "$@" 2>>"$T/chromium.log"
}

port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$B" generate --samples 20000 --out "$T/d.csv" >/dev/null
"$B" start --head --port 0 --num-cpus 1 --object-store-memory 200000000 --dashboard-port "$port" \
  --dashboard-experiments "$DATA/experiments" --dashboard-results "$DATA/results" >"$T/start.out"
grep -q "dashboard at http://127.0.0.1:$port/" "$T/start.out" || fail "no dashboard line: $(cat "$T/start.out")"
token=$(field "$SCALEML_HOME/cluster.json" "['token']")
dashboard_pid=$(field "$SCALEML_HOME/cluster.json" "['dashboard_pid']")
url="http://127.0.0.1:$port/"
[ "$(http_status "${url}healthz")" = 200 ] || fail "/healthz"
[ "$(http_status "${url}api/nodes")" = 401 ] || fail "/api/nodes without the token"

# Three slow trials on one CPU: one runs while the others wait.
"$B" tune --algo gbdt --data "$T/d.csv" --num-samples 3 --cpus-per-trial 1 \
  --param num_iterations=4000 --search-space '{"learning_rate": {"uniform": [0.01, 0.1]}}' \
  --name live_exp --storage "$SCALEML_HOME/experiments/live_exp" >"$T/tune.out" 2>&1 &
tune_pid=$!
for _ in $(seq 1 200); do
  grep -qs '"status": "RUNNING"' "$SCALEML_HOME"/experiments/live_exp/*/running.json && break
  sleep 0.1
done
grep -qs '"status": "RUNNING"' "$SCALEML_HOME"/experiments/live_exp/*/running.json \
  || fail "no trial started running: $(cat "$T/tune.out")"

browser --dump-dom "${url}?token=$token#cluster" >"$T/dom.html"
grep -q 'class="node-row" data-state="ALIVE"' "$T/dom.html" || fail "the DOM shows no live node"
grep -q '<tr class="clickable trial-row[^"]*" data-status="RUNNING" data-trial="live_exp_' "$T/dom.html" \
  || fail "the DOM shows no running trial of live_exp"
grep -q "$token" "$T/dom.html" && fail "the token is in the page"
browser --screenshot="$T/dashboard_cluster.png" "${url}?token=$token#cluster"
browser --screenshot="$T/dashboard_curves.png" "${url}?token=$token#experiments/small_exp"
browser --screenshot="$T/dashboard_benchmarks.png" "${url}?token=$token#benchmarks/bench_demo"
for png in dashboard_cluster dashboard_curves dashboard_benchmarks; do
  [ "$(head -c 4 "$T/$png.png" | tail -c 3)" = PNG ] || fail "no screenshot $png"
done
if [ -n "${SCALEML_SCREENSHOTS:-}" ]; then cp "$T"/dashboard_*.png "$SCALEML_SCREENSHOTS/"; fi

# The dashboard's CPU while one browser keeps the page open (polling every 2 s), in real time.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
redis_pid=$(field "$SCALEML_HOME/cluster.json" "['redis_pid']")
timeout 30 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
  --user-data-dir="$T/profile-idle" --remote-debugging-port=0 "${url}?token=$token" \
  2>>"$T/chromium.log" &
browser_pid=$!
sleep 2  # the page loads
d0=$(ticks "$dashboard_pid"); r0=$(ticks "$redis_pid"); t0=$(date +%s.%N)
sleep 8
d1=$(ticks "$dashboard_pid"); r1=$(ticks "$redis_pid"); t1=$(date +%s.%N)
kill "$browser_pid" 2>/dev/null; wait "$browser_pid" 2>/dev/null || true
hz=$(getconf CLK_TCK)
python3 - "$d0" "$d1" "$r0" "$r1" "$t0" "$t1" "$hz" <<'PY'
import sys
d0, d1, r0, r1, t0, t1, hz = map(float, sys.argv[1:])
print("dashboard CPU with one browser polling: %.2f%% of a CPU (redis: %.2f%%) over %.1f s"
      % (100 * (d1 - d0) / hz / (t1 - t0), 100 * (r1 - r0) / hz / (t1 - t0), t1 - t0))
PY

kill -INT "$tune_pid" 2>/dev/null || true  # it may have finished already
wait "$tune_pid" 2>/dev/null || true; tune_pid=
"$B" stop >"$T/stop.out"
grep -q "stopped dashboard (pid $dashboard_pid)" "$T/stop.out" || fail "stop: $(cat "$T/stop.out")"
alive "$dashboard_pid" && fail "the dashboard outlived scaleml stop"
[ "$(http_status "${url}healthz")" = 000 ] || fail "the dashboard port still answers"
echo "dashboard_browser: ok"
