#!/usr/bin/env python3
"""Estimates the ddp engine's time at 8, 64 and 512 ranks on a 10 Gbit/s network, on paper.

Inputs are figures measured on the 2-core development machine (docs/scaling.md says where each
comes from); the model is the usual alpha-beta cost of a collective:
  ring allreduce of s bytes on N ranks:        2(N-1) alpha + 2 (N-1)/N s / B
  halving-doubling allreduce:                  2 log2(N) alpha + 2 (N-1)/N s / B
Compute is assumed to divide evenly by N (each rank holds 1/N of the rows). The communication
volume per boosting round / per iteration does not depend on the number of rows, so the
estimate is given for the paper's 1GB data and for 100x that (500M rows, "100GB").

usage: scaling_estimate.py [--alpha-us 50] [--gbit 10]
"""
import argparse
import math

# Measured (docs/scaling.md): per unit of work at 1 rank with 1 thread on the 1GB data
# (4M training rows), collectives per unit, bytes per rank per unit (the sum of buffer sizes).
WORKLOADS = {
    # name: (units, compute seconds per unit at 1 rank, collectives per unit, bytes per unit)
    "gbdt (100 rounds, 31 leaves, 255 bins, 10 features)": (100, 11.87 / 100, 30, 1.22e6),
    "logreg (Newton, binary, 10 features)": (8, 0.33 / 8, 1, 1064),
    "xgboost (100 rounds, depth 6, rabit)": (100, 28.2 / 100, 8, 1.5e6),
}


def allreduce_s(bytes_, ranks, alpha, bandwidth, algorithm):
    if ranks == 1:
        return 0.0
    steps = 2 * (ranks - 1) if algorithm == "ring" else 2 * math.ceil(math.log2(ranks))
    return steps * alpha + 2 * (ranks - 1) / ranks * bytes_ / bandwidth


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alpha-us", type=float, default=50.0, help="one message's latency")
    parser.add_argument("--gbit", type=float, default=10.0, help="link bandwidth, Gbit/s")
    args = parser.parse_args()
    alpha, bandwidth = args.alpha_us * 1e-6, args.gbit * 1e9 / 8

    print("| workload | data | ranks | compute s | comm s (ring) | comm s (halving-doubling) "
          "| speed-up vs 1 rank (ring / h-d) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, (units, compute, calls, bytes_) in WORKLOADS.items():
        for scale, label in ((1, "1GB"), (100, "100GB")):
            single = units * compute * scale
            for ranks in (8, 64, 512):
                per_call = bytes_ / calls
                comm = {
                    algo: units * calls * allreduce_s(per_call, ranks, alpha, bandwidth, algo)
                    for algo in ("ring", "hd")
                }
                work = single / ranks
                print(f"| {name} | {label} | {ranks} | {work:.2f} | {comm['ring']:.2f} | "
                      f"{comm['hd']:.2f} | {single / (work + comm['ring']):.1f} / "
                      f"{single / (work + comm['hd']):.1f} |")


if __name__ == "__main__":
    main()
