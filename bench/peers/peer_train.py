#!/usr/bin/python3
"""The Python peer of `scaleml train`: the same train/evaluate on the same CSV with pandas,
scikit-learn and XGBoost's Python package, printing one JSON object on stdout with the fields of
`scaleml train --json`, so a benchmark can put both side by side.

  /usr/bin/python3 bench/peers/peer_train.py --algo gbdt|lightgbm|xgboost|logreg|rf|knn \
      --data FILE.csv [--test-size 0.2] [--seed 42] [--threads N] [--param k=v ...]

The test rows are chosen exactly as scaleml chooses them (src/data/TrainTestSplit.cc: a seeded
64-bit hash of each row's 0-based index), so both sides train and score the same rows.
Parameters take scaleml's names for the algorithm (LightGBM's for gbdt) where they differ from the
Python estimator's; any other name is passed to the estimator as is.
LightGBM is not packaged for this platform: gbdt runs scikit-learn's
HistGradientBoostingClassifier set up like LightGBM's defaults, and says so in "library".
"""
import argparse
import os
import resource
import sys
import time

ALGOS = ("gbdt", "lightgbm", "xgboost", "logreg", "rf", "knn")
MASK64 = (1 << 64) - 1


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--algo", required=True, choices=ALGOS)
    ap.add_argument("--data", required=True, help="CSV file with a header row")
    ap.add_argument("--target", default="target", help="label column")
    ap.add_argument("--test-size", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=0, help="0: every CPU this process may use")
    ap.add_argument("--param", action="append", default=[], metavar="K=V")
    args = ap.parse_args(argv)
    if not 0.0 <= args.test_size < 1.0:
        ap.error("--test-size must be in [0, 1)")
    if args.threads <= 0:
        args.threads = len(os.sched_getaffinity(0))
    params = {}
    for pair in args.param:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            ap.error(f"--param '{pair}': expected name=value")
        params[key] = parse_value(value)
    args.params = params
    return args


