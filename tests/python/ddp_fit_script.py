"""One rank of tests/python/test_ddp.py, run by `scaleml launch`: fits on this rank's half of the
rows with engine="ddp" and saves what the model predicts for all rows to OUT/<algo>_rank<R>.npy.
usage: ddp_fit_script.py OUT"""

import sys

import numpy as np

import scaleml
from scaleml import _ddp

out = sys.argv[1]
X, y = scaleml.make_classification(4000, random_state=7)
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
print(f"rank {rank} of {size} done", flush=True)
