#!/usr/bin/python3
"""The paper's data generator, written from its description (see DESIGN.md): scikit-learn's
make_classification called afresh for every chunk of 300,000 rows (so every chunk is an
independent problem), each chunk appended to the CSV with pandas' to_csv, and a `<file>.meta`
beside it (num_samples, num_features, dataset_size_mb). The benchmark's peer for
`scaleml generate --problem-per-chunk`.

  /usr/bin/python3 bench/peers/paper_generate.py --samples 5000000 --out data.csv

The paper set no seed; --seed makes a run repeatable (chunk i uses seed + i).
"""
import argparse
import os
import sys
import time

import pandas as pd
from sklearn.datasets import make_classification


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, required=True, help="number of rows")
    ap.add_argument("--features", type=int, default=10)
    ap.add_argument("--classes", type=int, default=2)
    ap.add_argument("--chunk-size", type=int, default=300_000)
    ap.add_argument("--seed", type=int, default=None, help="default: none, as the paper")
    ap.add_argument("--out", required=True, help="the CSV file to write")
    args = ap.parse_args()
    if args.samples < 1 or args.chunk_size < 1:
        sys.exit("paper_generate.py: --samples and --chunk-size must be positive")

    start = time.monotonic()
    columns = [f"feature_{i}" for i in range(args.features)]
    written = 0
    chunk = 0
    while written < args.samples:
        rows = min(args.chunk_size, args.samples - written)
        X, y = make_classification(
            n_samples=rows,
            n_features=args.features,
            n_informative=args.features // 2,
            n_redundant=args.features // 2,
            n_classes=args.classes,
            random_state=None if args.seed is None else args.seed + chunk,
        )
        df = pd.DataFrame(X, columns=columns)
        df["target"] = y
        df.to_csv(args.out, mode="w" if chunk == 0 else "a", header=chunk == 0, index=False)
        written += rows
        chunk += 1

    size = os.path.getsize(args.out)
    with open(args.out + ".meta", "w") as meta:
        meta.write(f"num_samples,{args.samples}\n")
        meta.write(f"num_features,{args.features}\n")
        meta.write(f"dataset_size_mb,{size / (1024 * 1024):.2f}\n")
    seconds = time.monotonic() - start
    print(f"wrote {args.out}: {args.samples} rows, {size / 1e6:.1f} MB in {seconds:.2f} s "
          f"({size / 1e6 / seconds:.0f} MB/s)")


if __name__ == "__main__":
    main()