def parse_value(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "none":
        return None
    return text


# --- The split, bit for bit as src/core/Hash.h and src/data/TrainTestSplit.cc compute it. ---

def _mix64_scalar(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def _mix64(np, x):
    """SplitMix64's finaliser on a uint64 array (numpy's uint64 arithmetic wraps mod 2^64)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def test_row_mask(rows, seed, test_size):
    """True for the rows (0-based global indices 0..rows-1) that scaleml puts in the test set:
    HashToUnit(HashKey(seed, row, 0x7e57)) < test_size."""
    import numpy as np
    salt = np.uint64((0x7E57 * 0xD1342543DE82EF95) & MASK64)
    seed_mix = np.uint64(_mix64_scalar(seed & MASK64))
    with np.errstate(over="ignore"):
        h = _mix64(np, _mix64(np, seed_mix ^ np.arange(rows, dtype=np.uint64)) ^ salt)
    unit = (h >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
    return unit < test_size


# --- Estimators with the paper's defaults. ---

GBDT_NAMES = {  # LightGBM / scaleml gbdt name -> HistGradientBoostingClassifier's
    "num_iterations": "max_iter", "n_estimators": "max_iter", "num_boost_round": "max_iter",
    "num_leaves": "max_leaf_nodes", "min_data_in_leaf": "min_samples_leaf",
    "max_bin": "max_bins", "lambda_l2": "l2_regularization", "reg_lambda": "l2_regularization",
    "seed": "random_state",
}
XGBOOST_NAMES = {"eta": "learning_rate", "lambda": "reg_lambda", "alpha": "reg_alpha",
                 "seed": "random_state", "nthread": "n_jobs", "min_split_loss": "gamma",
                 "num_boost_round": "n_estimators", "num_round": "n_estimators"}
SKLEARN_NAMES = {"seed": "random_state", "k": "n_neighbors"}


def make_model(algo, params, threads):
    """Returns (estimator, library name, library version)."""
    if algo in ("gbdt", "lightgbm"):
        import sklearn
        from sklearn.ensemble import HistGradientBoostingClassifier
        kwargs = dict(max_iter=100, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=20,
                      max_bins=255, l2_regularization=0.0, max_depth=None, early_stopping=False)
        kwargs.update({GBDT_NAMES.get(k, k): v for k, v in params.items()})
        # LightGBM's max_bin counts the bin of missing values too; scikit-learn's cannot exceed 255.
        kwargs["max_bins"] = min(int(kwargs["max_bins"]), 255)
        return (HistGradientBoostingClassifier(**kwargs),
                "scikit-learn HistGradientBoostingClassifier (LightGBM not installed)",
                sklearn.__version__)
    if algo == "xgboost":
        import xgboost
        kwargs = dict(tree_method="hist", n_jobs=threads)
        kwargs.update({XGBOOST_NAMES.get(k, k): v for k, v in params.items()})
        if kwargs.get("objective") == "auto":
            del kwargs["objective"]
        return xgboost.XGBClassifier(**kwargs), "xgboost XGBClassifier", xgboost.__version__
    import sklearn
    kwargs = {SKLEARN_NAMES.get(k, k): v for k, v in params.items()}
    if algo == "logreg":
        from sklearn.linear_model import LogisticRegression
        return LogisticRegression(**kwargs), "scikit-learn LogisticRegression", sklearn.__version__
    if algo == "rf":
        from sklearn.ensemble import RandomForestClassifier
        kwargs = dict(dict(n_estimators=10, n_jobs=threads), **kwargs)
        return (RandomForestClassifier(**kwargs), "scikit-learn RandomForestClassifier",
                sklearn.__version__)
    from sklearn.neighbors import KNeighborsClassifier
    kwargs.pop("random_state", None)  # exact neighbours: nothing random
    kwargs = dict(dict(n_neighbors=5, n_jobs=threads), **kwargs)
    return KNeighborsClassifier(**kwargs), "scikit-learn KNeighborsClassifier", sklearn.__version__


def params_text(model):
    out = {}
    for key, value in sorted(model.get_params().items()):
        if value is None or isinstance(value, (bool, int, float, str)):
            out[key] = "none" if value is None else str(value).lower() if isinstance(
                value, bool) else str(value)
    return out


def limit_threads(threads):
    """Thread pools (OpenMP, BLAS) read these when numpy and the estimators load: call it first."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)


def load_split(args):
    """pandas.read_csv of the whole file, then scaleml's train/test split.
    Returns (x_train, x_test, y_train, y_test) as pandas frames and numpy label arrays."""
    import pandas as pd
    frame = pd.read_csv(args.data)
    if args.target not in frame.columns:
        sys.exit(f"{args.data}: no column '{args.target}'")
    y_all = frame[args.target].to_numpy()
    x_all = frame.drop(columns=[args.target])
    del frame
    test = test_row_mask(len(x_all), args.seed, args.test_size)
    return x_all[~test], x_all[test], y_all[~test], y_all[test]


def string_columns(frame):
    return [c for c in frame.columns if frame[c].dtype == object]


def with_categoricals(algo, model, frame):
    """The estimator set up for a table with string columns, as a user of each library would:
    gbdt: HistGradientBoosting's native categorical_features on ordinal codes (its limit is
    max_bins categories per column, 255; a column with more goes in as its ordinal code);
    xgboost: pandas category dtype with enable_categorical; the others: one-hot encoding of the
    string columns (sparse, unknown categories ignored) and mean imputation of the numeric ones."""
    import numpy as np
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
    strings = string_columns(frame)
    if not strings:
        return model
    numeric = [c for c in frame.columns if c not in strings]
    if algo in ("gbdt", "lightgbm"):
        encode = ColumnTransformer(
            [("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                    encoded_missing_value=np.nan), strings)],
            remainder="passthrough")
        max_bins = model.get_params()["max_bins"]
        native = [frame[c].nunique() <= max_bins for c in strings] + [False] * len(numeric)
        model.set_params(categorical_features=np.array(native))
        return make_pipeline(encode, model)
    if algo == "xgboost":
        model.set_params(enable_categorical=True)
        return model
    encode = ColumnTransformer(
        [("cat", OneHotEncoder(handle_unknown="ignore"), strings),
         ("num", SimpleImputer(strategy="mean"), numeric)])
    return make_pipeline(encode, model)


def as_categories(frame, strings):
    for c in strings:
        frame[c] = frame[c].astype("category")
    return frame


def fit_predict(model, x_train, y_train, x_test, y_test):
    """Fits and scores. Returns (fit_s, predict_s, accuracy, classes)."""
    import numpy as np
    # XGBClassifier wants labels 0..C-1; the others accept any, and the encoding is the same.
    classes, y_train_codes = np.unique(y_train, return_inverse=True)
    fit_start = time.perf_counter()
    model.fit(x_train, y_train_codes)
    fit_s = time.perf_counter() - fit_start
    predict_start = time.perf_counter()
    predicted = classes[np.asarray(model.predict(x_test)).astype(np.int64)]
    predict_s = time.perf_counter() - predict_start
    accuracy = float(np.mean(predicted == y_test)) if len(y_test) else float("nan")
    return fit_s, predict_s, accuracy, classes


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main(argv):
    args = parse_args(argv)
    limit_threads(args.threads)
    import json
    import pandas  # noqa: F401  (loaded before the clock starts)

    # Libraries load before the clock starts: total_s covers the work, as scaleml's does.
    model, library, version = make_model(args.algo, args.params, args.threads)
    start = time.perf_counter()
    x_train, x_test, y_train, y_test = load_split(args)
    strings = string_columns(x_train)
    if strings and args.algo == "xgboost":
        import pandas as pd
        x_all = as_categories(pd.concat([x_train, x_test]), strings)
        x_train, x_test = x_all.iloc[:len(x_train)], x_all.iloc[len(x_train):]
    load_s = time.perf_counter() - start
    model = with_categoricals(args.algo, model, x_train)
    fit_s, predict_s, accuracy, classes = fit_predict(model, x_train, y_train, x_test, y_test)
    total_s = time.perf_counter() - start

    record = {
        "algo": args.algo, "engine": "python", "library": library, "version": version,
        "data": args.data, "rows_train": int(len(y_train)), "rows_test": int(len(y_test)),
        "features": int(x_train.shape[1]), "classes": int(len(classes)), "accuracy": accuracy,
        "load_s": load_s, "fit_s": fit_s, "predict_s": predict_s, "total_s": total_s,
        "peak_rss_bytes": peak_rss_bytes(),
        "threads": args.threads, "test_size": args.test_size, "seed": args.seed,
        "params": params_text(model.steps[-1][1] if hasattr(model, "steps") else model),
    }
    print(json.dumps(record))


if __name__ == "__main__":
    main(sys.argv[1:])
