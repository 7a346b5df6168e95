#!/bin/bash
# The ddp engine under PyTorch's own launcher: `torchrun --no_python` (1.13's spelling) starts the ranks with the
# environment scaleml reads. Skips (exit 77) when Debian's python3-torch is not installed.
# usage: torchrun_compat.sh SCALEML COMM_PROBE GLOO_LIBRARY
set -u
SCALEML=$1
PROBE=$2
export SCALEML_GLOO_LIBRARY=$3
TORCHRUN=$(command -v torchrun)
if [ -z "$TORCHRUN" ] || ! /usr/bin/python3 -c 'import torch.distributed.run' 2>/dev/null; then
  echo "SKIP: torchrun (python3-torch) is not installed"; exit 77
fi
WORK=$(mktemp -d /tmp/scaleml-torchrun-XXXXXX)
trap "rm -rf $WORK" EXIT
# Debian's torch 1.13 under Python 3.11 cannot parse the default --redirects/--tee "0" (iterating
# an IntFlag skips its zero member, so both come out None); a mapping that names no real rank
# means "no redirection" for every rank.
NO_REDIRECTS="--redirects=9:1 --tee=9:1"
. "$(dirname "$0")/lib/checks.sh"

timeout -k 5 180 "$TORCHRUN" --nnodes=1 --node_rank=0 --nproc_per_node=2 --master_addr=127.0.0.1 \
  --master_port="$(free_port)" $NO_REDIRECTS --no_python "$PROBE" ops >"$WORK/out" 2>"$WORK/err"
rc=$?
[ $rc -eq 0 ] && [ "$(grep -c '^ok rank' "$WORK/out")" -eq 2 ]
check "2 ranks under torchrun: every collective correct (rc $rc)" $?
[ $rc -eq 0 ] || tail -20 "$WORK/err"

# torchrun restarts every rank of a failed attempt on the same store: the new attempt must not
# meet the keys of the old one (torch prefixes its own with the attempt; so does scaleml).
timeout -k 5 180 "$TORCHRUN" --nnodes=1 --node_rank=0 --nproc_per_node=2 --master_addr=127.0.0.1 \
  --master_port="$(free_port)" --max_restarts=1 $NO_REDIRECTS --no_python "$PROBE" ops-on-retry \
  >"$WORK/out" 2>"$WORK/err"
rc=$?
[ $rc -eq 0 ] && [ "$(grep -c '^ok rank' "$WORK/out")" -eq 2 ]
check "a restarted attempt forms a fresh group on torchrun's store (rc $rc)" $?
[ $rc -eq 0 ] || tail -20 "$WORK/err"

"$SCALEML" generate --samples 4000 --features 10 --classes 2 --seed 5 --out "$WORK/data.csv" \
  >/dev/null || exit 1
"$SCALEML" train --algo logreg --data "$WORK/data.csv" --no-cache --json >"$WORK/local.json"
timeout -k 5 180 "$TORCHRUN" --nnodes=1 --nproc_per_node=2 --master_addr=127.0.0.1 \
  --master_port="$(free_port)" $NO_REDIRECTS --no_python "$SCALEML" train --engine ddp --algo logreg \
  --data "$WORK/data.csv" --no-cache --json >"$WORK/ddp.json" 2>"$WORK/err"
rc=$?
[ $rc -eq 0 ] || tail -20 "$WORK/err"
/usr/bin/python3 - "$WORK/local.json" "$WORK/ddp.json" <<'PY'
import json, sys
local = json.load(open(sys.argv[1]))
ddp = [json.loads(line) for line in open(sys.argv[2]) if line.startswith("{")]
assert len(ddp) == 1, "rank 0 alone reports"
assert ddp[0]["ranks"] == 2 and ddp[0]["accuracy"] == local["accuracy"], (ddp[0], local)
PY
check "train --engine ddp under torchrun equals the single process (rc $rc)" $?

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
