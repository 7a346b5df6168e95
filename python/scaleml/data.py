"""Data in and out of the C++ side: the fast CSV reader and the make_classification generator."""

import os

import numpy as np
import pandas as pd

from . import _core
from ._base import _threads


def _frame(features, names, schema):
    """A DataFrame over the Dataset's columns: categorical features as pandas categoricals with
    the file's sorted dictionary (so fit() encodes them to the same codes), others float32.
    All-numeric data is a view of the C++ memory (no copy)."""
    if not schema.has_categorical():
        return pd.DataFrame(features, columns=names, copy=False)
    columns = {}
    for j, (name, info) in enumerate(zip(names, schema.features)):
        column = features[:, j]
        if info.kind == _core.FeatureKind.CATEGORICAL:
            codes = np.where(np.isnan(column), -1, column).astype(np.int64)
            column = pd.Categorical.from_codes(codes, categories=list(info.categories))
        columns[name] = column
    return pd.DataFrame(columns)


def _labels(labels, schema, name):
    if schema.classes:
        return pd.Series(np.asarray(schema.classes, dtype=object)[labels], name=name)
    return pd.Series(labels, name=name)


def read_csv(path, target="target", *, allow_missing=False, use_cache=True, n_jobs=None):
    """Reads a CSV with scaleml's parallel reader (the one `scaleml train` uses) and returns
    (X, y): X a DataFrame of the features, y a Series of the target column."""
    features, labels, names, schema = _core.read_csv(
        os.fspath(path), target, allow_missing, _threads(n_jobs), use_cache
    )
    return _frame(features, names, schema), _labels(labels, schema, target)


def make_classification(
    n_samples=1000,
    n_features=10,
    *,
    n_informative=None,
    n_redundant=None,
    n_repeated=0,
    n_classes=2,
    n_clusters_per_class=2,
    weights=None,
    flip_y=0.01,
    class_sep=1.0,
    hypercube=True,
    shift=0.0,
    scale=1.0,
    shuffle=True,
    random_state=0,
    chunk_size=300000,
    problem_per_chunk=False,
    n_jobs=None,
):
    """The rows `scaleml generate` writes for the same arguments (--samples, --features, ...,
    --seed, --chunk-size, --problem-per-chunk), as the CLI reads them back: X float32 in
    Fortran order (what the estimators use without a copy) and y int32. Defaults are the CLI's
    (the paper's: 10 features, 5 informative, 5 redundant); n_informative/n_redundant None mean
    n_features // 2; shift/scale None mean random per feature."""
    params = _core.GeneratorParams()
    params.samples = int(n_samples)
    params.features = int(n_features)
    params.classes = int(n_classes)
    params.informative = -1 if n_informative is None else int(n_informative)
    params.redundant = -1 if n_redundant is None else int(n_redundant)
    params.repeated = int(n_repeated)
    params.clusters_per_class = int(n_clusters_per_class)
    params.flip_y = float(flip_y)
    params.class_sep = float(class_sep)
    params.hypercube = bool(hypercube)
    params.shift = None if shift is None else float(shift)
    params.scale = None if scale is None else float(scale)
    params.weights = [] if weights is None else [float(w) for w in weights]
    params.shuffle = bool(shuffle)
    params.seed = int(random_state)
    params.chunk_size = int(chunk_size)
    params.problem_per_chunk = bool(problem_per_chunk)
    features, labels, _, _ = _core.generate(params, _threads(n_jobs))
    return features, labels
