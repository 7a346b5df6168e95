"""engine="ddp" from Python: a script run by `scaleml launch` on 2 ranks, each fitting on its own
half of the rows, ends with the same model on both ranks, and (gbdt, rf: the trees depend only on
global row ids and exact histogram sums) the model one process fits on all the rows; also from a
DataFrame whose category and string columns hold different values on each rank."""

import os
import pathlib
import socket
import subprocess
import sys

import numpy as np
import pytest

import ddp_fit_script  # tests/python: the rank script's DataFrame
import scaleml

HERE = pathlib.Path(__file__).resolve().parent
GLOO = pathlib.Path(scaleml.__file__).resolve().parent / "libscaleml_gloo.so"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not GLOO.is_file(), reason="libscaleml_gloo.so (libtorch-dev) is not built")
def test_two_rank_fit_from_python(tmp_path, scaleml_binary):
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(scaleml.__file__).resolve().parents[1]),
               OMP_NUM_THREADS="1")
    result = subprocess.run(
        [scaleml_binary, "launch", "--nproc-per-node", "2", "--master-port", str(free_port()),
         "--timeout", "60", "--", sys.executable, str(HERE / "ddp_fit_script.py"), str(tmp_path)],
        env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("done") == 2

    X, y = scaleml.make_classification(4000, random_state=7)
    alone = {
        "gbdt": scaleml.GBDTClassifier(num_iterations=15, n_jobs=1),
        "rf": scaleml.RandomForestClassifier(n_estimators=5, n_jobs=1),
    }
    for name in ("gbdt", "rf", "knn"):
        rank0 = np.load(tmp_path / f"{name}_rank0.npy")
        rank1 = np.load(tmp_path / f"{name}_rank1.npy")
        np.testing.assert_array_equal(rank0, rank1, err_msg=f"{name}: the ranks' models differ")
        if name in alone:
            expected = alone[name].fit(X, y).predict_proba(X[:500])
            np.testing.assert_allclose(rank0, expected, atol=1e-6,
                                       err_msg=f"{name}: 2 ranks differ from one process")
    knn = scaleml.KNeighborsClassifier(n_jobs=1).fit(X, y).predict_proba(X[:500])
    np.testing.assert_array_equal(np.load(tmp_path / "knn_rank0.npy"), knn)

    # DataFrame with category and string columns whose values differ between the ranks: the
    # ranks agree on the dictionaries (and the string classes), so both hold the model of one
    # process fitting every row.
    frame = ddp_fit_script.mixed_frame(X)
    for part in ("gbdt_frame", "gbdt_frame_classes"):
        np.testing.assert_array_equal(np.load(tmp_path / f"{part}_rank0.npy", allow_pickle=True),
                                      np.load(tmp_path / f"{part}_rank1.npy", allow_pickle=True),
                                      err_msg=f"{part}: the ranks differ")
    alone = scaleml.GBDTClassifier(num_iterations=15, n_jobs=1)
    alone.fit(frame, np.array(["no", "yes"])[y])
    np.testing.assert_array_equal(np.load(tmp_path / "gbdt_frame_classes_rank0.npy",
                                          allow_pickle=True), alone.classes_)
    np.testing.assert_allclose(np.load(tmp_path / "gbdt_frame_rank0.npy"),
                               alone.predict_proba(frame.iloc[:500]), atol=1e-6,
                               err_msg="DataFrame: 2 ranks differ from one process")


def test_ddp_without_a_launcher_says_how_to_run(monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "LOCAL_RANK",
                 "OMPI_COMM_WORLD_RANK", "SLURM_PROCID"):
        monkeypatch.delenv(name, raising=False)
    X, y = scaleml.make_classification(200, random_state=1)
    with pytest.raises(ValueError, match="RANK|launch|torchrun"):
        scaleml.GBDTClassifier(engine="ddp").fit(X, y)


def test_unknown_engine_is_a_value_error():
    X, y = scaleml.make_classification(100, random_state=1)
    with pytest.raises(ValueError, match="engine"):
        scaleml.LogisticRegression(engine="tasks").fit(X, y)
