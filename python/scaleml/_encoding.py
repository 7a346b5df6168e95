"""Feature and label encoding with the CSV reader's rules (src/data/Schema.h).

A DataFrame's columns become the C++ Dataset's features:
- numeric columns: float32;
- bool columns: 0/1 (missing: NaN);
- category and object (string) columns: categorical features whose value is the index of the
  value's text in the sorted dictionary of the values seen in training (byte order, which is
  Python's code-point order of str); missing and values unseen in training: NaN;
- datetime columns: NAME.days (days since 1970-01-01, fractional when times are present),
  NAME.year, NAME.month, NAME.dayofweek (0 = Monday) and, when any value has a time, NAME.hour.

Labels of any type are encoded with np.unique (sorted); integer labels that fit in int32 are
passed to C++ as they are (the CLI's raw integer labels), so model files stay interchangeable.
"""

import pickle

import numpy as np
import pandas as pd

from . import _core

_DATETIME_PARTS = ("days", "year", "month", "dayofweek")


def _category_text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


class _Column:
    """How one source column becomes features; learned from the training frame."""

    def __init__(self, name, series):
        self.name = str(name)
        self.has_time = False
        self.categories = None
        dtype = series.dtype
        if pd.api.types.is_bool_dtype(dtype):
            self.type = _core.ColumnType.BOOLEAN
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            self.type = _core.ColumnType.DATETIME
            values = self._naive(series)
            times = values.dropna()
            self.has_time = bool((times != times.dt.normalize()).any())
        elif isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(
            dtype
        ) or pd.api.types.is_string_dtype(dtype):
            self.type = _core.ColumnType.CATEGORICAL
            present = series.dropna().unique()
            self.categories = sorted({_category_text(v) for v in present})
        elif pd.api.types.is_numeric_dtype(dtype):
            self.type = _core.ColumnType.NUMERIC
        else:
            raise ValueError(
                f"column {self.name!r} has dtype {dtype}, which scaleml cannot use "
                "(numeric, bool, category, string or datetime columns only)"
            )

    @staticmethod
    def _naive(series):
        values = series
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        return values

    def feature_names(self):
        if self.type == _core.ColumnType.DATETIME:
            parts = _DATETIME_PARTS + (("hour",) if self.has_time else ())
            return [f"{self.name}.{part}" for part in parts]
        return [self.name]

    def features(self):
        """The FeatureInfo of each feature the column becomes."""
        infos = []
        for _ in self.feature_names():
            info = _core.FeatureInfo()
            if self.type == _core.ColumnType.CATEGORICAL:
                info.kind = _core.FeatureKind.CATEGORICAL
                info.categories = self.categories
            infos.append(info)
        return infos

    def encode(self, series):
        """The column's features as float32 arrays."""
        if self.type == _core.ColumnType.NUMERIC:
            try:
                return [pd.to_numeric(series).to_numpy(dtype=np.float32, na_value=np.nan)]
            except (TypeError, ValueError) as error:
                raise ValueError(f"column {self.name!r}: {error}") from error
        if self.type == _core.ColumnType.BOOLEAN:
            return [series.astype("float32").to_numpy(dtype=np.float32, na_value=np.nan)]
        if self.type == _core.ColumnType.CATEGORICAL:
            codes = {value: float(i) for i, value in enumerate(self.categories)}
            out = np.full(len(series), np.nan, dtype=np.float32)
            values = series.astype(object).to_numpy()
            for i, value in enumerate(values):
                if value is None or (isinstance(value, float) and np.isnan(value)):
                    continue
                if value is pd.NA or value is pd.NaT:
                    continue
                out[i] = codes.get(_category_text(value), np.nan)
            return [out]
        values = self._naive(pd.to_datetime(series))
        nanoseconds = values.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
        missing = values.isna().to_numpy()
        days = nanoseconds / 86400e9
        parts = [
            days,
            values.dt.year.to_numpy(dtype=np.float64, na_value=np.nan),
            values.dt.month.to_numpy(dtype=np.float64, na_value=np.nan),
            values.dt.dayofweek.to_numpy(dtype=np.float64, na_value=np.nan),
        ]
        if self.has_time:
            parts.append(values.dt.hour.to_numpy(dtype=np.float64, na_value=np.nan))
        out = []
        for part in parts:
            part = part.astype(np.float32)
            part[missing] = np.nan
            out.append(part)
        return out


class FrameEncoder:
    """The training frame's columns, and how to turn any frame with them into features."""

    def __init__(self, frame):
        self.columns = [_Column(name, frame[name]) for name in frame.columns]
        self.plain = all(c.type == _core.ColumnType.NUMERIC for c in self.columns)

    def feature_names(self):
        return [name for c in self.columns for name in c.feature_names()]

    def source_of_features(self):
        """For each feature, the index of the source column it comes from."""
        return np.array(
            [i for i, c in enumerate(self.columns) for _ in c.feature_names()], dtype=np.intp
        )

    def schema(self, classes=()):
        schema = _core.Schema()
        columns = []
        for c in self.columns:
            column = _core.SourceColumn()
            column.name = c.name
            column.type = c.type
            column.has_time = c.has_time
            columns.append(column)
        schema.columns = columns
        schema.features = [info for c in self.columns for info in c.features()]
        schema.classes = list(classes)
        return schema

    def encode(self, frame):
        """float32 features in Fortran order (the Dataset's columnar layout)."""
        if frame.shape[1] != len(self.columns):
            raise ValueError(
                f"X has {frame.shape[1]} features, but the estimator was fitted with "
                f"{len(self.columns)} features"
            )
        if self.plain:
            try:
                return np.asarray(frame, dtype=np.float32, order="F")
            except (TypeError, ValueError) as error:
                raise ValueError(str(error)) from error
        parts = []
        for c, name in zip(self.columns, frame.columns):
            parts.extend(c.encode(frame[name]))
        out = np.empty((len(frame), len(parts)), dtype=np.float32, order="F")
        for j, part in enumerate(parts):
            out[:, j] = part
        return out


