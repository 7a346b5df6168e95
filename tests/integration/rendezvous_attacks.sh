#!/bin/bash
# The ddp group's rendezvous store against what a review did to torchrun's TCPStore:
#   - a plain torch TCPStore client reading the group's keys: refused (no token, wrong protocol);
#   - a client that sends 19 bytes of a request and holds the connection open: dropped, the
#     group finishes in its usual time, far within --timeout;
#   - the store listening on every interface: it binds to --master-addr only;
#   - the token on a command line or in `ps`: it is passed as a file (mode 0600 checked).
# usage: rendezvous_attacks.sh SCALEML COMM_PROBE GLOO_LIBRARY
set -u
SCALEML=$1
export SCALEML_GLOO_LIBRARY=$3
WORK=$(mktemp -d /tmp/scaleml-rdzv-XXXXXX)
attackers=()
cleanup() {
  for pid in "${attackers[@]}"; do kill "$pid" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT
. "$(dirname "$0")/lib/checks.sh"

"$SCALEML" generate --samples 20000 --seed 9 --out "$WORK/data.csv" >/dev/null || exit 1
TOKEN=secret-$RANDOM-$RANDOM-$$
printf '%s\n' "$TOKEN" >"$WORK/token" && chmod 600 "$WORK/token"
port=$(free_port)

# The group trains while the attackers try the store.
SCALEML_LOG=info timeout -k 5 120 "$SCALEML" launch --nproc-per-node 2 --master-addr 127.0.0.1 \
  --master-port "$port" --timeout 20 --token-file "$WORK/token" -- "$SCALEML" train --engine ddp \
  --algo gbdt --param num_iterations=300 --data "$WORK/data.csv" --no-cache --json \
  >"$WORK/out" 2>"$WORK/err" &
launcher=$!
for _ in $(seq 1 100); do
  /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" \
    2>/dev/null && break
  sleep 0.1
done
start=$(date +%s.%N)
# 19 bytes of a request, then silence with the connection open.
/usr/bin/python3 - "$port" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)
s.sendall(b"\x01" + b"\x00" * 18)
time.sleep(60)
PY
attackers+=($!)
ps -eo args >"$WORK/ps"
/usr/bin/python3 - "$port" >"$WORK/torch_client" 2>&1 <<'PY'
import datetime, sys
import torch.distributed as dist
try:
    store = dist.TCPStore("127.0.0.1", int(sys.argv[1]), is_master=False,
                          timeout=datetime.timedelta(seconds=3))
    print("READ", store.get("scaleml/attempt_0/links/salt"))
except Exception as e:
    print("REFUSED", type(e).__name__)
PY
wait $launcher
rc=$?
elapsed=$(/usr/bin/python3 -c "import time; print(round(time.time() - $start, 1))")
[ $rc -eq 0 ] && grep -q '"accuracy"' "$WORK/out"
check "the group trains with a stalled client holding a half-sent request (rc $rc, ${elapsed} s)" $?
[ $rc -eq 0 ] || tail -5 "$WORK/err"
/usr/bin/python3 -c "import sys; sys.exit(0 if float('$elapsed') < 20 else 1)"
check "it finished well within --timeout 20 (${elapsed} s)" $?
grep -q '^REFUSED' "$WORK/torch_client"
check "a torch TCPStore client reads nothing ($(tail -n 1 "$WORK/torch_client"))" $?
! grep -q "$TOKEN" "$WORK/ps" "$WORK/err" "$WORK/out"
check "the token is in no command line and no log" $?

# Bound to the master address only: nothing answers on another local address.
port=$(free_port)
timeout -k 5 60 "$SCALEML" launch --nproc-per-node 2 --master-addr 127.0.0.1 --master-port "$port" \
  --timeout 10 --token-file "$WORK/token" -- "$SCALEML" train --engine ddp --algo gbdt \
  --param num_iterations=300 --data "$WORK/data.csv" --no-cache >/dev/null 2>&1 &
launcher=$!
reached=0
for _ in $(seq 1 100); do
  /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" \
    2>/dev/null && break
  sleep 0.1
done
/usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.2', $port), 0.5)" \
  2>/dev/null && reached=1
wait $launcher
check "the store is not reachable on 127.0.0.2 while it serves 127.0.0.1" $reached

# A token file others can read is refused before anything starts.
chmod 644 "$WORK/token"
"$SCALEML" launch --nproc-per-node 2 --master-port "$(free_port)" --token-file "$WORK/token" \
  -- "$SCALEML" train --engine ddp --algo gbdt --data "$WORK/data.csv" >/dev/null 2>"$WORK/err"
rc=$?
[ $rc -eq 2 ] && grep -q "chmod 600" "$WORK/err"
check "a token file readable by others: exit 2 saying chmod 600 (rc $rc)" $?

# Ranks with different tokens do not form a group: a clear error, no hang.
printf 'one\n' >"$WORK/t1" && chmod 600 "$WORK/t1"
port=$(free_port)
(SCALEML_TOKEN=two RANK=1 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
  SCALEML_COMM_TIMEOUT_S=5 timeout 30 "$SCALEML" train --engine ddp --algo logreg \
  --data "$WORK/data.csv" --no-cache >/dev/null 2>"$WORK/err1") &
other=$!
SCALEML_TOKEN_FILE=$WORK/t1 RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
  SCALEML_COMM_TIMEOUT_S=5 timeout 30 "$SCALEML" train --engine ddp --algo logreg \
  --data "$WORK/data.csv" --no-cache >/dev/null 2>"$WORK/err0"
rc0=$?
wait $other
rc1=$?
[ $rc0 -ne 0 ] && [ $rc0 -ne 124 ] && [ $rc1 -ne 0 ] && [ $rc1 -ne 124 ] &&
  grep -q "SCALEML_TOKEN" "$WORK/err1"
check "ranks with different tokens fail clearly, no hang (rc $rc0, $rc1: $(head -c 160 "$WORK/err1"))" $?
echo "passed $passed, failed $failed"
[ $failed -eq 0 ]
