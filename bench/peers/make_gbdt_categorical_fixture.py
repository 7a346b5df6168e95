#!/usr/bin/python3
"""Makes the gbdt categorical parity fixture in tests/data/gbdt/.

A small table with two categorical features (cat_a: 30 categories whose effects on the label are
not monotone in the code, about 5% missing; cat_b: 3 categories, the one-vs-rest path) and two
numeric ones (num_1 about 10% missing). Categories are written as their codes 0..K-1 (the index
into the sorted dictionary c00, c01, ... that the test gives the schema); missing values are
empty fields. The first 80% of the rows train and the last 20% test. The reference accuracy is
scikit-learn's HistGradientBoostingClassifier(categorical_features=...) with LightGBM's defaults,
trained on the values as read back from the CSV.

Run with Debian's Python (scikit-learn 1.2.1):
  /usr/bin/python3 bench/peers/make_gbdt_categorical_fixture.py
"""
import os
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data", "gbdt")
ROWS = 8000
SEED = 5


def make_table(rng):
    effect_a = rng.normal(0.0, 1.5, size=30)
    effect_b = np.array([0.8, -0.8, 0.0])
    cat_a = rng.integers(0, 30, size=ROWS).astype(float)
    cat_b = rng.integers(0, 3, size=ROWS).astype(float)
    num_0 = rng.normal(size=ROWS)
    num_1 = rng.normal(size=ROWS)
    logit = (effect_a[cat_a.astype(int)] + effect_b[cat_b.astype(int)] + 0.8 * num_0 +
             0.5 * num_1 + rng.logistic(size=ROWS) * 0.5)
    target = (logit > 0).astype(int)
    cat_a[rng.random(ROWS) < 0.05] = np.nan
    num_1[rng.random(ROWS) < 0.10] = np.nan
    return pd.DataFrame({"cat_a": cat_a, "cat_b": cat_b, "num_0": num_0, "num_1": num_1,
                         "target": target})


def reference_accuracy(frame):
    x = frame.drop(columns=["target"]).to_numpy(dtype=np.float32)
    y = frame["target"].to_numpy()
    n_train = len(frame) * 8 // 10
    model = HistGradientBoostingClassifier(max_leaf_nodes=31, max_iter=100, learning_rate=0.1,
                                           max_bins=255, early_stopping=False,
                                           min_samples_leaf=20, l2_regularization=0.0,
                                           categorical_features=[True, True, False, False],
                                           random_state=0)
    model.fit(x[:n_train], y[:n_train])
    return float((model.predict(x[n_train:]) == y[n_train:]).mean())


def main():
    os.makedirs(OUT, exist_ok=True)
    frame = make_table(np.random.default_rng(SEED))
    path = os.path.join(OUT, "categorical.csv")
    frame.to_csv(path, index=False, float_format="%.4g")
    accuracy = reference_accuracy(pd.read_csv(path))
    with open(os.path.join(OUT, "categorical_accuracy.txt"), "w") as f:
        f.write(f"# scikit-learn {sklearn.__version__} HistGradientBoostingClassifier"
                "(categorical_features=[cat_a, cat_b]) test accuracy\n"
                "# (train: first 80% of rows, test: the rest); made by "
                "bench/peers/make_gbdt_categorical_fixture.py\n"
                f"categorical {accuracy:.6f}\n")
    print(f"categorical: {ROWS} rows, reference accuracy {accuracy:.4f}", file=sys.stderr)


if __name__ == "__main__":
    main()
