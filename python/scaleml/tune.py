"""Hyperparameter search on scaleml's tasks engine (Ray Tune's model), first version: run()
runs `scaleml tune` as a subprocess and reads its summary.json into a DataFrame."""

import json
import os
import pathlib
import shutil
import subprocess
import tempfile

import pandas as pd


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
        raise FileNotFoundError("the scaleml CLI was not found: pass binary= or set SCALEML_BINARY")
    return found


class TuneResult:
    """summary.json of the experiment: `trials` (a DataFrame, one row per trial, its config
    flattened into config/NAME columns), `best` (trial_id, config, metric) and `summary`."""

    def __init__(self, summary, storage):
        self.summary = summary
        self.storage = storage
        self.best = summary.get("best")
        rows = []
        for trial in summary.get("trials", []):
            row = {k: v for k, v in trial.items() if k not in ("config", "result")}
            for name, value in trial.get("config", {}).items():
                row[f"config/{name}"] = value
            rows.append(row)
        self.trials = pd.DataFrame(rows)

    @property
    def best_config(self):
        return None if self.best is None else self.best["config"]


def run(algo, data, search_space=None, *, num_samples=1, cpus_per_trial=1, params=None,
        metric="accuracy", mode="max", storage=None, name=None, num_cpus=0, address="auto",
        test_size=None, seed=None, search_seed=None, binary=None, extra_args=()):
    """Runs `scaleml tune --algo ALGO --data DATA --search-space JSON ...` and returns a
    TuneResult. search_space uses the CLI's JSON ({"num_leaves": {"grid_search": [15, 31]}});
    params are constants (--param). storage: the experiment folder (a temporary one, removed
    afterwards, when None). A failed run raises RuntimeError with the CLI's message."""
    args = [_binary(binary), "tune", "--algo", algo, "--data", os.fspath(data),
            "--num-samples", str(num_samples), "--cpus-per-trial", str(cpus_per_trial),
            "--search-space", json.dumps(search_space or {}), "--metric", metric,
            "--mode", mode, "--address", address, "--num-cpus", str(num_cpus)]
    for key, value in (params or {}).items():
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        args += ["--param", f"{key}={text}"]
    for flag, value in (("--name", name), ("--test-size", test_size), ("--seed", seed),
                        ("--search-seed", search_seed)):
        if value is not None:
            args += [flag, str(value)]
    args += list(extra_args)
    temporary = storage is None
    folder = tempfile.mkdtemp(prefix="scaleml-tune-") if temporary else os.fspath(storage)
    try:
        result = subprocess.run(args + ["--storage", folder], capture_output=True, text=True)
        if result.returncode != 0:
            message = result.stderr.strip().splitlines()
            raise RuntimeError(message[-1] if message else f"scaleml tune failed ({result.returncode})")
        with open(os.path.join(folder, "summary.json")) as f:
            summary = json.load(f)
        return TuneResult(summary, None if temporary else folder)
    finally:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
