"""scikit-learn's own estimator checks, for each of the five estimators."""

import pytest
from sklearn.utils.estimator_checks import check_estimator

import scaleml

# One thread each: the checks fit hundreds of tiny models, and on a loaded machine OpenMP's
# spinning threads make XGBoost's take seconds each (17 s for 300 rows at load 17 on 2 cores).
ESTIMATORS = [
    scaleml.GBDTClassifier(n_jobs=1),
    scaleml.XGBoostClassifier(n_jobs=1),
    scaleml.LogisticRegression(n_jobs=1),
    scaleml.RandomForestClassifier(n_estimators=10, n_jobs=1),
    scaleml.KNeighborsClassifier(n_jobs=1),
]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_check_estimator(estimator):
    check_estimator(estimator)
