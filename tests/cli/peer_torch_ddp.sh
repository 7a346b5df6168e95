#!/bin/sh
# The paper's PyTorch pipeline (bench/peers/peer_torch_ddp.py) under Debian's torchrun with 2 gloo
# ranks on a small file: one JSON object on stdout (rank 0's), the fields of peer_train.py, the
# same split, disjoint training shares that cover the training set, accuracy = mean over ranks
# and phase times = max over ranks. Skipped (77) when /usr/bin/python3 lacks torch.
# Usage: peer_torch_ddp.sh SCALEML_BINARY TEST_DATA_DIR
set -eu
peers="$(cd "$(dirname "$0")/../../bench/peers" && pwd)"
python=/usr/bin/python3
if ! "$python" -c "import torch.distributed as d, sklearn, pandas, xgboost; assert d.is_gloo_available()" \
    2>/dev/null; then
  echo "skipped: $python cannot import torch (gloo), scikit-learn, pandas and xgboost"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
port=$("$python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")

OMP_NUM_THREADS=1 timeout -k 5 120 "$python" -m torch.distributed.run --nnodes 1 \
  --nproc_per_node 2 --master_addr 127.0.0.1 --master_port "$port" --redirects=9:1 --tee=9:1 \
  "$peers/peer_torch_ddp.py" --algo rf --data "$2/xgboost/binary.csv" --threads 1 \
  --param random_state=7 --comm-timeout 60 >"$tmp/out" 2>"$tmp/err" \
  || { cat "$tmp/err" >&2; echo "FAIL: torchrun exited non-zero" >&2; exit 1; }

PYTHONPATH="$peers" "$python" - "$tmp/out" "$2/xgboost/expected.json" <<'PY'
import json, sys
import numpy as np
from peer_torch_ddp import training_share

lines = [l for l in open(sys.argv[1]).read().splitlines() if l.strip()]
assert len(lines) == 1, f"expected rank 0's JSON alone on stdout, got {len(lines)} lines: {lines}"
out = json.loads(lines[0])
expected = json.load(open(sys.argv[2]))["cases"][0]
fields = ["algo", "engine", "library", "version", "rows_train", "rows_test", "features",
          "classes", "accuracy", "load_s", "fit_s", "predict_s", "total_s", "peak_rss_bytes",
          "threads", "params", "ranks", "per_rank", "comm_s"]
missing = [f for f in fields if f not in out]
assert not missing, f"output lacks {missing}"
assert out["engine"] == "torch-ddp" and out["ranks"] == 2 and out["algo"] == "rf", out
assert (out["rows_train"], out["rows_test"]) == (expected["rows_train"], expected["rows_test"])
ranks = out["per_rank"]
assert sorted(r["rank"] for r in ranks) == [0, 1], ranks
shares = [r["rows_train"] for r in ranks]
assert sum(shares) == out["rows_train"] and max(shares) - min(shares) <= 1, shares
assert abs(out["accuracy"] - sum(r["accuracy"] for r in ranks) / 2) < 1e-12
for phase in ("load_s", "fit_s", "predict_s"):
    assert out[phase] == max(r[phase] for r in ranks), phase
assert out["peak_rss_bytes"] == max(r["peak_rss_bytes"] for r in ranks) > 0
# Half the rows of a 10-feature problem still score well above chance.
assert 0.7 < out["accuracy"] <= 1.0, out["accuracy"]
# Shares of a seeded permutation: disjoint, covering, and the same on every call.
parts = [training_share(1000, r, 3, 42) for r in range(3)]
together = np.concatenate(parts)
assert len(together) == 1000 and len(np.unique(together)) == 1000, "shares overlap or miss rows"
assert all(np.array_equal(p, training_share(1000, r, 3, 42)) for r, p in enumerate(parts))
assert not np.array_equal(parts[0], np.arange(len(parts[0]))), "a share is not random"
print(f"torch-ddp: 2 ranks, shares {shares}, accuracy {out['accuracy']:.4f}")
PY