def agree_across_ranks(group, encoder):
    """Collective (engine="ddp"): every rank passes its training frame's encoder (None for an
    array) and ends with the same one: each categorical column's dictionary the sorted union of
    every rank's values, a datetime column with hours when any rank's values have times. So a
    value has the same code on every rank, as the CLI's ddp read merges its ranks' dictionaries
    (engine/SchemaExchange). Ranks whose columns differ in names or types are a ValueError on
    every rank (each sees all the descriptions, so all raise together)."""
    mine = None if encoder is None else [
        (c.name, int(c.type), c.has_time, c.categories) for c in encoder.columns
    ]
    parts = [pickle.loads(part) for part in group.allgather_bytes(pickle.dumps(mine))]
    if any(part is None for part in parts):
        if all(part is None for part in parts):
            return
        raise ValueError(
            "engine='ddp': some ranks passed a DataFrame and others an array; every rank must "
            "pass X of the same kind and columns"
        )
    layout = [(name, kind) for name, kind, _, _ in parts[0]]
    for rank, part in enumerate(parts):
        other = [(name, kind) for name, kind, _, _ in part]
        if other != layout:
            raise ValueError(
                f"engine='ddp': rank {rank}'s columns (name, type) {other} differ from rank 0's "
                f"{layout}; every rank must pass the same columns with the same dtypes"
            )
    for j, column in enumerate(encoder.columns):
        column.has_time = any(part[j][2] for part in parts)
        if column.categories is not None:
            column.categories = sorted({value for part in parts for value in part[j][3]})


def numeric_schema(features, classes=()):
    schema = _core.Schema()
    schema.features = [_core.FeatureInfo() for _ in range(features)]
    schema.classes = list(classes)
    return schema


def _unique(y):
    """np.unique(y); for integers in a small range by counting (1M labels: 3 ms, not 150 ms)."""
    if y.dtype.kind in "iu" and len(y) > 0:
        low, high = int(y.min()), int(y.max())
        if high - low < (1 << 20):
            present = np.flatnonzero(np.bincount((y - low).astype(np.intp, copy=False)))
            return (present + low).astype(y.dtype)
    return np.unique(y)


class RawLabels:
    """Integer labels that fit in int32, passed to C++ as they are (the CLI's raw integer labels,
    so model files stay interchangeable): the C++ model finds the classes (no pass over y here)
    and classes_ are its classes in y's dtype."""

    raw = True

    @staticmethod
    def applies(y):
        if y.dtype.kind not in "iu" or len(y) == 0:
            return False
        if y.dtype == np.int32 or y.dtype.itemsize < 4:
            return True
        low, high = np.iinfo(np.int32).min, np.iinfo(np.int32).max
        return bool((y.dtype.kind == "u" or y.min() >= low) and y.max() <= high)

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    @staticmethod
    def encode(y):
        return np.ascontiguousarray(y, dtype=np.int32)

    @staticmethod
    def class_names():
        return []

    def bind(self, model_classes):
        self.model_classes = np.asarray(model_classes)
        self.classes = self.model_classes.astype(self.dtype)

    def decode(self, labels):
        return labels.astype(self.dtype, copy=False)


class LabelEncoding:
    """Original labels <-> the int32 labels the C++ model holds."""

    def __init__(self, y, classes=None):
        # classes: every rank's labels under ddp (a superset of y's); y's own otherwise.
        self.classes = _unique(y) if classes is None else np.asarray(classes)
        raw = (
            y.dtype.kind in "iu"
            and len(self.classes) > 0
            and self.classes[0] >= np.iinfo(np.int32).min
            and self.classes[-1] <= np.iinfo(np.int32).max
        )
        self.raw = bool(raw)

    def encode(self, y):
        if self.raw:
            return np.ascontiguousarray(y, dtype=np.int32)
        return np.searchsorted(self.classes, y).astype(np.int32)

    def class_names(self):
        """Schema.classes: empty for raw integer labels."""
        if self.raw:
            return []
        return [_category_text(c) for c in self.classes]

    def bind(self, model_classes):
        """Records the C++ model's classes (its labels' values) once, for decode."""
        self.model_classes = np.asarray(model_classes)
        self.identity = self.raw and np.array_equal(self.model_classes, self.classes)

    def decode(self, labels):
        """The original labels of the C++ model's predicted labels."""
        if not self.raw:
            return self.classes[labels]  # labels are codes, indices into classes
        if self.identity:
            return labels.astype(self.classes.dtype, copy=False)
        return self.classes[np.searchsorted(self.model_classes, labels)]
