"""scaleml: scikit-learn classifiers over scaleml's C++ algorithms (the same code as the CLI).

    import scaleml
    X, y = scaleml.make_classification(100000)
    model = scaleml.GBDTClassifier(num_iterations=50).fit(X, y)
    model.predict_proba(X[:5])
"""

from . import _core
from ._core import __version__
from . import tune
from .data import make_classification, read_csv
from .estimators import (
    GBDTClassifier,
    KNeighborsClassifier,
    LogisticRegression,
    RandomForestClassifier,
    XGBoostClassifier,
)

ESTIMATORS = {
    "gbdt": GBDTClassifier,
    "xgboost": XGBoostClassifier,
    "logreg": LogisticRegression,
    "rf": RandomForestClassifier,
    "knn": KNeighborsClassifier,
}


def load_model(path):
    """The estimator of a model file written by `scaleml train --save-model` or save_model."""
    import os

    model = _core.Model.load(os.fspath(path))
    estimator = ESTIMATORS[model.name]()
    estimator._adopt(model)
    return estimator


def algorithms():
    """Every algorithm with its parameters, as `scaleml train --list-params` lists them."""
    return _core.algorithms()


__all__ = [
    "GBDTClassifier",
    "XGBoostClassifier",
    "LogisticRegression",
    "RandomForestClassifier",
    "KNeighborsClassifier",
    "read_csv",
    "make_classification",
    "load_model",
    "algorithms",
    "tune",
]
