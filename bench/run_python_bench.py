#!/usr/bin/env python3
"""scaleml's Python estimators against scikit-learn's, from numpy arrays in memory, in one run.

    PYTHONPATH=build/python /usr/bin/python3 bench/run_python_bench.py --rows 1000000 --threads 2

Data: the paper's (scaleml.make_classification with problem_per_chunk, the rows of
`scaleml generate --problem-per-chunk`), --rows training rows plus a quarter as many test rows.
Both libraries get the same float32 arrays and the same thread count. Reports fit and
predict seconds, test accuracy and the speed-ups; then the overhead of predicting one row and
the Python fit against the CLI's own fit time (`scaleml train --test-size 0 --json`, fit_s) on the
same rows written as CSV. A benchmark, not a test: figures depend on the machine and its load.
"""

import argparse
import json
import os
import pathlib
import subprocess
import tempfile
import time
import timeit

import numpy as np
from threadpoolctl import threadpool_limits

import scaleml

ROOT = pathlib.Path(__file__).resolve().parents[1]


def timed(function, *args, repeat=1):
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def compare(name, ours, theirs, X, y, X_test, y_test, predict_rows=None, repeat=1):
    """Fit and predict of both libraries, interleaved (A B A B ... `repeat` times): each
    library's best fit and predict, so both saw the same spells of the host's load."""
    rows = {"scaleml": {}, "sklearn": {}}
    queries = X_test if predict_rows is None else X_test[:predict_rows]
    truth = y_test if predict_rows is None else y_test[:predict_rows]
    for _ in range(repeat):
        for label, model in (("scaleml", ours), ("sklearn", theirs)):
            fit_s, _ = timed(model.fit, X, y)
            predict_s, predicted = timed(model.predict, queries)
            row = rows[label]
            row["fit_s"] = min(row.get("fit_s", float("inf")), fit_s)
            row["predict_s"] = min(row.get("predict_s", float("inf")), predict_s)
            row["accuracy"] = float(np.mean(predicted == truth))
    rows["load"] = os.getloadavg()[0]
    rows["speedup_fit"] = rows["sklearn"]["fit_s"] / rows["scaleml"]["fit_s"]
    total = {k: rows[k]["fit_s"] + rows[k]["predict_s"] for k in ("scaleml", "sklearn")}
    rows["speedup_fit_predict"] = total["sklearn"] / total["scaleml"]
    print(f"{name:<22} scaleml fit {rows['scaleml']['fit_s']:8.3f}s predict "
          f"{rows['scaleml']['predict_s']:8.3f}s acc {rows['scaleml']['accuracy']:.4f} | sklearn fit "
          f"{rows['sklearn']['fit_s']:8.3f}s predict {rows['sklearn']['predict_s']:8.3f}s acc "
          f"{rows['sklearn']['accuracy']:.4f} | fit x{rows['speedup_fit']:.1f}, fit+predict "
          f"x{rows['speedup_fit_predict']:.1f} (load {rows['load']:.1f})", flush=True)
    return rows


def one_row_overhead(model, X, number=10000):
    """Seconds per predict() of one row: the best of 3 timeit runs of `number` calls."""
    row = np.asfortranarray(X[:1])
    model.predict(row)
    return min(timeit.repeat(lambda: model.predict(row), number=number, repeat=3)) / number


