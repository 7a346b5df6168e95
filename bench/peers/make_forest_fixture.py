#!/usr/bin/python3
"""Parity fixtures for scaleml's random forest (rf): small make_classification datasets and the
test accuracy that scikit-learn's RandomForestClassifier reaches on them.

  /usr/bin/python3 bench/peers/make_forest_fixture.py [--out tests/data/forest]

For each dataset it writes NAME.csv (feature_0..feature_F-1,target; values rounded to 3 decimals
so the file stays small; both sides read the same float32 values) and NAME.expected.json. The
train/test split is scaleml's (src/data/TrainTestSplit.cc: a seeded 64-bit hash of each row's
0-based index, seed 42, test_size 0.2), so the C++ test trains and scores exactly these rows.
RandomForestClassifier's accuracy varies with random_state by about a point on data this small,
so the expected accuracy is the mean over several random_states (each value is kept too).
"""
import argparse
import json
import os

import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

MASK64 = (1 << 64) - 1
N_ESTIMATORS = 50
RANDOM_STATES = list(range(10))


def mix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def hash_key(seed, a, b=0):
    return mix64(mix64(mix64(seed) ^ a) ^ ((b * 0xD1342543DE82EF95) & MASK64))


def is_test_row(row, seed=42, test_size=0.2):
    return (hash_key(seed, row, 0x7E57) >> 11) * (1.0 / 9007199254740992.0) < test_size


DATASETS = {
    # The paper's problem (two classes, 5 informative and 5 redundant features, 1% flipped labels).
    "binary": dict(n_samples=6000, n_features=10, n_informative=5, n_redundant=5, n_classes=2,
                   random_state=7),
    "multiclass4": dict(n_samples=5000, n_features=8, n_informative=5, n_redundant=1,
                        n_classes=4, n_clusters_per_class=1, random_state=11),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "tests",
                                                  "data", "forest"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, spec in DATASETS.items():
        X, y = make_classification(**spec)
        X = np.round(X, 3).astype(np.float32)
        test = np.array([is_test_row(r) for r in range(len(y))])
        path = os.path.join(args.out, name + ".csv")
        with open(path, "w") as f:
            f.write(",".join(f"feature_{i}" for i in range(X.shape[1])) + ",target\n")
            for row, label in zip(X, y):
                f.write(",".join(f"{v:.3f}" for v in row.astype(np.float64)) + f",{label}\n")
        accuracies = {}
        for trees in (10, N_ESTIMATORS):
            values = []
            for state in RANDOM_STATES:
                model = RandomForestClassifier(n_estimators=trees, random_state=state, n_jobs=2)
                model.fit(X[~test], y[~test])
                values.append(float((model.predict(X[test]) == y[test]).mean()))
            accuracies[str(trees)] = values
        expected = {
            "generator": {"function": "make_classification", **spec},
            "sklearn_version": sklearn.__version__,
            "estimator": "RandomForestClassifier (defaults otherwise)",
            "split": {"seed": 42, "test_size": 0.2, "train_rows": int((~test).sum()),
                      "test_rows": int(test.sum())},
            "random_states": RANDOM_STATES,
            "accuracy_by_n_estimators": accuracies,
            "n_estimators": N_ESTIMATORS,
            "mean_accuracy": float(np.mean(accuracies[str(N_ESTIMATORS)])),
        }
        with open(os.path.join(args.out, name + ".expected.json"), "w") as f:
            json.dump(expected, f, indent=1)
            f.write("\n")
        print(name, "mean accuracy", expected["mean_accuracy"],
              "(10 trees:", float(np.mean(accuracies["10"])), ")")


if __name__ == "__main__":
    main()
