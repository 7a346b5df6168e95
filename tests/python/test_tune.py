"""scaleml.tune.run: `scaleml tune` on a local cluster, its summary.json as a DataFrame."""

import shutil

import pytest

import scaleml


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_tune_run_grid(tmp_path, run_cli, scaleml_binary):
    data = tmp_path / "data.csv"
    run_cli("generate", "--samples", "2000", "--seed", "1", "--out", data)
    result = scaleml.tune.run("logreg", data, {"C": {"grid_search": [0.1, 1.0]}},
                              num_cpus=2, storage=tmp_path / "exp", binary=scaleml_binary)
    assert len(result.trials) == 2
    assert sorted(result.trials["config/C"]) == [0.1, 1.0]
    assert (result.trials["status"] == "TERMINATED").all()
    assert result.best_config["C"] in (0.1, 1.0)
    assert result.trials["accuracy"].between(0.5, 1.0).all()


def test_tune_run_error_is_reported(tmp_path, scaleml_binary):
    with pytest.raises(RuntimeError, match="algorithm"):
        scaleml.tune.run("nope", tmp_path / "missing.csv", binary=scaleml_binary)