def cli_fit_seconds(binary, csv, test_csv, algo, params, threads):
    # --test-data: the CLI trains on every row of csv (as the Python fit does).
    args = [binary, "train", "--algo", algo, "--data", csv, "--test-data", test_csv, "--threads",
            str(threads), "--json"]
    for name, value in params.items():
        args += ["--param", f"{name}={value}"]
    report = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    return report["fit_s"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--knn-queries", type=int, default=20000,
                        help="test rows the k-NN comparison predicts (sklearn's is slow)")
    parser.add_argument("--binary", default=str(ROOT / "build" / "scaleml"))
    parser.add_argument("--skip", nargs="*", default=[], help="gbdt rf knn logreg one-row cli")
    parser.add_argument("--cli-algos", nargs="*", default=["gbdt", "logreg", "rf"],
                        help="the algorithms of the fit-against-the-CLI comparison")
    parser.add_argument("--repeat", type=int, default=1,
                        help="interleaved runs of each comparison (A B A B ...): the best of each")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()

    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    test_rows = args.rows // 4
    X_all, y_all = scaleml.make_classification(args.rows + test_rows, problem_per_chunk=True,
                                               random_state=0, n_jobs=args.threads)
    X, y = np.asfortranarray(X_all[: args.rows]), y_all[: args.rows]
    X_test, y_test = np.asfortranarray(X_all[args.rows:]), y_all[args.rows:]
    t = args.threads
    print(f"{args.rows} training rows, {test_rows} test rows, 10 features, {t} threads", flush=True)
    results = {"rows": args.rows, "threads": t}
    with threadpool_limits(t):
        if "gbdt" not in args.skip:
            # Equal settings: 100 rounds, 31 leaves, learning rate 0.1, 255 bins, no early stop.
            results["gbdt"] = compare(
                "GBDT vs HistGB", scaleml.GBDTClassifier(n_jobs=t),
                HistGradientBoostingClassifier(max_iter=100, max_leaf_nodes=31,
                                               learning_rate=0.1, early_stopping=False),
                X, y, X_test, y_test, repeat=args.repeat)
        if "rf" not in args.skip:
            results["rf"] = compare(
                "RandomForest 10 trees", scaleml.RandomForestClassifier(n_estimators=10, n_jobs=t),
                RandomForestClassifier(n_estimators=10, n_jobs=t, random_state=0),
                X, y, X_test, y_test, repeat=args.repeat)
        if "knn" not in args.skip:
            results["knn"] = compare(
                "KNeighbors (k=5)", scaleml.KNeighborsClassifier(n_jobs=t),
                KNeighborsClassifier(n_jobs=t), X, y, X_test, y_test,
                predict_rows=args.knn_queries, repeat=args.repeat)
        if "logreg" not in args.skip:
            results["logreg"] = compare(
                "LogisticRegression", scaleml.LogisticRegression(n_jobs=t),
                LogisticRegression(), X, y, X_test, y_test, repeat=args.repeat)

        # Models of the default parameters on 100,000 rows (rf: 10 trees), n_jobs as above.
        results["predict_one_row_us"] = {}
        for algo, cls in scaleml.ESTIMATORS.items():
            if "one-row" in args.skip:
                break
            params = {"n_estimators": 10} if algo == "rf" else {}
            model = cls(n_jobs=t, **params).fit(X[:100000], y[:100000])
            overhead = one_row_overhead(model, X_test)
            results["predict_one_row_us"][algo] = overhead * 1e6
            print(f"predict one row ({algo}, n_jobs={t}, timeit 10,000 calls): "
                  f"{overhead * 1e6:.1f} us", flush=True)

        if "cli" not in args.skip and os.path.exists(args.binary):
            with tempfile.TemporaryDirectory() as directory:
                csv = os.path.join(directory, "data.csv")
                subprocess.run([args.binary, "generate", "--samples", str(args.rows),
                                "--problem-per-chunk", "--seed", "0", "--out", csv],
                               check=True, capture_output=True)
                test_csv = os.path.join(directory, "test.csv")
                subprocess.run([args.binary, "generate", "--samples", "1000", "--seed", "1",
                                "--out", test_csv], check=True, capture_output=True)
                X_csv, y_csv = scaleml.read_csv(csv, use_cache=False)
                X_csv = np.asfortranarray(X_csv.to_numpy())
                y_csv = y_csv.to_numpy()
                for algo in args.cli_algos:
                    params = {"n_estimators": 10} if algo == "rf" else {}
                    estimator = scaleml.ESTIMATORS[algo](n_jobs=t, **params)
                    cli, python = float("inf"), float("inf")
                    for _ in range(max(2, args.repeat)):  # interleaved: CLI, Python, CLI, ...
                        cli = min(cli, cli_fit_seconds(args.binary, csv, test_csv, algo, params, t))
                        python = min(python, timed(estimator.fit, X_csv, y_csv)[0])
                    results[f"cli_{algo}"] = {"cli_fit_s": cli, "python_fit_s": python,
                                              "ratio": python / cli}
                    print(f"{algo} fit: CLI {cli:.3f}s, Python from numpy {python:.3f}s "
                          f"({(python / cli - 1) * 100:+.1f}%, load {os.getloadavg()[0]:.1f})",
                          flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
