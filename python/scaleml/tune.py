"""Hyperparameter search on scaleml's tasks engine, in Ray Tune's model.

    import scaleml
    results = scaleml.tune.run("gbdt", "data.csv", {"num_leaves": {"grid_search": [15, 31]}},
                               num_samples=2)
    results.get_best_result().config, results.get_dataframe()

run() drives the experiment from this process through the C++ TuneRunner (the CLI's `scaleml
tune`): the CSV is read once and put into the cluster's object store, each trial is a
`train_trial` task. With address=None it uses the cluster running on this machine, or starts a
private local one for the run and stops it afterwards (as ray.init() does); with "HOST:PORT" it
joins that cluster with its token.
"""

import contextlib
import json
import os
import pathlib
import shutil
import subprocess
import tempfile

import pandas as pd

from . import _core


def _binary(binary):
    if binary is not None:
        return os.fspath(binary)
    if os.environ.get("SCALEML_BINARY"):
        return os.environ["SCALEML_BINARY"]
    # The build tree's CLI next to build/python, then PATH.
    beside = pathlib.Path(__file__).resolve().parents[2] / "scaleml"
    if beside.is_file():
        return str(beside)
    found = shutil.which("scaleml")
    if found is None:
        raise FileNotFoundError("the scaleml CLI (to start a local cluster) was not found: pass "
                                "binary= or set SCALEML_BINARY, or give address=")
    return found


class Result:
    """One trial, as Ray Tune's Result: config, metrics (the train report's), and its error."""

    def __init__(self, trial):
        self.trial_id = trial.get("trial_id")
        self.status = trial.get("status")
        self.config = dict(trial.get("config", {}))
        self.metrics = dict(trial.get("result") or {})
        self.error = trial.get("error")

    def __repr__(self):
        return f"Result(trial_id={self.trial_id!r}, status={self.status!r}, config={self.config})"


class ResultGrid:
    """The trials of an experiment, as Ray Tune's ResultGrid: get_best_result(), get_dataframe(),
    indexing and len() over Result objects, errors; and the experiment's summary JSON."""

    def __init__(self, summary, storage=None):
        self.summary = summary
        self.storage = storage
        self.metric = summary.get("metric")
        self.mode = summary.get("mode")
        self._trials = summary.get("trials", [])
        self._results = [Result(t) for t in self._trials]

    def __len__(self):
        return len(self._results)

    def __getitem__(self, i):
        return self._results[i]

    def __iter__(self):
        return iter(self._results)

    @property
    def errors(self):
        return [r.error for r in self._results if r.status == "ERROR"]

    @property
    def num_errors(self):
        return len(self.errors)

    @property
    def num_terminated(self):
        return sum(r.status == "TERMINATED" for r in self._results)

    def get_best_result(self, metric=None, mode=None):
        """The finished trial with the best `metric` (default: the experiment's) under `mode`."""
        metric = metric or self.metric
        mode = mode or self.mode
        if mode not in ("max", "min"):
            raise ValueError(f"mode must be 'max' or 'min', not {mode!r}")
        finished = [r for r in self._results
                    if r.status == "TERMINATED" and r.metrics.get(metric) is not None]
        if not finished:
            raise RuntimeError(f"no trial finished with a {metric} result")
        pick = max if mode == "max" else min
        return pick(finished, key=lambda r: r.metrics[metric])

    def get_dataframe(self):
        """One row per trial: trial_id, status, node, time_s, the metrics, config/NAME columns."""
        rows = []
        for trial in self._trials:
            row = {k: v for k, v in trial.items() if k not in ("config", "result")}
            for name, value in trial.get("config", {}).items():
                row[f"config/{name}"] = value
            rows.append(row)
        return pd.DataFrame(rows)

    # The first version's names.
    @property
    def trials(self):
        return self.get_dataframe()

    @property
    def best(self):
        return self.summary.get("best")

    @property
    def best_config(self):
        best = self.best
        return None if best is None else best["config"]


# The first version's name for the results object.
TuneResult = ResultGrid


@contextlib.contextmanager
def _scaleml_home(path):
    old = os.environ.get("SCALEML_HOME")
    os.environ["SCALEML_HOME"] = path
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SCALEML_HOME", None)
        else:
            os.environ["SCALEML_HOME"] = old


