#!/usr/bin/python3
"""Parity fixtures for scaleml's knn: small generated train/test sets and the predictions of
scikit-learn's KNeighborsClassifier(algorithm='brute') on them.

Features are rounded to float32 (what scaleml computes on) and written with 9 significant digits,
which round-trip float32 exactly; scikit-learn works on those same values in float64. Test rows
whose k-th and (k+1)-th nearest training rows are at (nearly) the same distance are left out:
which of the tied rows is kept is arbitrary in scikit-learn (argpartition is not stable) and
float rounding decides it in scaleml.

Usage: /usr/bin/python3 bench/peers/make_knn_fixture.py [OUT_DIR]  (default tests/data/knn)
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.neighbors import KNeighborsClassifier

# name, train rows, test rows, features, classes, k, integer grid (many exact ties)
CASES = [
    ("multiclass3", 1500, 500, 6, 3, 5, False),
    ("binary_k7", 1200, 400, 10, 2, 7, False),
    ("grid_ties", 800, 300, 3, 3, 5, True),
]
# Relative gap between the k-th and (k+1)-th squared distances below which a row is excluded.
TIE_GAP = 1e-5


def write_csv(path, X, y):
    names = [f"feature_{i}" for i in range(X.shape[1])]
    with open(path, "w") as out:
        out.write(",".join(names + ["target"]) + "\n")
        for row, label in zip(X, y):
            out.write(",".join("%.9g" % v for v in row) + ",%d\n" % label)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "..", "tests", "data", "knn")
    os.makedirs(out_dir, exist_ok=True)
    for seed, (name, train_rows, test_rows, features, classes, k, grid) in enumerate(CASES):
        X, y = make_classification(n_samples=train_rows + test_rows, n_features=features,
                                   n_informative=features, n_redundant=0, n_classes=classes,
                                   n_clusters_per_class=1, random_state=200 + seed)
        if grid:
            X = np.round(X * 6.0)
        X = X.astype(np.float32)
        train_X, test_X = X[:train_rows], X[train_rows:]
        train_y, test_y = y[:train_rows], y[train_rows:]
        write_csv(os.path.join(out_dir, name + ".train.csv"), train_X, train_y)
        write_csv(os.path.join(out_dir, name + ".test.csv"), test_X, test_y)

        model = KNeighborsClassifier(n_neighbors=k, algorithm="brute")
        model.fit(train_X.astype(np.float64), train_y)
        predicted = model.predict(test_X.astype(np.float64))
        proba = model.predict_proba(test_X.astype(np.float64))

        diff = test_X.astype(np.float64)[:, None, :] - train_X.astype(np.float64)[None, :, :]
        squared = np.sort((diff * diff).sum(axis=2), axis=1)
        kth, next_ = squared[:, k - 1], squared[:, k]
        tied = (next_ - kth) <= TIE_GAP * next_
        rows = np.nonzero(~tied)[0]
        expected = {
            "sklearn_version": sklearn.__version__,
            "params": {"n_neighbors": str(k)},
            "classes": [int(c) for c in model.classes_],
            "rows": rows.tolist(),
            "predictions": [int(v) for v in predicted[rows]],
            "proba": np.round(proba[rows], 6).tolist(),
            "excluded_tied_rows": int(tied.sum()),
            "test_accuracy": float((predicted == test_y).mean()),
        }
        with open(os.path.join(out_dir, name + ".expected.json"), "w") as out:
            json.dump(expected, out)
            out.write("\n")
        print(name, "k", k, "rows kept", len(rows), "excluded", expected["excluded_tied_rows"],
              "accuracy %.4f" % expected["test_accuracy"])


if __name__ == "__main__":
    main()
