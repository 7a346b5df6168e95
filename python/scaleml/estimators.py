"""The five scikit-learn classifiers over scaleml's C++ algorithms.

Parameter names and defaults are those of `scaleml train --algo ALGO --list-params` (LightGBM's
for GBDTClassifier, XGBoost's for XGBoostClassifier, scikit-learn's for the others); each is
passed to C++ as `--param name=value`. n_jobs is the thread count (None or -1: all cores, as the
CLI's --threads 0). engine="ddp" trains one model across the ranks of a `scaleml launch` or
torchrun group, each rank fitting on its own rows (every rank ends with the same model).
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import ScalemlClassifier


def _split_importances(estimator):
    """Split counts per source column, normalised to sum to 1 (zeros when no tree split)."""
    features = len(estimator._model_feature_sources())
    counts = np.asarray(estimator._model.split_counts(features), dtype=np.float64)
    if counts.size == 0:
        raise AttributeError(
            f"{type(estimator).__name__}: this model exposes no trees to count splits in"
        )
    sources = estimator._model_feature_sources()
    per_column = np.zeros(sources.max() + 1 if sources.size else 0, dtype=np.float64)
    np.add.at(per_column, sources, counts)
    total = per_column.sum()
    return per_column / total if total > 0 else per_column


class _TreeImportances:
    @property
    def feature_importances_(self):
        """How often each input column is split on, over all trees, as a fraction of all splits
        (LightGBM's importance_type="split"; a datetime column sums its derived features)."""
        check_is_fitted(self)
        return _split_importances(self)


class GBDTClassifier(_TreeImportances, ScalemlClassifier):
    """Gradient-boosted trees with LightGBM's algorithm (`scaleml train --algo gbdt`).
    Missing values (NaN) are accepted."""

    _algorithm = "gbdt"
    _allow_nan = True

    def _more_tags(self):
        return {
            "allow_nan": True,
            "_xfail_checks": {
                "check_classifiers_classes": (
                    "30 training rows: with LightGBM's min_data_in_leaf=20 no tree can split "
                    "10 rows per class, so the model predicts the majority class (LightGBM's "
                    "own LGBMClassifier does the same)"
                ),
            },
        }

    def __init__(
        self,
        *,
        num_iterations=100,
        learning_rate=0.1,
        num_leaves=31,
        max_depth=-1,
        max_bin=255,
        min_data_in_leaf=20,
        min_sum_hessian_in_leaf=1e-3,
        lambda_l1=0.0,
        lambda_l2=0.0,
        min_gain_to_split=0.0,
        feature_fraction=1.0,
        bagging_fraction=1.0,
        bagging_freq=0,
        seed=0,
        early_stopping_round=0,
        validation_fraction=0.1,
        objective="auto",
        bin_sample_count=200000,
        n_jobs=None,
        engine="local",
    ):
        self.num_iterations = num_iterations
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.max_bin = max_bin
        self.min_data_in_leaf = min_data_in_leaf
        self.min_sum_hessian_in_leaf = min_sum_hessian_in_leaf
        self.lambda_l1 = lambda_l1
        self.lambda_l2 = lambda_l2
        self.min_gain_to_split = min_gain_to_split
        self.feature_fraction = feature_fraction
        self.bagging_fraction = bagging_fraction
        self.bagging_freq = bagging_freq
        self.seed = seed
        self.early_stopping_round = early_stopping_round
        self.validation_fraction = validation_fraction
        self.objective = objective
        self.bin_sample_count = bin_sample_count
        self.n_jobs = n_jobs
        self.engine = engine


class XGBoostClassifier(ScalemlClassifier):
    """XGBoost through libxgboost's C API (`scaleml train --algo xgboost`). Missing values (NaN)
    are accepted."""

    _algorithm = "xgboost"
    _allow_nan = True

    def __init__(
        self,
        *,
        n_estimators=100,
        max_depth=6,
        learning_rate=0.3,
        booster="gbtree",
        tree_method="hist",
        max_bin=256,
        grow_policy="depthwise",
        max_leaves=0,
        min_child_weight=1.0,
        max_delta_step=0.0,
        subsample=1.0,
        sampling_method="uniform",
        colsample_bytree=1.0,
        colsample_bylevel=1.0,
        colsample_bynode=1.0,
        reg_lambda=1.0,
        reg_alpha=0.0,
        gamma=0.0,
        scale_pos_weight=1.0,
        base_score=0.5,
        num_parallel_tree=1,
        objective="auto",
        seed=0,
        verbosity=1,
        n_jobs=None,
        engine="local",
    ):
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.booster = booster
        self.tree_method = tree_method
        self.max_bin = max_bin
        self.grow_policy = grow_policy
        self.max_leaves = max_leaves
        self.min_child_weight = min_child_weight
        self.max_delta_step = max_delta_step
        self.subsample = subsample
        self.sampling_method = sampling_method
        self.colsample_bytree = colsample_bytree
        self.colsample_bylevel = colsample_bylevel
        self.colsample_bynode = colsample_bynode
        self.reg_lambda = reg_lambda
        self.reg_alpha = reg_alpha
        self.gamma = gamma
        self.scale_pos_weight = scale_pos_weight
        self.base_score = base_score
        self.num_parallel_tree = num_parallel_tree
        self.objective = objective
        self.seed = seed
        self.verbosity = verbosity
        self.n_jobs = n_jobs
        self.engine = engine


class LogisticRegression(ScalemlClassifier):
    """L2-regularised logistic regression with scikit-learn's defaults (`--algo logreg`)."""

    _algorithm = "logreg"

    def __init__(
        self,
        *,
        C=1.0,
        max_iter=100,
        tol=1e-8,
        fit_intercept=True,
        multi_class="auto",
        solver="auto",
        sample_start=True,
        n_jobs=None,
        engine="local",
    ):
        self.C = C
        self.max_iter = max_iter
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.multi_class = multi_class
        self.solver = solver
        self.sample_start = sample_start
        self.n_jobs = n_jobs
        self.engine = engine

    def _set_fitted(self, model, labels):
        super()._set_fitted(model, labels)
        self.coef_, self.intercept_ = model.linear_model(model.feature_count())


class RandomForestClassifier(_TreeImportances, ScalemlClassifier):
    """Random forest with scikit-learn's defaults (`--algo rf`); max_depth=0 grows until the
    leaves are pure (scikit-learn's None). Missing values (NaN) are accepted."""

    _algorithm = "rf"
    _allow_nan = True

    def __init__(
        self,
        *,
        n_estimators=100,
        criterion="gini",
        max_depth=0,
        min_samples_split=2,
        min_samples_leaf=1,
        max_features="sqrt",
        bootstrap=True,
        random_state=0,
        exact_split_rows=128,
        max_bin=255,
        n_jobs=None,
        engine="local",
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.random_state = random_state
        self.exact_split_rows = exact_split_rows
        self.max_bin = max_bin
        self.n_jobs = n_jobs
        self.engine = engine


class KNeighborsClassifier(ScalemlClassifier):
    """Exact k-nearest neighbours on a kd-tree (`--algo knn`), Euclidean distance. Like
    scikit-learn's, fit takes no sample_weight."""

    _algorithm = "knn"
    _supports_sample_weight = False

    def __init__(self, *, n_neighbors=5, weights="uniform", p=2, leaf_size=32, n_jobs=None,
                 engine="local"):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.p = p
        self.leaf_size = leaf_size
        self.n_jobs = n_jobs
        self.engine = engine

    def fit(self, X, y):
        """Stores the training rows in the C++ kd-tree (under engine="ddp", each rank keeps its
        rows and predictions search all ranks' trees: predict is then collective)."""
        return super().fit(X, y)
