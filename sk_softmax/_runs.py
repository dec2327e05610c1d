"""What SoftmaxSearchCV's scoring loop reads: the trained models, and X as lazy row views."""

import time

import numpy as np

from ._prediction import _affine
from ._stacked import IGNORED
from ._threads import blas_threads

_SCORE_BLOCK = 2048  # test rows gathered at a time when scoring a split


class Runs:
    """The stacked runs of one search: trained models, looked up by parameters and rows."""

    def __init__(self, splits, n_samples, X=None, n_threads=None):
        # Training sets by their rows: each CV split's, then all rows (the refit).
        self.sets = [np.sort(train) for train, _ in splits] + [np.arange(n_samples)]
        self._set_of = {rows.tobytes(): i for i, rows in enumerate(self.sets)}
        self.entries = []  # (settings' params without max_epochs, models per set, seconds)
        self._tests = [np.asarray(test) for _, test in splits]
        self._X = X  # dense ndarray X, to score each split's test rows once for all its models
        self._n_threads = n_threads  # numpy's BLAS threads when scoring, as in prediction
        self._held_out = {}  # split -> {id(checkpoint coef): logits of the test rows}
        self.score_seconds = 0.0

    def add(self, settings, models, seconds):
        n_models = len(settings) * len(self.sets)
        for setting, per_set in zip(settings, models, strict=True):
            self.entries.append((without_max_epochs(setting), per_set, seconds / n_models))

    def find(self, params, rows):
        """The trained model for these parameters and training rows, its share of time, its set."""
        if rows is None:
            return None, 0.0, None
        index = self._set_of.get(np.sort(rows).tobytes())
        if index is None:
            return None, 0.0, None
        key = without_max_epochs(params)
        for setting, per_set, seconds in self.entries:
            if setting == key:
                return per_set[index], seconds, index
        return None, 0.0, None

    def score_held_out(self):
        """Score each split's test rows under every checkpoint of its models, once.

        One float64 product per split, with every checkpoint of every model
        trained on that split (what :meth:`SoftmaxClassifier.decision_function`
        computes, one product instead of one per candidate). The logits of all
        splits together take at most the memory of ``X`` itself; splits beyond
        that are left to each candidate's own prediction. Sets
        ``score_seconds``, the time it took.
        """
        start = time.perf_counter()
        budget = 0 if self._X is None else self._X.nbytes
        for index in range(len(self._tests) if self.entries else 0):
            checkpoints = self._checkpoints(index)
            n_columns = sum(coef.shape[0] for coef, _ in checkpoints.values())
            size = len(self._tests[index]) * n_columns * 8
            if checkpoints and size <= budget:
                self._held_out[index] = self._score_split(index, checkpoints, n_columns)
                budget -= size
        self.score_seconds = time.perf_counter() - start

    def held_out(self, index, coef):
        """``(test rows, logits)`` of split ``index``'s test rows under ``coef``, or None."""
        logits = self._held_out.get(index, {}).get(id(coef))
        return None if logits is None else (self._tests[index], logits)

    def _checkpoints(self, index):
        """``{id(coef): (coef, intercept)}`` of every checkpoint trained on split ``index``."""
        return {
            id(coef): (coef, intercept)
            for _, per_set, _ in self.entries
            for coef, intercept in per_set[index].weights.values()
        }

    def _score_split(self, index, checkpoints, n_columns):
        test = self._tests[index]
        coefs = np.concatenate([c for c, _ in checkpoints.values()]).astype(np.float64)
        intercepts = np.concatenate([b for _, b in checkpoints.values()]).astype(np.float64)
        logits = np.empty((len(test), n_columns))
        with blas_threads(self._n_threads):
            for start in range(0, len(test), _SCORE_BLOCK):  # a few rows of X at a time, no copy
                rows = test[start : start + _SCORE_BLOCK]
                logits[start : start + len(rows)] = _affine(self._X[rows], coefs, intercepts)
        table, start = {}, 0
        for key, (coef, _) in checkpoints.items():
            block = logits[:, start : start + coef.shape[0]]
            start += coef.shape[0]
            if np.isfinite(block).all():  # else the prediction's overflow handling runs
                table[key] = block
        return table


class LazyRows:
    """A dense ``X`` as scikit-learn's search code slices it: rows copied only when read.

    The search takes a training and a test subset of ``X`` for every candidate
    and split; a looked-up model never reads its training rows, so they are
    never copied, and every candidate reads the same test rows, so they are
    copied once (up to one copy of ``X`` in all). Reading (``np.asarray``, as
    prediction and ordinary fits do) gives the rows.
    """

    def __init__(self, X, rows=None, cache=None):
        self._X, self._rows = X, rows
        self._cache = {} if cache is None else cache

    @property
    def shape(self):
        n_rows = len(self._X) if self._rows is None else len(self._rows)
        return (n_rows, *self._X.shape[1:])

    @property
    def dtype(self):
        return self._X.dtype

    @property
    def nbytes(self):
        return int(np.prod(self.shape)) * self._X.itemsize

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, key):
        if isinstance(key, tuple):  # scikit-learn indexes rows as X[rows, ...]
            key = key[0]
        rows = np.arange(len(self))[key]
        return LazyRows(self._X, rows if self._rows is None else self._rows[rows], self._cache)

    def __array__(self, dtype=None, copy=None):
        if self._rows is None:
            return np.asarray(self._X, dtype=dtype)
        key = self._rows.tobytes()
        rows = self._cache.get(key)
        if rows is None:
            rows = self._X[self._rows]
            if sum(a.nbytes for a in self._cache.values()) + rows.nbytes <= self._X.nbytes:
                rows.setflags(write=False)  # shared by every reader
                self._cache[key] = rows
        if copy:
            return np.array(rows, dtype=dtype, copy=True)
        return np.asarray(rows, dtype=dtype)

    def has_rows(self, rows):
        """Whether this view holds exactly ``rows`` of ``X``, in that order."""
        return self._rows is not None and np.array_equal(self._rows, rows)


def without_max_epochs(params):
    return {k: v for k, v in params.items() if k != "max_epochs" and k not in IGNORED}
