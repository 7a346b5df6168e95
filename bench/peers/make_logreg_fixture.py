#!/usr/bin/python3
"""Parity fixtures for scaleml's logreg: small generated datasets and the coefficients that
scikit-learn's LogisticRegression reaches on them, solved to a tight tolerance (tol=1e-10,
max_iter=1000, solver newton-cg; see fit_to_optimum) so that its optimum, not its stopping
point, is what the tests compare with.

Features are rounded to float32 (what scaleml trains on) and written with 9 significant digits,
which round-trip float32 exactly; scikit-learn fits those same values in float64.

Usage: /usr/bin/python3 bench/peers/make_logreg_fixture.py [OUT_DIR]  (default tests/data/logreg)
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

# name, rows, features, classes, label values, LogisticRegression arguments
CASES = [
    ("binary", 1500, 10, 2, [0, 1], {}),
    ("binary_c01_nointercept", 1200, 6, 2, [0, 1], {"C": 0.1, "fit_intercept": False}),
    ("multiclass3", 1500, 8, 3, [0, 1, 2], {}),
    ("multiclass4_labels", 1200, 5, 4, [2, 5, 7, 11], {"C": 10.0}),
    ("ovr3", 1200, 6, 3, [0, 1, 2], {"multi_class": "ovr"}),
    # scikit-learn keeps only the second softmax vector for two classes (the first is its negative)
    ("binary_multinomial", 1000, 5, 2, [0, 1], {"multi_class": "multinomial"}),
]


def write_csv(path, X, y):
    names = [f"feature_{i}" for i in range(X.shape[1])]
    with open(path, "w") as out:
        out.write(",".join(names + ["target"]) + "\n")
        for row, label in zip(X, y):
            out.write(",".join("%.9g" % v for v in row) + ",%d\n" % label)


def objective_gradient(model, X, y, args):
    """Largest component of the gradient of the mean objective (sum of log-losses + 0.5 / C *
    ||w||^2, intercepts unpenalised) at the model's coefficients."""
    C = args.get("C", 1.0)
    fit_intercept = args.get("fit_intercept", True)
    W, b = model.coef_, model.intercept_
    if args.get("multi_class") == "multinomial" and W.shape[0] == 1:
        W, b = np.r_[-W, W], np.r_[-b, b]  # the two softmax vectors behind coef_
    Z = X @ W.T + b
    if Z.shape[1] == 1 or args.get("multi_class") == "ovr":
        Y = (y[:, None] == model.classes_[None, -Z.shape[1]:]).astype(float)
        R = 1.0 / (1.0 + np.exp(-Z)) - Y
    else:
        Y = (y[:, None] == model.classes_[None, :]).astype(float)
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        R = P / P.sum(axis=1, keepdims=True) - Y
    grad = R.T @ X + W / C
    if fit_intercept:
        grad = np.c_[grad, R.sum(axis=0)]
    return np.abs(grad).max() / len(y)


def fit_to_optimum(X, y, args):
    """LogisticRegression at its optimum (unique: the objective is strictly convex). With
    redundant (collinear) features the default lbfgs stops on its relative-decrease test (ftol)
    before tol=1e-10 takes effect, so the reference is scikit-learn's newton-cg at tol=1e-10,
    checked to have a vanishing gradient; lbfgs's answer is reported beside it."""
    model = LogisticRegression(tol=1e-10, max_iter=1000, solver="newton-cg", **args).fit(X, y)
    gradient = objective_gradient(model, X, y, args)
    if gradient > 1e-8:
        raise RuntimeError(f"newton-cg stopped with gradient {gradient}")
    lbfgs = LogisticRegression(tol=1e-10, max_iter=1000, **args).fit(X, y)
    gap = np.max(np.abs(lbfgs.coef_ - model.coef_)) / np.max(np.abs(model.coef_))
    print("  gradient at optimum %.1e; lbfgs(tol=1e-10) gradient %.1e, coef gap %.1e"
          % (gradient, objective_gradient(lbfgs, X, y, args), gap))
    return model


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "..", "tests", "data", "logreg")
    os.makedirs(out_dir, exist_ok=True)
    for seed, (name, rows, features, classes, labels, args) in enumerate(CASES):
        X, y = make_classification(n_samples=rows, n_features=features,
                                   n_informative=max(2, features // 2),
                                   n_redundant=features // 4, n_classes=classes,
                                   n_clusters_per_class=1, random_state=100 + seed)
        X = (X * 2.0 + 0.5).astype(np.float32)
        y = np.asarray(labels)[y]
        write_csv(os.path.join(out_dir, name + ".csv"), X, y)
        model = fit_to_optimum(X.astype(np.float64), y, args)
        proba = model.predict_proba(X[:20].astype(np.float64))
        expected = {
            "sklearn_version": sklearn.__version__,
            "params": {k: (v if not isinstance(v, bool) else ("true" if v else "false"))
                       for k, v in args.items()},
            "classes": [int(c) for c in model.classes_],
            "coef": model.coef_.tolist(),
            "intercept": model.intercept_.tolist(),
            "n_iter": int(np.max(model.n_iter_)),
            "proba_first_rows": proba.tolist(),
            "train_accuracy": float(model.score(X.astype(np.float64), y)),
        }
        with open(os.path.join(out_dir, name + ".expected.json"), "w") as out:
            json.dump(expected, out, indent=1)
            out.write("\n")
        print(name, "classes", expected["classes"], "n_iter", expected["n_iter"],
              "accuracy %.4f" % expected["train_accuracy"])


if __name__ == "__main__":
    main()
