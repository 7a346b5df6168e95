#!/usr/bin/python3
"""Classifier benchmark: the five algorithms on one file, each next to its Python peer
(scikit-learn / XGBoost / pandas, bench/peers/peer_train.py) in the same run, plus gbdt against
libxgboost's hist with LightGBM-like settings (lossguide, 31 leaves, 255 bins).

  /usr/bin/python3 bench/run_train_bench.py --data out/bench-data/paper-5000000.csv \
      [--threads 2] [--algos gbdt,xgboost,logreg,rf,knn] [--out out/bench-train]

Writes OUT/train_bench.jsonl (one line per run) and prints a markdown table.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import benchlib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAPER_PARAMS = {"rf": ["n_estimators=10"]}
LOSSGUIDE = ["tree_method=hist", "grow_policy=lossguide", "max_leaves=31", "max_depth=0",
             "max_bin=255", "learning_rate=0.1", "n_estimators=100"]


def run_json(cmd, params, env):
    """Runs a train command that prints one JSON object; adds process time and peak RSS."""
    for p in params:
        cmd = cmd + ["--param", p]
    t, rss, out = benchlib.run_with_rss(cmd, env)
    rec = json.loads(out)
    rec["process_s"] = t
    rec["peak_rss_bytes"] = rss
    return rec


def scaleml_run(binary, algo, data, threads, params, env):
    return run_json([binary, "train", "--algo", algo, "--data", data, "--threads", str(threads),
                     "--json"], params, env)


def peer_run(algo, data, threads, params, env):
    return run_json(["/usr/bin/python3", os.path.join(ROOT, "bench", "peers", "peer_train.py"),
                     "--algo", algo, "--data", data, "--threads", str(threads)], params, env)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--algos", default="gbdt,xgboost,logreg,rf,knn")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "scaleml"))
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "bench-train"))
    ap.add_argument("--skip-peers", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    lines = []
    # Warm the binary cache once so every scaleml run loads the same way.
    benchlib.run_with_rss([args.binary, "inspect", args.data, "--json"], env)
    rows = []
    for algo in args.algos.split(","):
        params = PAPER_PARAMS.get(algo, [])
        benchlib.log(f"scaleml {algo} ...")
        ours = scaleml_run(args.binary, algo, args.data, args.threads, params, env)
        lines.append(ours)
        peer = None
        if not args.skip_peers:
            benchlib.log(f"python {algo} ...")
            peer = peer_run(algo, args.data, args.threads, params, env)
            lines.append(peer)
        rows.append((algo, ours, peer))
    if "gbdt" in args.algos.split(","):
        benchlib.log("libxgboost hist lossguide (through scaleml) ...")
        xgb = scaleml_run(args.binary, "xgboost", args.data, args.threads, LOSSGUIDE, env)
        xgb["engine"] = "local-xgboost-lossguide"
        lines.append(xgb)
        rows.append(("xgboost-lossguide", xgb, None))
    with open(os.path.join(args.out, "train_bench.jsonl"), "w") as f:
        for rec in lines:
            f.write(json.dumps(rec) + "\n")
    print(f"| algo | scaleml fit s | scaleml total s | acc | peer fit s | peer total s | peer acc |"
          f" fit ratio | total ratio | scaleml peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for algo, ours, peer in rows:
        total = ours["load_s"] + ours["fit_s"] + ours["predict_s"]
        cells = [algo, f"{ours['fit_s']:.2f}", f"{total:.2f}", f"{ours['accuracy']:.4f}"]
        if peer:
            ptotal = peer["load_s"] + peer["fit_s"] + peer["predict_s"]
            cells += [f"{peer['fit_s']:.2f}", f"{ptotal:.2f}", f"{peer['accuracy']:.4f}",
                      f"{peer['fit_s'] / ours['fit_s']:.1f}x", f"{ptotal / total:.1f}x"]
        else:
            cells += ["-"] * 5
        cells.append(f"{ours['peak_rss_bytes'] / 2**20:.0f}")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
