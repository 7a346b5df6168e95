#!/usr/bin/python3
"""Parity fixture for scaleml's random forest (rf) on categorical features: a small table whose
label depends on categories (and a little on numbers), and the test accuracy of scikit-learn 1.2's
RandomForestClassifier on its one-hot encoding (scikit-learn's forests have no native categorical
splits; one-hot is how its users feed them categories).

  /usr/bin/python3 bench/peers/make_forest_categorical_fixture.py [--out tests/data/forest]

Writes categorical.csv (cat_0..cat_2 as integer codes 0..K-1, num_0..num_2, target) and
categorical.expected.json. The C++ test (tests/unit/forest/ForestCategoricalTest.cc) reads the
codes and marks the cat_ columns categorical in the schema, so both sides see the same values.
The train/test split is scaleml's (see make_forest_fixture.py); the expected accuracy is the mean
over several random_states.
"""
import argparse
import json
import os

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.preprocessing import OneHotEncoder

from make_forest_fixture import is_test_row

N_ROWS = 4000
CATEGORIES = [8, 20, 40]  # per categorical column
N_NUMERIC = 3
N_ESTIMATORS = 50
RANDOM_STATES = list(range(10))
SEED = 5


def make_table(rng):
    cats = np.stack([rng.integers(0, k, N_ROWS) for k in CATEGORIES], axis=1)
    nums = np.round(rng.normal(size=(N_ROWS, N_NUMERIC)), 3).astype(np.float32)
    # Each category of the first two columns has its own effect, in no order of its code; the
    # third column is noise.
    effect0 = rng.normal(scale=1.5, size=CATEGORIES[0])
    effect1 = rng.normal(scale=1.5, size=CATEGORIES[1])
    logit = effect0[cats[:, 0]] + effect1[cats[:, 1]] + 0.8 * nums[:, 0]
    y = (logit + rng.logistic(scale=0.3, size=N_ROWS) > 0).astype(int)
    return cats, nums, y


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "tests",
                                                  "data", "forest"))
    args = ap.parse_args()
    rng = np.random.default_rng(SEED)
    cats, nums, y = make_table(rng)
    test = np.array([is_test_row(r) for r in range(N_ROWS)])
    names = [f"cat_{i}" for i in range(len(CATEGORIES))] + [f"num_{i}" for i in range(N_NUMERIC)]
    with open(os.path.join(args.out, "categorical.csv"), "w") as f:
        f.write(",".join(names) + ",target\n")
        for c, x, label in zip(cats, nums, y):
            f.write(",".join(str(v) for v in c) + "," +
                    ",".join(f"{v:.3f}" for v in x.astype(np.float64)) + f",{label}\n")
    onehot = OneHotEncoder(categories=[list(range(k)) for k in CATEGORIES]).fit(cats)
    X = np.hstack([onehot.transform(cats).toarray().astype(np.float32), nums])
    values = []
    for state in RANDOM_STATES:
        model = RandomForestClassifier(n_estimators=N_ESTIMATORS, random_state=state, n_jobs=2)
        model.fit(X[~test], y[~test])
        values.append(float((model.predict(X[test]) == y[test]).mean()))
    expected = {
        "generator": {"seed": SEED, "rows": N_ROWS, "categories": CATEGORIES,
                      "numeric": N_NUMERIC},
        "categorical_columns": [i for i in range(len(CATEGORIES))],
        "category_counts": CATEGORIES,
        "sklearn_version": sklearn.__version__,
        "estimator": "RandomForestClassifier on OneHotEncoder(cat_*) + num_* (defaults otherwise)",
        "split": {"seed": 42, "test_size": 0.2, "train_rows": int((~test).sum()),
                  "test_rows": int(test.sum())},
        "random_states": RANDOM_STATES,
        "accuracies": values,
        "n_estimators": N_ESTIMATORS,
        "mean_accuracy": float(np.mean(values)),
    }
    with open(os.path.join(args.out, "categorical.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(f"categorical: scikit-learn one-hot accuracy {expected['mean_accuracy']:.4f}")


if __name__ == "__main__":
    main()
