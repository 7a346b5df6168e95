#!/usr/bin/python3
"""Makes the xgboost parity fixtures in tests/data/xgboost/: two small generated CSV files and
expected.json with what XGBoost's Python package (XGBClassifier) reaches on them with scaleml's
train/test split (the split from peer_train.py, identical to src/data/TrainTestSplit.cc).

  /usr/bin/python3 bench/peers/make_xgboost_fixture.py [--out tests/data/xgboost]

expected.json also records split checks (test-row counts and first test rows for a few seeds and
test sizes) so the C++ tests can prove both sides choose the same rows.
"""
import argparse
import json
import os
import sys

import numpy as np
import pandas as pd
import sklearn
import xgboost
from sklearn.datasets import make_classification

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_train  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED = 42
TEST_SIZE = 0.2
THREADS = 2


def write_csv(path, x, y):
    # Four decimals: short lines, and every reader parses each value to the same float32.
    frame = pd.DataFrame(np.round(x, 4), columns=[f"feature_{i}" for i in range(x.shape[1])])
    frame["target"] = y
    frame.to_csv(path, index=False, float_format="%.4f")


def reference(path, params):
    """XGBClassifier on the file, split as scaleml splits it."""
    frame = pd.read_csv(path)
    y_all = frame["target"].to_numpy()
    x_all = frame.drop(columns=["target"])
    test = peer_train.test_row_mask(len(x_all), SEED, TEST_SIZE)
    classes, codes = np.unique(y_all[~test], return_inverse=True)
    kwargs = dict(tree_method="hist", n_jobs=THREADS)
    kwargs.update({peer_train.XGBOOST_NAMES.get(k, k): peer_train.parse_value(v)
                   for k, v in params.items()})
    model = xgboost.XGBClassifier(**kwargs)
    model.fit(x_all[~test], codes)
    predicted = classes[model.predict(x_all[test])]
    return {
        "file": os.path.basename(path), "params": params, "seed": SEED, "test_size": TEST_SIZE,
        "rows_train": int((~test).sum()), "rows_test": int(test.sum()),
        "classes": [int(c) for c in classes],
        "accuracy": float(np.mean(predicted == y_all[test])),
        "test_rows": [int(r) for r in np.flatnonzero(test)],
        "predictions": [int(p) for p in predicted],
    }


def split_checks():
    checks = []
    for seed, test_size, rows in ((42, 0.2, 100000), (7, 0.5, 50000), (123456789, 0.05, 20000)):
        test = np.flatnonzero(peer_train.test_row_mask(rows, seed, test_size))
        checks.append({"seed": seed, "test_size": test_size, "rows": rows,
                       "test_count": int(len(test)), "first_test_rows": [int(r) for r in test[:50]]})
    return checks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "xgboost"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    x, y = make_classification(n_samples=2500, n_features=10, n_informative=5, n_redundant=5,
                               random_state=1)
    binary = os.path.join(args.out, "binary.csv")
    write_csv(binary, x, y)

    x, y = make_classification(n_samples=2000, n_features=8, n_informative=5, n_redundant=2,
                               n_classes=4, n_clusters_per_class=1, random_state=2)
    multiclass = os.path.join(args.out, "multiclass.csv")
    write_csv(multiclass, x, np.array([2, 5, 7, 9])[y])  # labels that are not 0..C-1

    lossguide = {"grow_policy": "lossguide", "max_leaves": "31", "max_depth": "0",
                 "max_bin": "255", "learning_rate": "0.1"}
    expected = {
        "made_by": "bench/peers/make_xgboost_fixture.py",
        "xgboost_version": xgboost.__version__, "sklearn_version": sklearn.__version__,
        "cases": [reference(binary, {}), reference(binary, lossguide),
                  reference(multiclass, {})],
        "split_checks": split_checks(),
    }
    with open(os.path.join(args.out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    for case in expected["cases"]:
        print(f"{case['file']} {case['params']}: accuracy {case['accuracy']:.4f} "
              f"({case['rows_train']} train, {case['rows_test']} test)")


if __name__ == "__main__":
    main()
