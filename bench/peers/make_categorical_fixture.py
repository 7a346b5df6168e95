#!/usr/bin/python3
"""Parity fixtures for scaleml's encoding of categorical features and missing values in logreg
and knn (src/algo/FeatureEncoder.h): a small table with numeric and categorical columns, both with
missing values, and what scikit-learn computes on it with the same preprocessing:

  logreg: Pipeline(ColumnTransformer([SimpleImputer(strategy="mean") on the numeric columns,
          OneHotEncoder(handle_unknown="ignore", min_frequency=M) on the categorical ones]),
          LogisticRegression) solved to its optimum (newton-cg, tol=1e-10);
  knn:    the same, with StandardScaler after the imputer (scaleml's knn standardises numeric
          columns when the table has categorical features), then KNeighborsClassifier;
  xgboost: XGBClassifier(enable_categorical=True, tree_method="hist") on a pandas frame whose
          categorical columns have the dictionaries as categories (the same codes as scaleml's).

scaleml treats a missing category as all zeros and the categories the training rows never hold
as unknown. OneHotEncoder's own default makes NaN a category, so the encoder gets the training
rows' categories explicitly (missing and test-only values are then unknown: all zeros).

The CSV files hold category codes (index in the sorted dictionary of every value of both files,
as scaleml's reader codes them; empty = missing); expected.json has the dictionaries.

Usage: /usr/bin/python3 bench/peers/make_categorical_fixture.py [OUT_DIR]
       (default tests/data/categorical)
"""
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
import xgboost

NUMERIC = ["num_0", "num_1", "num_2"]
CATEGORICAL = ["colour", "city"]
MIN_FREQUENCY = 8
TRAIN_ROWS, TEST_ROWS = 500, 200


def make_table(rng):
    rows = TRAIN_ROWS + TEST_ROWS
    # Skewed colours: the last two are rare (pooled by min_frequency), "violet" only in test rows.
    colours = np.array(["blue", "green", "orange", "red", "teal", "umber"])
    colour = rng.choice(colours, size=rows, p=[0.35, 0.25, 0.2, 0.16, 0.02, 0.02]).astype(object)
    colour[TRAIN_ROWS + rng.choice(TEST_ROWS, 6, replace=False)] = "violet"
    city = rng.choice(np.array(["lima", "oslo", "pune"]), size=rows).astype(object)
    X_num = rng.normal(size=(rows, 3)) * np.array([1.0, 5.0, 0.2]) + np.array([0.0, 10.0, -1.0])
    X_num = X_num.astype(np.float32).astype(np.float64)
    effect = {"blue": -1.0, "green": 0.5, "orange": 1.5, "red": -0.5, "teal": 2.0, "umber": 1.0,
              "violet": 0.0}
    city_effect = {"lima": 0.8, "oslo": -0.8, "pune": 0.0}
    score = (X_num[:, 0] + 0.2 * (X_num[:, 1] - 10) + np.array([effect[c] for c in colour])
             + np.array([city_effect[c] for c in city]))
    y = np.digitize(score + rng.normal(scale=0.7, size=rows), [-0.6, 0.9])  # 3 classes
    # Missing values: 8% of numeric cells, 6% of categorical ones.
    X_num[rng.random(X_num.shape) < 0.08] = np.nan
    colour[rng.random(rows) < 0.06] = None
    city[rng.random(rows) < 0.06] = None
    return X_num, colour, city, y


def write_csv(path, X_num, cats, dictionaries, y):
    with open(path, "w") as out:
        out.write(",".join(NUMERIC + CATEGORICAL + ["target"]) + "\n")
        for r in range(len(y)):
            fields = ["" if np.isnan(v) else "%.9g" % v for v in X_num[r]]
            for values, dictionary in zip(cats, dictionaries):
                v = values[r]
                fields.append("" if v is None else str(dictionary.index(v)))
            out.write(",".join(fields) + ",%d\n" % y[r])


def frame(X_num, cats):
    X = np.empty((len(X_num), len(NUMERIC) + len(CATEGORICAL)), dtype=object)
    X[:, :len(NUMERIC)] = X_num
    for i, values in enumerate(cats):
        X[:, len(NUMERIC) + i] = [np.nan if v is None else v for v in values]
    return X


def preprocess(train_cats, scale):
    numeric = [SimpleImputer(strategy="mean")] + ([StandardScaler()] if scale else [])
    categories = [sorted({v for v in values if v is not None}) for values in train_cats]
    onehot = OneHotEncoder(categories=categories, handle_unknown="ignore",
                           min_frequency=MIN_FREQUENCY, sparse_output=False)
    n = len(NUMERIC)
    return ColumnTransformer([("num", make_pipeline(*numeric), list(range(n))),
                              ("cat", onehot, list(range(n, n + len(CATEGORICAL))))])


