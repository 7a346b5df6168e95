#!/usr/bin/python3
"""A mixed table for the CSV reader's speed: 5 numeric and 5 categorical string columns, 10% of
the cells missing (empty), an integer target. Then pandas.read_csv on it, timed, to compare with
`scaleml inspect --no-cache --threads 2` in the same run.

Usage: reader_mixed_table.py write FILE ROWS | reader_mixed_table.py pandas FILE
"""
import sys
import time

import numpy as np


def write(path, rows):
    rng = np.random.default_rng(7)
    words = np.array([f"cat_{i:03d}" for i in range(200)])
    columns = {}
    for i in range(5):
        values = np.char.mod("%.6g", rng.normal(size=rows))
        values[rng.random(rows) < 0.1] = ""
        columns[f"num{i}"] = values
    for i in range(5):
        values = words[rng.integers(0, 20 + 40 * i, size=rows)].astype(object)
        values[rng.random(rows) < 0.1] = ""
        columns[f"str{i}"] = values
    columns["target"] = rng.integers(0, 2, size=rows).astype(str)
    names = list(columns)
    with open(path, "w") as out:
        out.write(",".join(names) + "\n")
        chunk = 200000
        for start in range(0, rows, chunk):
            stop = min(rows, start + chunk)
            lines = zip(*(columns[n][start:stop] for n in names))
            out.write("".join(",".join(line) + "\n" for line in lines))


def pandas_read(path):
    import pandas as pd
    start = time.perf_counter()
    frame = pd.read_csv(path)
    seconds = time.perf_counter() - start
    import os
    mb = os.path.getsize(path) / 1e6
    print(f"pandas {pd.__version__} read_csv: {frame.shape[0]} rows in {seconds:.3f} s "
          f"({mb / seconds:.1f} MB/s)")


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], int(sys.argv[3]))
    else:
        pandas_read(sys.argv[2])
