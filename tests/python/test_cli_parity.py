"""The Python package and the CLI are the same code: the same rows from the generator, the same
model from the same data and parameters, and model files that go both ways."""

import numpy as np
import pandas as pd
import pytest

import scaleml

PARAMS = {
    "gbdt": {"num_iterations": 15, "num_leaves": 15},
    "xgboost": {"n_estimators": 10, "max_depth": 4},
    "logreg": {"C": 0.5},
    "rf": {"n_estimators": 8, "random_state": 7},
    "knn": {"n_neighbors": 7},
}


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory, scaleml_binary):
    import subprocess

    path = tmp_path_factory.mktemp("parity") / "data.csv"
    subprocess.run([scaleml_binary, "generate", "--samples", "3000", "--seed", "5",
                    "--chunk-size", "1000", "--problem-per-chunk", "--out", str(path)],
                   check=True, capture_output=True)
    return path


def test_make_classification_is_scaleml_generate(csv_file):
    X, y = scaleml.make_classification(3000, random_state=5, chunk_size=1000,
                                       problem_per_chunk=True)
    assert X.dtype == np.float32 and X.flags.f_contiguous
    from_csv = pd.read_csv(csv_file)
    np.testing.assert_array_equal(X, from_csv.drop(columns="target").to_numpy(np.float32))
    np.testing.assert_array_equal(y, from_csv["target"].to_numpy())
    frame, target = scaleml.read_csv(csv_file, use_cache=False)
    assert list(frame.columns) == [f"feature_{i}" for i in range(10)]
    np.testing.assert_array_equal(frame.to_numpy(), X)
    np.testing.assert_array_equal(target.to_numpy(), y)


@pytest.mark.parametrize("algo", list(PARAMS))
def test_same_model_as_the_cli(algo, csv_file, tmp_path, run_cli):
    """CLI train --test-size 0 on the file and Python fit on the same rows give the same
    predictions; each side reads the other's model file."""
    params = PARAMS[algo]
    cli_model = tmp_path / "cli.model"
    args = ["train", "--algo", algo, "--data", csv_file, "--test-data", csv_file, "--threads", "2",
            "--no-cache", "--save-model", cli_model]
    for name, value in params.items():
        args += ["--param", f"{name}={value}"]
    run_cli(*args)

    X, y = scaleml.read_csv(csv_file, use_cache=False)
    estimator = scaleml.ESTIMATORS[algo](n_jobs=2, **params).fit(X, y)
    ours = estimator.predict_proba(X)

    loaded = scaleml.load_model(cli_model)
    assert type(loaded) is type(estimator)
    assert loaded.get_params() == estimator.set_params(n_jobs=None).get_params()
    np.testing.assert_array_equal(loaded.classes_, [0, 1])
    np.testing.assert_allclose(loaded.predict_proba(X.to_numpy()), ours, rtol=1e-6, atol=1e-7)

    # Python's model file, read by scaleml predict.
    py_model = tmp_path / "py.model"
    estimator.save_model(py_model)
    out = tmp_path / "pred.csv"
    run_cli("predict", "--model", py_model, "--data", csv_file, "--out", out, "--proba")
    predicted = pd.read_csv(out)
    np.testing.assert_allclose(predicted[["proba_0", "proba_1"]].to_numpy(), ours, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_array_equal(predicted["prediction"].to_numpy(), estimator.predict(X))


def test_load_model_into_an_estimator(csv_file, tmp_path, run_cli):
    model_path = tmp_path / "m.model"
    run_cli("train", "--algo", "logreg", "--data", csv_file, "--test-data", csv_file, "--no-cache",
            "--save-model", model_path)
    model = scaleml.LogisticRegression().load_model(model_path)
    assert model.coef_.shape == (1, 10)
    with pytest.raises(ValueError, match="logreg model, not gbdt"):
        scaleml.GBDTClassifier().load_model(model_path)
