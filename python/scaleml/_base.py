"""The scikit-learn estimator every scaleml classifier is: parameters -> ParamMap text, input
validation and encoding, the C++ model (scaleml._core.Model), pickling through model bytes."""

import os
import pickle
import tempfile

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d

from . import _core
from ._ddp import process_group
from ._encoding import FrameEncoder, LabelEncoding, RawLabels, agree_across_ranks, numeric_schema

_ENGINES = ("local", "ddp")


def _param_text(name, value):
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, str):
        return value
    raise ValueError(f"parameter {name}={value!r}: expected a number, a bool or a string")


def _threads(n_jobs):
    """n_jobs as OpenMP threads: None or -1 all cores (the CLI's --threads 0), -2 all but one."""
    if n_jobs is None:
        return 0
    n_jobs = int(n_jobs)
    if n_jobs == 0:
        raise ValueError("n_jobs == 0 has no meaning; use None or -1 for all cores")
    if n_jobs < 0:
        return max(1, _core.hardware_threads() + 1 + n_jobs)
    return n_jobs


class ScalemlClassifier(ClassifierMixin, BaseEstimator):
    """Base of the scaleml estimators. Subclasses set _algorithm and list their parameters in
    __init__; every parameter except n_jobs goes to the C++ algorithm as `--param name=value`."""

    _algorithm = None
    _allow_nan = False
    _supports_sample_weight = True

    # ---- parameters -> the C++ model -------------------------------------------------------
    def _param_map(self):
        params = {}
        for name, value in self.get_params(deep=False).items():
            if name in ("n_jobs", "engine") or value is None:
                continue
            params[name] = _param_text(name, value)
        return params

    def _new_model(self):
        return _core.Model(self._algorithm, self._param_map())

    # ---- input -------------------------------------------------------------------------------
    def _features(self, X, reset, group=None):
        """X for the C++ model: a numeric ndarray as it is (the C++ side views or converts it and
        checks its values in one pass: FeatureInput.h), anything else as Fortran-order float32;
        its Schema learned on reset. `group`: the ddp group of a fit, whose ranks agree on the
        columns' encoding (category dictionaries) before any rank encodes (collective)."""
        if reset and group is not None and not isinstance(X, pd.DataFrame):
            agree_across_ranks(group, None)  # arrays: nothing to agree on, but every rank calls
        encoder = getattr(self, "_encoder", None)
        if not reset and encoder is not None and not encoder.plain:
            if not isinstance(X, pd.DataFrame):
                # Rows without column names for a model of typed columns: the columns are taken
                # by position and encoded as in training.
                self._check_feature_names(X, reset=False)
                X = pd.DataFrame(np.asarray(X, dtype=object))
                if X.ndim != 2 or X.shape[1] != self.n_features_in_:
                    raise ValueError(
                        f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                        f"{self.n_features_in_} features as input."
                    )
                return encoder.encode(X)
        if isinstance(X, pd.DataFrame):
            self._check_feature_names(X, reset=reset)
            if reset:
                self._encoder = FrameEncoder(X)
                if group is not None:
                    agree_across_ranks(group, self._encoder)  # merges the dictionaries
                self.n_features_in_ = X.shape[1]
            elif X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                    f"{self.n_features_in_} features as input."
                )
            features = self._encoder.encode(X)
            if len(features) == 0:
                raise ValueError(
                    f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 "
                    "is required."
                )
            return features
        if self._plain_array(X, reset):
            # The checks _validate_data makes for a numeric ndarray, without its passes over X.
            if reset:
                self._encoder = None
                self._check_feature_names(X, reset=True)
                self.n_features_in_ = X.shape[1]
            elif X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                    f"{self.n_features_in_} features as input."
                )
            return X
        if reset:
            self._encoder = None
        features = self._validate_data(
            X,
            reset=reset,
            dtype=[np.float32, np.float64],
            force_all_finite="allow-nan" if self._allow_nan else True,
        )
        return np.asarray(features, dtype=np.float32, order="F")

    def _plain_array(self, X, reset):
        if not (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.shape[0] > 0
            and X.shape[1] > 0
            and X.dtype in (np.float32, np.float64)
        ):
            return False
        if reset:
            return True
        return (
            getattr(self, "_encoder", None) is None
            and not hasattr(self, "feature_names_in_")
            and hasattr(self, "n_features_in_")
        )

    def _value_check(self):
        """The C++ model's check of X's values: (allow_missing, estimator name)."""
        return self._allow_nan, type(self).__name__

    def _schema(self, features, class_names):
        if self._encoder is not None:
            return self._encoder.schema(class_names)
        return numeric_schema(features.shape[1], class_names)

    def _feature_names_for_model(self, features):
        if self._encoder is not None:
            return self._encoder.feature_names()
        if hasattr(self, "feature_names_in_"):
            return [str(n) for n in self.feature_names_in_]
        return [f"feature_{i}" for i in range(features.shape[1])]

    # ---- fit / predict -----------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Trains the C++ model. sample_weight: non-negative integers, applied as row repetition
        (the C++ Dataset has no weight column); other weights are a ValueError."""
        engine = getattr(self, "engine", "local")
        if engine not in _ENGINES:
            raise ValueError(f"engine={engine!r}: use 'local' or 'ddp'")
        group = process_group() if engine == "ddp" else None
        features = self._features(X, reset=True, group=group)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None"
            )
        y = column_or_1d(y, warn=True)
        if len(y) != len(features):
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"[{len(features)}, {len(y)}]"
            )
        if y.dtype.kind not in "iu":  # integer labels are always classes; this check sorts y
            check_classification_targets(y)
        if sample_weight is not None:
            features, y = self._repeat_rows(features, y, sample_weight)
        labels = self._label_encoding(y, group)
        if not labels.raw:
            if len(labels.classes) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least two classes; y holds one class "
                    f"({labels.classes[0]!r})" if len(labels.classes) else "y is empty"
                )
        model = self._new_model()
        args = (
            features,
            labels.encode(y),
            self._feature_names_for_model(features),
            self._schema(features, labels.class_names()),
            _threads(self.n_jobs),
            *self._value_check(),
        )
        if group is None:
            model.fit(*args)  # Ctrl-C: KeyboardInterrupt, this estimator left as it was
        else:
            model.fit_ddp(*args, group)
        self._set_fitted(model, labels)
        self._ddp = group
        return self

    @staticmethod
    def _label_encoding(y, group):
        """Integer labels that fit in int32 go to the C++ model as they are (it finds the classes
        itself, every rank's under ddp; fewer than two is its ValueError). Others are coded by
        their sorted classes: under ddp the union of every rank's (collective)."""
        if group is None:
            return RawLabels(y.dtype) if RawLabels.applies(y) else LabelEncoding(y)
        raw, classes = _global_classes(group, y)
        return RawLabels(y.dtype) if raw else LabelEncoding(y, classes=classes)

    def _repeat_rows(self, features, y, sample_weight):
        if not self._supports_sample_weight:
            raise ValueError(f"{type(self).__name__} does not support sample_weight")
        weights = _check_sample_weight(sample_weight, features, dtype=np.float64)
        if (weights < 0).any() or not np.array_equal(weights, np.round(weights)):
            raise ValueError(
                "scaleml supports sample_weight of non-negative integers only (each row is "
                "repeated that many times); fractional or negative weights cannot be applied"
            )
        rows = np.repeat(np.arange(len(y)), weights.astype(np.int64))
        if len(rows) == 0:
            raise ValueError("sample_weight is zero for every row")
        return features[rows], y[rows]

    def _set_fitted(self, model, labels):
        self._model = model
        labels.bind(model.classes)
        self._labels = labels
        self.classes_ = labels.classes
        self.n_classes_ = len(labels.classes)

    def _model_feature_sources(self):
        """For each feature of the C++ model, the input column it comes from."""
        if getattr(self, "_encoder", None) is not None:
            return self._encoder.source_of_features()
        features = getattr(self, "n_features_in_", None)
        if features is None:
            features = self._model.feature_count()
        if features is None or features < 0:
            raise AttributeError("the model's feature count is unknown (a model file read by "
                                 "load_model without the training data)")
        return np.arange(features)

    def _predict_features(self, X):
        if "_model" not in self.__dict__:
            check_is_fitted(self)  # raises NotFittedError with scikit-learn's message
        return self._features(X, reset=False)

    def predict_proba(self, X):
        """Class probabilities, one column per entry of classes_."""
        features = self._predict_features(X)
        proba = self._model.predict_proba(features, _threads(self.n_jobs), self._predict_group(),
                                          *self._value_check())
        return proba.astype(np.float64)

    def predict(self, X):
        """The most probable class of each row (the C++ model's own prediction)."""
        features = self._predict_features(X)
        labels = self._model.predict(features, _threads(self.n_jobs), self._predict_group(),
                                     *self._value_check())
        return self._labels.decode(labels)

    def _predict_group(self):
        """k-NN trained under ddp keeps each rank's rows on the rank: its predictions search
        every rank (collective). The other models are whole on every rank."""
        if self._algorithm == "knn":
            return self.__dict__.get("_ddp")
        return None

    # ---- model files and pickling -------------------------------------------------------------
    def save_model(self, path):
        """Writes the CLI's model file (scaleml predict --model PATH reads it)."""
        check_is_fitted(self)
        self._model.save(os.fspath(path))
        return self

    def load_model(self, path):
        """Reads a model file written by `scaleml train --save-model` (or save_model). Its
        parameters replace this estimator's; classes_ are the file's integer classes."""
        model = _core.Model.load(os.fspath(path))
        if model.name != self._algorithm:
            raise ValueError(
                f"{os.fspath(path)} holds a {model.name} model, not {self._algorithm}; "
                f"load it with scaleml.load_model"
            )
        self._adopt(model)
        return self

    def _adopt(self, model):
        file_params = model.params
        own = self.get_params(deep=False)
        updates = {}
        for name, default in own.items():
            if name in file_params and name != "n_jobs":
                updates[name] = _from_text(file_params[name], default)
        self.set_params(**updates)
        self._encoder = None
        self._set_fitted(model, RawLabels(np.dtype(np.int64)))
        # A model file does not name its features: the C++ model checks the width at predict.
        for attribute in ("n_features_in_", "feature_names_in_"):
            if hasattr(self, attribute):
                delattr(self, attribute)

    def _model_bytes(self):
        fd, path = tempfile.mkstemp(suffix=".model")
        os.close(fd)
        try:
            self._model.save(path)
            with open(path, "rb") as f:
                return f.read()
        finally:
            os.unlink(path)

    @staticmethod
    def _model_from_bytes(data):
        fd, path = tempfile.mkstemp(suffix=".model")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            return _core.Model.load(path)
        finally:
            os.unlink(path)

    def __getstate__(self):
        state = dict(super().__getstate__())  # Python 3.11's object.__getstate__: the __dict__
        state.pop("_ddp", None)  # the process group stays with this process
        if "_model" in state:
            state["_model"] = self._model_bytes()
        return state

    def __setstate__(self, state):
        if isinstance(state.get("_model"), bytes):
            state["_model"] = self._model_from_bytes(state["_model"])
        super().__setstate__(state)

    def _more_tags(self):
        return {"allow_nan": self._allow_nan}


def _global_classes(group, y):
    """(whether every rank's labels are raw integers, the sorted union of every rank's labels):
    one allgather on every rank, whatever its labels."""
    mine = (RawLabels.applies(y), LabelEncoding(y).classes)
    parts = [pickle.loads(part) for part in group.allgather_bytes(pickle.dumps(mine))]
    try:
        classes = np.unique(np.concatenate([classes for _, classes in parts]))
    except TypeError as error:
        raise ValueError(f"engine='ddp': the ranks' labels are of different types ({error})") \
            from error
    return all(raw for raw, _ in parts), classes


def _from_text(text, like):
    if isinstance(like, bool):
        return text == "true"
    if isinstance(like, int):
        return int(text)
    if isinstance(like, float):
        return float(text)
    return text
