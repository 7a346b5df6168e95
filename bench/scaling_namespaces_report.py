#!/usr/bin/env python3
"""The markdown table of bench/run_scaling_namespaces.sh's runs, next to the alpha-beta estimate.

For every algorithm and rank count (the last ok run of each), the measured fit and predict times
(slowest rank), speed-up against 1 rank, time in collectives and their count and volume; and,
when network.jsonl holds namespace latencies, what the alpha-beta model of docs/scaling.md
predicts for the same run: the 1-rank compute divided by N, plus the run's own collectives at
alpha each and its bytes at (N-1)/B (scaleml's direct exchange sends each rank's buffer to the
N-1 others), alpha and B fitted by scaling_estimate.fit_alpha_beta.

usage: scaling_namespaces_report.py --scaling scaling.jsonl [--network network.jsonl]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scaling_estimate import fit_alpha_beta, load_jsonl  # noqa: E402


def latest_ok(records):
    runs = {}
    for r in records:
        if r.get("kind") == "ddp_scaling" and r.get("status") == "ok":
            runs[(r["algo"], r["data"], r["ranks"])] = r
    return runs


def estimate_s(single, run, fit):
    n = run["ranks"]
    if n == 1:
        return single
    bytes_per_rank = run["comm_bytes"] / n
    return single / n + run["comm_calls"] * fit["alpha_s"] + (n - 1) * bytes_per_rank / fit["bandwidth"]


def latency_table(records):
    """Allreduce and allgather median / p95 in microseconds, one row per size, a column pair per
    (transport, ranks, op); then the object transfers."""
    latencies = [r for r in records if r.get("kind") == "collective_latency"]
    columns = sorted({(r["transport"], r["ranks"], r["op"]) for r in latencies})
    if columns:
        cell = {(r["transport"], r["ranks"], r["op"], r["bytes"]): r for r in latencies}
        print("| bytes | " + " | ".join(f"{t} {n} ranks {op}" for t, n, op in columns) + " |")
        print("|---:|" + "---:|" * len(columns))
        for size in sorted({r["bytes"] for r in latencies}):
            row = []
            for t, n, op in columns:
                r = cell.get((t, n, op, size))
                row.append(f"{r['median_s'] * 1e6:,.0f} / {r['p95_s'] * 1e6:,.0f}" if r else "-")
            print(f"| {size:,} | " + " | ".join(row) + " |")
        print("\nMedian / p95 in microseconds, of the slowest rank per repeat "
              "(`scaleml commbench`).\n")
    transfers = [r for r in records if r.get("kind") == "object_transfer"]
    if transfers:
        print("| object bytes | from | to | seconds | MB/s |")
        print("|---:|---|---|---:|---:|")
        for r in sorted(transfers, key=lambda r: (r["bytes"], r.get("to", ""))):
            print(f"| {r['bytes']:,} | {r.get('from', '')} | {r.get('to', '')} | "
                  f"{r['seconds']:.3f} | {r['bytes_per_s'] / 1e6:.0f} |")
        print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scaling", required=True)
    parser.add_argument("--network")
    args = parser.parse_args()
    runs = latest_ok(load_jsonl(args.scaling))
    fit = None
    if args.network and os.path.exists(args.network):
        network = load_jsonl(args.network)
        fit = fit_alpha_beta(network, "namespaces")
        latency_table(network)
    print("| algorithm | train rows | ranks | fit s | predict s | fit+predict s | speed-up "
          "| comm s (slowest) | collectives | bytes (all ranks) | accuracy | load | "
          "alpha-beta estimate s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in sorted(runs):
        algo, data, n = key
        run = runs[key]
        total = run["fit_s"] + run["predict_s"]
        one = runs.get((algo, data, 1))
        single = one["fit_s"] + one["predict_s"] if one else None
        speed_up = f"{single / total:.2f}x" if single else "-"
        estimate = f"{estimate_s(single, run, fit):.2f}" if (fit and single) else "-"
        print(f"| {algo} | {run['rows_train']:,} | {n} | {run['fit_s']:.2f} | "
              f"{run['predict_s']:.2f} | {total:.2f} | {speed_up} | {run['comm_s']:.2f} | "
              f"{run['comm_calls']:,} | {run['comm_bytes'] / 1e6:.1f} MB | {run['accuracy']:.4f} "
              f"| {run['load1']:.1f} | {estimate} |")
    if fit:
        print(f"\nalpha = {fit['alpha_s'] * 1e6:.1f} us, B = {fit['bandwidth'] / 1e9:.2f} GB/s, "
              f"fitted from the {fit['ranks']}-host namespace allreduce latencies "
              f"(bench/scaling_estimate.py --network).")
    print("\nTimes are the slowest rank's; load is /proc/loadavg's 1-minute figure at the start.")


if __name__ == "__main__":
    main()
