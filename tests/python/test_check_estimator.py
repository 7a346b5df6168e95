"""scikit-learn's own estimator checks, for each of the five estimators."""

import pytest
from sklearn.utils.estimator_checks import check_estimator

import scaleml

ESTIMATORS = [
    scaleml.GBDTClassifier(),
    scaleml.XGBoostClassifier(),
    scaleml.LogisticRegression(),
    scaleml.RandomForestClassifier(n_estimators=10),
    scaleml.KNeighborsClassifier(),
]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_check_estimator(estimator):
    check_estimator(estimator)
