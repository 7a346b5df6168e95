#!/usr/bin/python3
"""Makes the gbdt parity fixtures in tests/data/gbdt/.

Two small make_classification problems (the paper's shape: 10 features, 5 informative, 5
redundant), written with 4 significant digits. The first 80% of the rows of each file train and
the last 20% test. The reference accuracy is scikit-learn's HistGradientBoostingClassifier with
LightGBM's defaults (the same algorithm family: histogram bins, leaf-wise growth to 31 leaves),
trained on the values as read back from the CSV, so both sides see identical numbers.

Run with Debian's Python (scikit-learn 1.2.1): /usr/bin/python3 bench/peers/make_gbdt_fixture.py
"""
import os
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data", "gbdt")

CASES = [
    # name, rows, classes, seed
    ("binary", 8000, 2, 17),
    ("multiclass", 6000, 3, 23),
]


def reference_accuracy(frame):
    x = frame.drop(columns=["target"]).to_numpy(dtype=np.float32)
    y = frame["target"].to_numpy()
    n_train = len(frame) * 8 // 10
    model = HistGradientBoostingClassifier(max_leaf_nodes=31, max_iter=100, learning_rate=0.1,
                                           max_bins=255, early_stopping=False,
                                           min_samples_leaf=20, l2_regularization=0.0,
                                           random_state=0)
    model.fit(x[:n_train], y[:n_train])
    return float((model.predict(x[n_train:]) == y[n_train:]).mean())


def main():
    os.makedirs(OUT, exist_ok=True)
    lines = [f"# scikit-learn {sklearn.__version__} HistGradientBoostingClassifier test accuracy",
             "# (train: first 80% of rows, test: the rest); made by bench/peers/make_gbdt_fixture.py"]
    for name, rows, classes, seed in CASES:
        x, y = make_classification(n_samples=rows, n_features=10, n_informative=5,
                                   n_redundant=5, n_classes=classes, random_state=seed)
        frame = pd.DataFrame(x, columns=[f"feature_{i}" for i in range(10)])
        frame["target"] = y
        path = os.path.join(OUT, f"{name}.csv")
        frame.to_csv(path, index=False, float_format="%.4g")
        accuracy = reference_accuracy(pd.read_csv(path))
        lines.append(f"{name} {accuracy:.6f}")
        print(f"{name}: {rows} rows, {classes} classes, reference accuracy {accuracy:.4f}",
              file=sys.stderr)
    with open(os.path.join(OUT, "expected_accuracy.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
