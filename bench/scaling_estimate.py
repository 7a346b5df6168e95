#!/usr/bin/env python3
"""Estimates the ddp engine's time at 8, 64 and 512 ranks on a 10 Gbit/s network, on paper.

Inputs are figures measured on the 2-core development machine (docs/scaling.md says where each
comes from); the model is the usual alpha-beta cost of a collective:
  ring allreduce of s bytes on N ranks:        2(N-1) alpha + 2 (N-1)/N s / B
  halving-doubling allreduce:                  2 log2(N) alpha + 2 (N-1)/N s / B
Compute is assumed to divide evenly by N (each rank holds 1/N of the rows). The communication
volume per boosting round / per iteration does not depend on the number of rows, so the
estimate is given for the paper's 1GB data and for 100x that (500M rows, "100GB").

With --network FILE (network.jsonl of bench/run_network_bench.sh), alpha and B are fitted from
its measured allreduce latencies instead (fit_alpha_beta: the transport's largest group, the
sizes that go over scaleml's direct exchange).

usage: scaling_estimate.py [--alpha-us 50] [--gbit 10] [--network FILE [--transport namespaces]]
"""
import argparse
import json
import math

# TcpMeshComm::kMeshMaxBytes: up to this many bytes to all peers together, a collective is one
# direct exchange over the mesh; above, Gloo's ring.
MESH_MAX_BYTES = 4 << 20


def load_jsonl(path):
    records = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                records.append(json.loads(line))
    return records


def fit_alpha_beta(records, transport):
    """alpha (s) and B (bytes/s) from collective_latency records of one transport.

    The largest group measured, allreduce, sizes over the direct exchange (bytes x (N-1) up to
    MESH_MAX_BYTES), where one allreduce of s bytes costs alpha + (N-1) s / B (each rank sends
    its buffer to the N-1 others through its one link):
      alpha: the smallest median latency among the sizes up to 512 bytes (the latency floor);
      B: (N-1) / slope, the slope of (median - alpha) against s fitted through the origin
         over the sizes from 32 KiB.
    Returns a dict: alpha_s, bandwidth, ranks, points (the sizes used), or None without data.
    """
    latencies = [r for r in records if r.get("kind") == "collective_latency"
                 and r.get("transport") == transport and r.get("op") == "allreduce"]
    if not latencies:
        return None
    ranks = max(r["ranks"] for r in latencies)
    mesh = [r for r in latencies
            if r["ranks"] == ranks and r["bytes"] * (ranks - 1) <= MESH_MAX_BYTES]
    small = [r["median_s"] for r in mesh if r["bytes"] <= 512]
    large = [r for r in mesh if r["bytes"] >= 32 << 10]
    if not small or not large:
        return None
    alpha = min(small)
    slope = (sum(r["bytes"] * (r["median_s"] - alpha) for r in large)
             / sum(r["bytes"] ** 2 for r in large))
    if slope <= 0:
        return None
    return {"alpha_s": alpha, "bandwidth": (ranks - 1) / slope, "ranks": ranks,
            "points": [r["bytes"] for r in large]}

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
    parser.add_argument("--network", help="fit alpha and B from this network.jsonl instead")
    parser.add_argument("--transport", default="namespaces", help="its records to fit from")
    args = parser.parse_args()
    alpha, bandwidth = args.alpha_us * 1e-6, args.gbit * 1e9 / 8
    if args.network:
        fit = fit_alpha_beta(load_jsonl(args.network), args.transport)
        if fit is None:
            raise SystemExit(f"scaling_estimate.py: {args.network} has no {args.transport} "
                             "allreduce latencies from <= 512 B and from 32 KiB to fit")
        alpha, bandwidth = fit["alpha_s"], fit["bandwidth"]
        print(f"Fitted from {args.network} ({args.transport}, {fit['ranks']} ranks): "
              f"alpha = {alpha * 1e6:.1f} us, B = {bandwidth / 1e9:.2f} GB/s "
              f"({bandwidth * 8 / 1e9:.1f} Gbit/s)\n")

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
