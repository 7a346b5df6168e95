#!/usr/bin/python3
"""Fixtures for scaleml's report metrics (src/engine/Metrics.h): predictions and the values
scikit-learn's metrics give on them.

  /usr/bin/python3 bench/peers/make_metrics_fixture.py [--out tests/data/metrics]

Each case NAME.json holds y_true (class indices 0..k-1), proba (row-major float32 values, written
exactly, so the C++ test reads the same floats), y_pred (the argmax, lowest index on ties, as
scaleml derives it) and sklearn's accuracy_score, log_loss (eps=1e-15, labels=range(k): scaleml
clips at 1e-15; sklearn 1.2's default eps is float64's machine epsilon), roc_auc_score (binary:
of column 1; more classes: multi_class='ovr', average='macro'), f1_score (binary: pos_label=1;
more classes: average='macro'), balanced_accuracy_score and confusion_matrix (labels=range(k)).

Cases: binary and 3-class predictions of varied quality, with probabilities 0 and 1 (clipping);
tied scores (probabilities on a grid of 1/8); a 3-class case whose class 2 is never predicted;
a binary case where every prediction is one class.
"""
import argparse
import json
import os

import numpy as np
import sklearn
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score,
                             log_loss, roc_auc_score)


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def noisy_proba(rng, y, k, strength):
    """Probabilities that favour the true class by `strength` (logits), as float32."""
    z = rng.normal(size=(len(y), k))
    z[np.arange(len(y)), y] += strength
    return softmax(z).astype(np.float32)


def case_binary(rng):
    y = rng.integers(0, 2, size=400)
    p = noisy_proba(rng, y, 2, 1.5)
    p[:5] = np.array([[1.0, 0.0]] * 5, dtype=np.float32)  # certain, right or wrong: clipping
    p[5:8] = np.array([[0.0, 1.0]] * 3, dtype=np.float32)
    return y, p


def case_multiclass3(rng):
    y = rng.integers(0, 3, size=450)
    p = noisy_proba(rng, y, 3, 1.2)
    p[:4] = np.array([[0.0, 0.0, 1.0]] * 4, dtype=np.float32)
    return y, p


def case_binary_ties(rng):
    y = rng.integers(0, 2, size=300)
    p1 = np.clip(np.round((0.5 + 0.25 * (2 * y - 1) + rng.normal(0, 0.25, size=len(y))) * 8) / 8,
                 0, 1).astype(np.float32)
    p = np.stack([(1 - p1).astype(np.float32), p1], axis=1)  # exact: p1 is a multiple of 1/8
    return y, p


def case_multiclass_ties(rng):
    y = rng.integers(0, 3, size=300)
    p = noisy_proba(rng, y, 3, 1.0)
    p = (np.round(p * 4) / 4).astype(np.float32)
    p[p.sum(axis=1) == 0] = np.float32(1 / 3)
    p = (p / p.sum(axis=1, keepdims=True)).astype(np.float32)
    return y, p


def case_class_never_predicted(rng):
    y = rng.integers(0, 3, size=300)
    p = noisy_proba(rng, y, 3, 1.5)
    p[:, 2] *= 0.05  # class 2 never wins
    p = (p / p.sum(axis=1, keepdims=True)).astype(np.float32)
    return y, p


def case_binary_one_prediction(rng):
    y = rng.integers(0, 2, size=200)
    p0 = rng.uniform(0.55, 0.95, size=len(y)).astype(np.float32)
    return y, np.stack([p0, (1 - p0).astype(np.float32)], axis=1)


CASES = {
    "binary": case_binary,
    "multiclass3": case_multiclass3,
    "binary_ties": case_binary_ties,
    "multiclass3_ties": case_multiclass_ties,
    "class_never_predicted": case_class_never_predicted,
    "binary_one_prediction": case_binary_one_prediction,
}


def expected(y, p):
    k = p.shape[1]
    y_pred = p.argmax(axis=1)
    labels = list(range(k))
    binary = k == 2
    return {
        "classes": k,
        "y_true": [int(v) for v in y],
        "proba": [float(v) for v in p.reshape(-1)],
        "y_pred": [int(v) for v in y_pred],
        "accuracy": float(accuracy_score(y, y_pred)),
        "logloss": float(log_loss(y, p.astype(np.float64), eps=1e-15, labels=labels)),
        "roc_auc": float(roc_auc_score(y, p[:, 1]) if binary else
                         roc_auc_score(y, p, multi_class="ovr", average="macro", labels=labels)),
        "f1": float(f1_score(y, y_pred, zero_division=0) if binary else
                    f1_score(y, y_pred, average="macro", zero_division=0)),
        "balanced_accuracy": float(balanced_accuracy_score(y, y_pred)),
        "confusion_matrix": confusion_matrix(y, y_pred, labels=labels).tolist(),
        "sklearn_version": sklearn.__version__,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "tests",
                                                  "data", "metrics"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for index, (name, make) in enumerate(CASES.items()):
        y, p = make(np.random.default_rng(100 + index))
        out = expected(y, p)
        with open(os.path.join(args.out, name + ".json"), "w") as f:
            json.dump(out, f)
            f.write("\n")
        print(name, {key: round(out[key], 6) for key in
                     ("accuracy", "logloss", "roc_auc", "f1", "balanced_accuracy")})


if __name__ == "__main__":
    main()
