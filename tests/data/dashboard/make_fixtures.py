#!/usr/bin/env python3
"""Writes the dashboard's test folders: a tune experiment (experiment_state.json, per-trial
result.json and result.jsonl with one line per round, as tune writes them) and a benchmark folder
(results.jsonl, report.md, figures/). With --trials N, one experiment of N trials (the paging
and speed test writes 1,000 into a temporary folder).

Usage: make_fixtures.py OUT_DIR            the committed fixtures (tests/data/dashboard)
       make_fixtures.py --trials N OUT_DIR  one experiment named big_exp under OUT_DIR
"""
import json
import math
import os
import shutil
import sys


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def experiment(root, name, statuses, rounds=20):
    """statuses: one of TERMINATED, RUNNING, PENDING, ERROR per trial."""
    exp = os.path.join(root, name)
    trials = []
    for i, status in enumerate(statuses):
        trial_id = "%s_%05d" % (name, i)
        config = {"learning_rate": round(0.01 * (1 + i % 10), 3), "num_leaves": 8 + (i * 7) % 56}
        trials.append({"trial_id": trial_id, "config": config})
        if status == "PENDING":
            continue
        done = rounds if status in ("TERMINATED", "ERROR") else rounds // 2
        # A curve that rises towards a trial-specific ceiling.
        ceiling = 0.80 + 0.15 * ((i * 37) % 100) / 100.0
        lines = []
        for it in range(done):
            metric = ceiling - (ceiling - 0.5) * math.exp(-0.25 * (it + 1))
            lines.append(json.dumps({"iteration": it, "metric": round(metric, 6),
                                     "metric_name": "accuracy", "time_s": round(0.05 * (it + 1), 3)},
                                    separators=(",", ":")))
        write(os.path.join(exp, trial_id, "result.jsonl"), "\n".join(lines) + "\n")
        result = {"trial_id": trial_id, "config": config, "status": status, "node": "head",
                  "task_id": "t%08x" % (i + 1), "attempts": 1, "started": 1700000000.0 + i,
                  "finished": 0.0, "time_s": 0.0}
        if status == "TERMINATED":
            final = round(ceiling - (ceiling - 0.5) * math.exp(-0.25 * rounds), 6)
            result.update({"finished": 1700000001.0 + i + 0.05 * rounds, "time_s": 0.05 * rounds + 1,
                           "accuracy": final, "metric": final, "result": {"accuracy": final}})
        if status == "ERROR":
            result["error"] = "worker died (test fixture)"
        write(os.path.join(exp, trial_id, "result.json"), json.dumps(result, indent=2) + "\n")
    write(os.path.join(exp, "experiment_state.json"),
          json.dumps({"algo": "gbdt", "data": "d.csv", "metric": "accuracy", "mode": "max",
                      "trials": trials}, indent=2) + "\n")
    write(os.path.join(exp, name + "_00000", "worker.log"),
          "fixture log line 1 of %s_00000\nfixture log line 2\n" % name)


def benchmark(root, name, records_path):
    out = os.path.join(root, name)
    os.makedirs(os.path.join(out, "figures"), exist_ok=True)
    shutil.copyfile(records_path, os.path.join(out, "results.jsonl"))
    write(os.path.join(out, "report.md"),
          "# Benchmark report\n\n## Accuracy\n\n| algo | engine | accuracy | total_s |\n"
          "|---|---|---:|---:|\n| logreg | local | 0.5912 | 7.0 |\n| logreg | tasks | 0.5912 | 9.5 |\n"
          "| gbdt | ddp | 0.6120 | 5.2 |\n\n![accuracy](figures/accuracy.svg)\n")
    write(os.path.join(out, "figures", "accuracy.svg"),
          '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
          '<rect x="10" y="40" width="40" height="60" fill="#3d7be0"/>'
          '<rect x="60" y="30" width="40" height="70" fill="#e0783d"/></svg>\n')


def main():
    args = sys.argv[1:]
    if args and args[0] == "--trials":
        n = int(args[1])
        statuses = ["TERMINATED"] * (n - n // 10) + ["RUNNING"] * (n // 20) + ["PENDING"] * (n // 10 - n // 20)
        experiment(args[2], "big_exp", statuses, rounds=30)
        return
    out = args[0]
    here = os.path.dirname(os.path.abspath(__file__))
    experiment(os.path.join(out, "experiments"), "small_exp",
               ["TERMINATED", "TERMINATED", "RUNNING", "PENDING", "ERROR"])
    benchmark(os.path.join(out, "results"), "bench_demo",
              os.path.join(here, "..", "bench", "results.jsonl"))


if __name__ == "__main__":
    main()
