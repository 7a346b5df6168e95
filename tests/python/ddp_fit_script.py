"""One rank of tests/python/test_ddp.py, run by `scaleml launch`: fits on this rank's half of the
rows with engine="ddp" and saves what the model predicts for all rows to OUT/<algo>_rank<R>.npy.
usage: ddp_fit_script.py OUT"""

import sys

import numpy as np
import pandas as pd

import scaleml

ROWS = 4000


def mixed_frame(X):
    """A DataFrame of numeric, category and string columns whose dictionaries differ between the
    two ranks' halves: "aqua" only in the first half's rows, "ivory" only in the second's."""
    rows = np.arange(len(X))
    first_half = rows < ROWS // 2
    colors = np.array(["blue", "green", "red"])[(X[:, 4] > 0).astype(int) + (X[:, 5] > 1)]
    colors = np.where(first_half & (X[:, 4] < -1), "aqua", colors)
    colors = np.where(~first_half & (X[:, 4] > 1), "ivory", colors)
    size = np.where(X[:, 6] > 0.5, "big", np.where(X[:, 6] < -0.5, "small", None))
    frame = pd.DataFrame(X[:, :4], columns=["a", "b", "c", "d"])
    frame["color"] = pd.Categorical(colors)
    frame["size"] = pd.Series(size, dtype=object)
    return frame


def main(out):
    from scaleml import _ddp

    X, y = scaleml.make_classification(ROWS, random_state=7)
    rank, size = _ddp.rank(), _ddp.world_size()
    mine = np.array_split(np.arange(len(y)), size)[rank]
    X_mine, y_mine = np.asfortranarray(X[mine]), y[mine]
    labels = np.array(["no", "yes"])[y_mine]  # string labels: classes agreed across ranks
    estimators = {
        "gbdt": scaleml.GBDTClassifier(num_iterations=15, engine="ddp", n_jobs=1),
        "rf": scaleml.RandomForestClassifier(n_estimators=5, engine="ddp", n_jobs=1),
        "knn": scaleml.KNeighborsClassifier(engine="ddp", n_jobs=1),
    }
    for name, estimator in estimators.items():
        estimator.fit(X_mine, labels if name == "gbdt" else y_mine)
        np.save(f"{out}/{name}_rank{rank}.npy", estimator.predict_proba(X[:500]))
        if name == "gbdt":
            assert list(estimator.classes_) == ["no", "yes"], estimator.classes_
    # Category and string columns, string labels: every rank must code a value alike.
    frame = mixed_frame(X)
    gbdt = scaleml.GBDTClassifier(num_iterations=15, engine="ddp", n_jobs=1)
    gbdt.fit(frame.iloc[mine].reset_index(drop=True), labels)
    np.save(f"{out}/gbdt_frame_rank{rank}.npy", gbdt.predict_proba(frame.iloc[:500]))
    np.save(f"{out}/gbdt_frame_classes_rank{rank}.npy", gbdt.classes_)
    print(f"rank {rank} of {size} done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
