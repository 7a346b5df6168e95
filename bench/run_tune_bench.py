#!/usr/bin/python3
"""Tune's search benchmark (issue 15's figures), each figure against its peer in the same run:

  - ASHA against FIFO: the same 24-trial gbdt search (learning_rate log-uniform 0.01-0.3,
    num_leaves 8-128, min_data_in_leaf 10-200; 200 rounds; the same --search-seed, so the same
    configs) on one file, run once under each scheduler on a local cluster: wall time of the
    whole experiment and the best trial's validation metric (its last per-round report);
  - TPE against random search: 24 trials each, over several search seeds, on a smaller file;
    the mean best metric;
  - the driver's own cost per trial (summary.json: scheduler_ms_per_trial, driver_ms_per_trial).

  /usr/bin/python3 bench/run_tune_bench.py --data out/bench-data/paper-5000000.csv \
      [--search-data FILE] [--seeds 5] [--out out/bench-tune]

Writes OUT/tune_bench.json and prints a markdown table.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import benchlib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPACE = json.dumps({"learning_rate": {"loguniform": [0.01, 0.3]},
                    "num_leaves": {"randint": [8, 129]},
                    "min_data_in_leaf": {"randint": [10, 201]}})


def tune(binary, data, storage, rounds, extra, env):
    shutil.rmtree(storage, ignore_errors=True)
    cmd = [binary, "tune", "--algo", "gbdt", "--data", data, "--search-space", SPACE,
           "--param", f"num_iterations={rounds}", "--num-samples", "24", "--storage", storage,
           *extra]
    start = time.monotonic()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    wall = time.monotonic() - start
    summary = json.load(open(os.path.join(storage, "summary.json")))
    trials = summary["trials"]
    # The best validation metric: each trial's last per-round report.
    best_valid = None
    for t in trials:
        path = os.path.join(storage, t["trial_id"], "result.jsonl")
        if not os.path.exists(path):
            continue
        lines = [json.loads(line) for line in open(path) if line.strip()]
        if lines and lines[-1]["metric"] is not None:
            best_valid = max(best_valid or 0.0, lines[-1]["metric"])
    best = summary.get("best", {})
    return {"wall_s": wall, "best_valid": best_valid,
            "best_test": best.get("accuracy"),
            "stopped_early": sum(1 for t in trials if t.get("stopped_early")),
            "rounds": sum(t.get("iterations", 0) for t in trials),
            "scheduler_ms_per_trial": summary.get("scheduler_ms_per_trial"),
            "driver_ms_per_trial": summary.get("driver_ms_per_trial")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="the ASHA/FIFO file (the paper's 1 GB one)")
    ap.add_argument("--search-data", help="the TPE/random file (default: 200,000 rows generated)")
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--search-rounds", type=int, default=50)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "scaleml"))
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "bench-tune"))
    ap.add_argument("--skip", default="", help="comma list of asha,tpe")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    env = dict(os.environ, OMP_WAIT_POLICY="passive")
    skip = set(filter(None, args.skip.split(",")))
    result = {"machine": benchlib.machine(), "space": json.loads(SPACE)}
    out_json = os.path.join(args.out, "tune_bench.json")
    if "asha" not in skip:
        common = ["--search-seed", "1", "--max-t", str(args.rounds)]
        benchlib.log("FIFO")
        fifo = tune(args.binary, args.data, os.path.join(args.out, "fifo"), args.rounds,
                    common + ["--scheduler", "fifo"], env)
        benchlib.log("ASHA")
        asha = tune(args.binary, args.data, os.path.join(args.out, "asha"), args.rounds,
                    common + ["--scheduler", "asha"], env)
        result["asha_vs_fifo"] = {"fifo": fifo, "asha": asha,
                                  "time_share": asha["wall_s"] / fifo["wall_s"]}
        benchlib.write_json(out_json, result)
    if "tpe" not in skip:
        data = args.search_data
        if data is None:
            data = os.path.join(args.out, "search-200000.csv")
            if not os.path.exists(data):
                subprocess.run([args.binary, "generate", "--samples", "200000", "--seed", "11",
                                "--out", data], check=True, stdout=subprocess.DEVNULL)
        runs = {"random": [], "tpe": []}
        for seed in range(1, args.seeds + 1):
            for search in ("random", "tpe"):
                benchlib.log(f"{search} seed {seed}")
                r = tune(args.binary, data, os.path.join(args.out, f"{search}-{seed}"),
                         args.search_rounds,
                         ["--search", search, "--search-seed", str(seed), "--valid-fraction",
                          "0.1"], env)
                runs[search].append(r)
        result["tpe_vs_random"] = {
            k: {"best_valid": [r["best_valid"] for r in v],
                "mean_best_valid": statistics.mean(r["best_valid"] for r in v),
                "best_test": [r["best_test"] for r in v],
                "mean_best_test": statistics.mean(r["best_test"] for r in v),
                "scheduler_ms_per_trial": max(r["scheduler_ms_per_trial"] or 0 for r in v),
                "driver_ms_per_trial": max(r["driver_ms_per_trial"] or 0 for r in v)}
            for k, v in runs.items()}
        benchlib.write_json(out_json, result)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
