#!/usr/bin/env python3
"""Is GBDTClassifier's accuracy gap to HistGradientBoostingClassifier seed noise or systematic?

    OMP_WAIT_POLICY=PASSIVE PYTHONPATH=build/python /usr/bin/python3 bench/gbdt_accuracy_study.py \
        --rows 1000000 --seeds 0 1 2 --threads 2

For each data seed: the paper's rows (make_classification with problem_per_chunk, as
bench/run_python_bench.py), --rows training rows and a quarter as many test rows after them (the
benchmark's split: the test rows come from the last chunks, one of which is not in the training
rows), then
  - scaleml's GBDTClassifier at its defaults (LightGBM's: 100 rounds, 31 leaves, 0.1, 255 bins,
    min_data_in_leaf 20, no l2, no early stopping) and with two other seeds (its bin sample);
  - HistGradientBoostingClassifier with the same settings and early_stopping=False (the
    benchmark's peer), with random_state 0 and 1 (its bin sample differs);
  - HistGradientBoostingClassifier at its defaults (early_stopping="auto": on above 10,000
    rows, 10% of the rows held out for validation, 10 rounds without improvement);
  - GBDTClassifier with early stopping as HGB's default (early_stopping_round=10,
    validation_fraction=0.1).
Prints one JSON line per model: seed, name, fit seconds, accuracy on all test rows, on the test
rows of a chunk seen in training ("seen") and of the chunk not seen ("unseen"). A study, not a
test.
"""

import argparse
import json
import time

import numpy as np
from threadpoolctl import threadpool_limits

import scaleml


def evaluate(name, seed, model, X, y, X_test, y_test, seen, results):
    start = time.perf_counter()
    model.fit(X, y)
    fit_s = time.perf_counter() - start
    predicted = model.predict(X_test)
    correct = predicted == y_test
    row = {
        "seed": seed,
        "model": name,
        "fit_s": round(fit_s, 3),
        "accuracy": float(correct.mean()),
        "seen": float(correct[seen].mean()),
        "unseen": float(correct[~seen].mean()) if (~seen).any() else None,
        "rounds": int(getattr(model, "n_iter_", 0)) or None,
    }
    print(json.dumps(row), flush=True)
    results.append(row)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=300000)
    parser.add_argument("--skip", nargs="*", default=[],
                        help="model names to leave out (see the JSON 'model' field)")
    args = parser.parse_args()
    from sklearn.ensemble import HistGradientBoostingClassifier

    t = args.threads
    same = dict(max_iter=100, max_leaf_nodes=31, learning_rate=0.1, min_samples_leaf=20,
                l2_regularization=0.0, max_bins=255)
    models = {
        "scaleml": lambda: scaleml.GBDTClassifier(n_jobs=t),
        "scaleml_seed1": lambda: scaleml.GBDTClassifier(seed=1, n_jobs=t),
        "scaleml_seed2": lambda: scaleml.GBDTClassifier(seed=2, n_jobs=t),
        "hgb": lambda: HistGradientBoostingClassifier(early_stopping=False, random_state=0,
                                                      **same),
        "hgb_rs1": lambda: HistGradientBoostingClassifier(early_stopping=False, random_state=1,
                                                          **same),
        "hgb_default": lambda: HistGradientBoostingClassifier(random_state=0),
        "scaleml_early_stop": lambda: scaleml.GBDTClassifier(early_stopping_round=10,
                                                             validation_fraction=0.1, n_jobs=t),
    }
    results = []
    test_rows = args.rows // 4
    for seed in args.seeds:
        X_all, y_all = scaleml.make_classification(
            args.rows + test_rows, problem_per_chunk=True, random_state=seed,
            chunk_size=args.chunk_size, n_jobs=t)
        X, y = np.asfortranarray(X_all[: args.rows]), y_all[: args.rows]
        X_test, y_test = np.asfortranarray(X_all[args.rows:]), y_all[args.rows:]
        # Test rows whose chunk (its own problem) has training rows too.
        seen = np.arange(args.rows, args.rows + test_rows) // args.chunk_size < -(
            -args.rows // args.chunk_size)
        with threadpool_limits(t):
            for name, make in models.items():
                if name not in args.skip:
                    evaluate(name, seed, make(), X, y, X_test, y_test, seen, results)
    by_model = {}
    for row in results:
        by_model.setdefault(row["model"], []).append(row["accuracy"])
    for name, values in by_model.items():
        print(f"{name:<20} mean accuracy {np.mean(values):.4f} over seeds {args.seeds}: "
              + " ".join(f"{v:.4f}" for v in values), flush=True)


if __name__ == "__main__":
    main()
