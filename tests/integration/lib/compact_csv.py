#!/usr/bin/env python3
"""Writes a CSV of ROWS rows (10 short numeric features and a 0/1 label) fast: a block of
distinct rows repeated. For tests that need a dataset of a given size in memory, not a hard one.
Usage: compact_csv.py ROWS OUT.csv"""
import random
import sys

rows, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(7)
block_rows = 10000
lines = []
for _ in range(block_rows):
    label = rng.randint(0, 1)
    values = [round(rng.gauss(label * 0.8, 1.0), 2) for _ in range(10)]
    lines.append(",".join(f"{v:.2f}" for v in values) + f",{label}\n")
block = "".join(lines)
with open(out, "w") as f:
    f.write(",".join(f"f{i}" for i in range(10)) + ",target\n")
    for _ in range(rows // block_rows):
        f.write(block)
    f.write("".join(lines[: rows % block_rows]))