@contextlib.contextmanager
def _local_cluster(binary, num_cpus):
    """A private cluster for one run (its own SCALEML_HOME), started by the CLI so that its
    agents are `scaleml` processes, and stopped however the run ends. Yields (address, token)."""
    home = tempfile.mkdtemp(prefix="scaleml_local_")
    env = dict(os.environ, SCALEML_HOME=home)
    try:
        with _scaleml_home(home):
            started = subprocess.run(
                [binary, "start", "--head", "--port", "0", "--num-cpus", str(num_cpus)],
                env=env, capture_output=True, text=True, timeout=120)
            if started.returncode != 0:
                lines = started.stderr.strip().splitlines()
                raise RuntimeError("could not start a local cluster: "
                                   + (lines[-1] if lines else f"exit {started.returncode}"))
            try:
                cluster = _core.running_cluster()
                if cluster is None:
                    raise RuntimeError("the local cluster started but wrote no cluster file")
                yield cluster
            finally:
                subprocess.run([binary, "stop"], env=env, capture_output=True, timeout=120)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _data_file(data, target, folder):
    """A CSV path for `data`: a path as it is; a DataFrame (with the target column) or an
    (X, y) pair written as CSV into `folder`."""
    if isinstance(data, (str, os.PathLike)):
        return os.fspath(data)
    if isinstance(data, tuple) and len(data) == 2:
        X, y = data
        frame = pd.DataFrame(X).copy()
        frame.columns = [str(c) for c in frame.columns]
        frame[target] = y
        data = frame
    if isinstance(data, pd.DataFrame):
        if target not in data.columns:
            raise ValueError(f"the DataFrame has no target column {target!r}")
        path = os.path.join(folder, "data.csv")
        data.to_csv(path, index=False)
        return path
    raise TypeError("data must be a CSV path, a DataFrame with the target column, or (X, y)")


def run(algo, data, search_space=None, *, num_samples=1, metric="accuracy", mode=None,
        address=None, token=None, cpus_per_trial=1, params=None, storage=None, name=None,
        num_cpus=0, test_size=0.2, seed=42, search_seed=0, cv=0, max_failures=0,
        target="target", verbose=False, binary=None):
    """Runs an experiment and returns its ResultGrid.

    algo: gbdt, xgboost, logreg, rf or knn. data: a CSV path, a DataFrame holding `target`, or
    (X, y). search_space: the CLI's JSON as a dict ({"C": {"grid_search": [0.1, 1.0]}},
    "choice", "uniform", "loguniform", "randint"), num_samples trials per grid point; params are
    constants. metric: accuracy, logloss, roc_auc, f1 or balanced_accuracy; mode max or min
    (default: the metric's). address: None (this machine's cluster, else a local one with
    num_cpus CPUs, 0 = all cores) or "HOST:PORT" with the cluster's token (default
    SCALEML_TOKEN). storage: an experiment folder to keep (summary.json, a folder per trial).
    Bad input is a ValueError, a failed run a RuntimeError (scaleml.Failure)."""
    options = _core.TuneOptions()
    options.algo = algo
    options.num_samples = int(num_samples)
    options.cpus_per_trial = int(cpus_per_trial)
    options.search_space = json.dumps(search_space or {})
    options.params = [f"{k}={_text(v)}" for k, v in (params or {}).items()]
    options.metric = metric
    options.mode = mode or ""
    options.storage = os.fspath(storage) if storage is not None else ""
    options.name = name or ""
    options.max_failures = int(max_failures)
    options.test_size = float(test_size)
    options.split_seed = int(seed)
    options.search_seed = int(search_seed)
    options.cv_folds = int(cv)
    options.target = target
    options.quiet = not verbose
    _check_algorithm(algo)
    with tempfile.TemporaryDirectory(prefix="scaleml-tune-") as folder:
        options.data_path = _data_file(data, target, folder)
        if not os.path.isfile(options.data_path):
            raise ValueError(f"tune: data {options.data_path}: no such file")
        if address is not None:
            options.address = address
            options.token = token if token is not None else os.environ.get("SCALEML_TOKEN", "")
            return ResultGrid(json.loads(_core.tune_run(options)), storage)
        running = _core.running_cluster()
        if running is not None:
            options.address, options.token = running
            return ResultGrid(json.loads(_core.tune_run(options)), storage)
        with _local_cluster(_binary(binary), int(num_cpus)) as (cluster_address, cluster_token):
            options.address, options.token = cluster_address, cluster_token
            return ResultGrid(json.loads(_core.tune_run(options)), storage)


def _check_algorithm(algo):
    """Bad input before any cluster starts: the runner's message for an unknown algorithm."""
    known = [name for a in _core.algorithms() for name in [a["name"], *a["aliases"]]]
    if algo not in known:
        raise ValueError(f"tune: unknown algorithm {algo!r}: use one of {', '.join(known)}")


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
