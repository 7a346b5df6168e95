"""scaleml.tune.run: an experiment on the tasks engine from this process (the C++ TuneRunner),
on a private local cluster started for the run, its trials as a DataFrame (Ray Tune's
ResultGrid)."""

import os
import shutil

import numpy as np
import pytest

import scaleml

needs_redis = pytest.mark.skipif(shutil.which("redis-server") is None,
                                 reason="redis-server is not installed")


@pytest.fixture
def private_home(tmp_path, monkeypatch):
    """No cluster of the machine's SCALEML_HOME is used: run() starts a local one."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("SCALEML_HOME", str(home))
    return home


@needs_redis
def test_tune_run_on_a_local_cluster(tmp_path, private_home, scaleml_binary):
    X, y = scaleml.make_classification(2000, random_state=1)
    results = scaleml.tune.run("logreg", (X, y), {"C": {"grid_search": [0.01, 1.0]}},
                               num_samples=1, metric="accuracy", mode="max", num_cpus=2,
                               storage=tmp_path / "exp", binary=scaleml_binary)
    assert len(results) == 2 and results.num_errors == 0
    frame = results.get_dataframe()
    assert sorted(frame["config/C"]) == [0.01, 1.0]
    assert (frame["status"] == "TERMINATED").all()
    assert frame["accuracy"].between(0.5, 1.0).all()
    best = results.get_best_result()
    assert best.metrics["accuracy"] == frame["accuracy"].max()
    assert best.config == results.best_config
    worst = results.get_best_result(metric="accuracy", mode="min")
    assert worst.metrics["accuracy"] == frame["accuracy"].min()
    assert (tmp_path / "exp" / "summary.json").is_file()
    # The local cluster is gone with the run: nothing left in the private home.
    assert not (private_home / "cluster.json").exists()


def test_tune_run_bad_input_is_a_value_error(tmp_path, private_home):
    with pytest.raises(ValueError, match="nope"):
        scaleml.tune.run("nope", tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="no such file"):
        scaleml.tune.run("logreg", tmp_path / "missing.csv")
