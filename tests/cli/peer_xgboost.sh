#!/bin/sh
# The Python peer (bench/peers/peer_train.py) and `scaleml train` on the same CSV: the same split
# (row counts), the same JSON fields, and xgboost accuracy within one point of each other.
# Usage: peer_xgboost.sh SCALEML_BINARY TEST_DATA_DIR
set -eu
scaleml=$1
peer="$(dirname "$0")/../../bench/peers/peer_train.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A copy: scaleml may write its binary cache beside the file it reads.
data=$tmp/binary.csv
cp "$2/xgboost/binary.csv" "$data"

/usr/bin/python3 "$peer" --algo xgboost --data "$data" --threads 1 > "$tmp/peer.json"
"$scaleml" train --algo xgboost --data "$data" --threads 1 --json > "$tmp/ours.json"

/usr/bin/python3 - "$tmp/peer.json" "$tmp/ours.json" "$2/xgboost/expected.json" <<'PY'
import json, sys
peer = json.load(open(sys.argv[1]))
ours = json.load(open(sys.argv[2]))
expected = json.load(open(sys.argv[3]))["cases"][0]
fields = ["algo", "engine", "rows_train", "rows_test", "features", "classes", "accuracy",
          "load_s", "fit_s", "predict_s", "total_s", "peak_rss_bytes", "threads", "params"]
missing = [f for f in fields if f not in peer]
assert not missing, f"peer output lacks {missing}"
assert peer["engine"] == "python" and peer["library"] and peer["version"], peer
assert (peer["rows_train"], peer["rows_test"]) == (expected["rows_train"], expected["rows_test"]), \
    (peer["rows_train"], peer["rows_test"], expected["rows_train"], expected["rows_test"])
assert (peer["rows_train"], peer["rows_test"]) == (ours["rows_train"], ours["rows_test"]), \
    f"split differs: peer {peer['rows_train']}/{peer['rows_test']}, " \
    f"scaleml {ours['rows_train']}/{ours['rows_test']}"
assert peer["features"] == ours["features"] == 10 and peer["classes"] == ours["classes"] == 2
assert abs(peer["accuracy"] - expected["accuracy"]) < 1e-9, (peer["accuracy"], expected)
assert abs(peer["accuracy"] - ours["accuracy"]) <= 0.01, (peer["accuracy"], ours["accuracy"])
print(f"peer {peer['accuracy']:.4f}, scaleml {ours['accuracy']:.4f}, "
      f"{peer['rows_train']}/{peer['rows_test']} rows")
PY
