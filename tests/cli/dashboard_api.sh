#!/bin/sh
# The dashboard's API over HTTP (scaleml dashboard over the fixture folders of tests/data/dashboard
# and a generated experiment of 1,000 trials): 401 and no data without the token or with a wrong
# one, the session cookie from /?token= and the login form, each endpoint's JSON shape, names that
# try to leave the served folders refused, oversized and stalled requests cut off, and the time of
# a page of 1,000 trials (printed). Usage: dashboard_api.sh SCALEML_BINARY TEST_DATA_DIR
set -eu
B=$1
D=$2
T=$(mktemp -d /tmp/scaleml_dash_XXXXXX)
export SCALEML_HOME="$T/home"
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

python3 "$D/dashboard/make_fixtures.py" --trials 1000 "$T/big"
(umask 077; echo "test-token-$$-0123456789" >"$T/token")
# Bad input: one line, exit 2.
set +e
msg=$("$B" dashboard --results "$T/missing" --token-file "$T/token" 2>&1); rc=$?
set -e
[ $rc = 2 ] && echo "$msg" | grep -q "no such folder" || fail "missing --results: $rc $msg"

# A ddp group whose rank 1 fails: the launcher's state file names it.
"$B" launch --nproc-per-node 2 -- sh -c 'test "$RANK" = 0 || exit 3' 2>/dev/null \
  && fail "the failing launch succeeded"
"$B" dashboard --port 0 --address none --token-file "$T/token" --results "$D/dashboard/results" \
  --experiments "$D/dashboard/experiments" --experiments "$T/big" >"$T/out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q "dashboard at" "$T/out" && break; sleep 0.1; done
url=$(sed -n 's/^dashboard at \(http[^ ]*\):.*/\1/p' "$T/out")
[ -n "$url" ] || fail "the dashboard did not start: $(cat "$T/out")"
grep -q "test-token" "$T/out" && fail "the token was printed"

python3 "$D/dashboard/api_checks.py" "$url" "$(cat "$T/token")"

kill -TERM "$pid"
set +e; wait "$pid"; rc=$?; set -e
pid=
[ $rc = 0 ] || fail "the dashboard exited $rc after SIGTERM"
grep -q "test-token" "$T/out" && fail "the token was logged"
echo "dashboard_api: ok"