XGBOOST_PARAMS = {"n_estimators": 20, "max_depth": 3, "tree_method": "hist", "nthread": 1}


def xgboost_frame(X_num, cats, dictionaries):
    frame = pd.DataFrame(X_num.astype(np.float32), columns=NUMERIC)
    for name, values, dictionary in zip(CATEGORICAL, cats, dictionaries):
        frame[name] = pd.Categorical([np.nan if v is None else v for v in values],
                                     categories=dictionary)
    return frame


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "..", "tests", "data", "categorical")
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(2026)
    X_num, colour, city, y = make_table(rng)
    cats = [colour, city]
    dictionaries = [sorted({v for v in values if v is not None}) for values in cats]
    tr, te = slice(0, TRAIN_ROWS), slice(TRAIN_ROWS, None)
    write_csv(os.path.join(out_dir, "mixed.train.csv"), X_num[tr], [c[tr] for c in cats],
              dictionaries, y[tr])
    write_csv(os.path.join(out_dir, "mixed.test.csv"), X_num[te], [c[te] for c in cats],
              dictionaries, y[te])
    X_train, X_test = frame(X_num[tr], [c[tr] for c in cats]), frame(X_num[te], [c[te] for c in cats])

    logreg = Pipeline([("pre", preprocess([c[tr] for c in cats], scale=False)),
                       ("model", LogisticRegression(tol=1e-10, max_iter=1000, solver="newton-cg"))])
    with warnings.catch_warnings():
        # newton-cg's own stopping test is stricter than tol; its gradient here is ~1e-12.
        warnings.simplefilter("ignore")
        logreg.fit(X_train, y[tr])
    encoded = logreg.named_steps["pre"].transform(X_train)
    # A missing category is all zeros in its block (the explicit categories make it unknown).
    assert encoded.shape[1] == 3 + 5 + 3, encoded.shape  # 4 frequent colours + infrequent, 3 cities
    knn = Pipeline([("pre", preprocess([c[tr] for c in cats], scale=True)),
                    ("model", KNeighborsClassifier(n_neighbors=5))])
    knn.fit(X_train, y[tr])
    train_cats, test_cats = [c[tr] for c in cats], [c[te] for c in cats]
    xgb = xgboost.XGBClassifier(enable_categorical=True, **XGBOOST_PARAMS)
    xgb.fit(xgboost_frame(X_num[tr], train_cats, dictionaries), y[tr])
    xgb_test = xgboost_frame(X_num[te], test_cats, dictionaries)
    onehot = logreg.named_steps["pre"].named_transformers_["cat"]
    expected = {
        "sklearn_version": sklearn.__version__,
        "numeric": NUMERIC,
        "categorical": CATEGORICAL,
        "dictionaries": dictionaries,
        "classes": [0, 1, 2],
        "min_frequency": MIN_FREQUENCY,
        "encoded_columns": [str(n) for n in logreg.named_steps["pre"].get_feature_names_out()],
        "infrequent": [[str(v) for v in (c if c is not None else [])]
                       for c in onehot.infrequent_categories_],
        "logreg": {
            "coef": logreg.named_steps["model"].coef_.tolist(),
            "intercept": logreg.named_steps["model"].intercept_.tolist(),
            "test_proba": logreg.predict_proba(X_test).tolist(),
            "test_predictions": logreg.predict(X_test).tolist(),
        },
        "xgboost": {
            "xgboost_version": xgboost.__version__,
            "params": {k: v for k, v in XGBOOST_PARAMS.items()},
            "test_proba": xgb.predict_proba(xgb_test).tolist(),
            "test_predictions": xgb.predict(xgb_test).tolist(),
        },
        "knn": {
            "n_neighbors": 5,
            "test_proba": knn.predict_proba(X_test).tolist(),
            "test_predictions": knn.predict(X_test).tolist(),
        },
    }
    with open(os.path.join(out_dir, "mixed.expected.json"), "w") as out:
        json.dump(expected, out, indent=1)
        out.write("\n")
    print("mixed: %d train, %d test rows, %d encoded columns, test accuracy logreg %.3f, knn %.3f, "
          "xgboost %.3f" % (TRAIN_ROWS, TEST_ROWS, encoded.shape[1],
                            (logreg.predict(X_test) == y[te]).mean(),
                            (knn.predict(X_test) == y[te]).mean(),
                            (xgb.predict(xgb_test) == y[te]).mean()))


if __name__ == "__main__":
    main()
