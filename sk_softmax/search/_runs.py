"""What SoftmaxSearchCV's scoring loop reads: the trained models and their held-out logits."""

import time

import numpy as np

from .._prediction import _affine
from .._threads import blas_threads
from ._candidates import IGNORED

_SCORE_BLOCK = 2048  # test rows gathered at a time when scoring a split


class Runs:
    """The stacked runs of one search: trained models, looked up by parameters and rows.

    Passed to every candidate's ``fit`` as a fit parameter (``search_runs``),
    so a search's models are found through the search itself, never through
    shared state. Each CV split's training rows (in the split's order,
    repeats included) name the models trained on them; each split's test rows
    are scored once for all its models (:meth:`score_held_out`).
    """

    def __init__(self, splits, X=None, n_threads=None, *, tests=None):
        self.sets = [np.asarray(train) for train, _ in splits]
        self._set_of = {rows.tobytes(): i for i, rows in enumerate(self.sets)}
        self.entries = []  # [settings' params without max_epochs, models per split, seconds]
        self._tests = [np.asarray(test) for _, test in splits]
        self._X = X  # dense ndarray X, to score each split's test rows once for all its models
        self._given = tests  # or each split's test rows as the models see them (transformed)
        self._n_threads = n_threads  # numpy's BLAS threads when scoring, as in prediction
        self._held_out = {}  # split -> (test rows of X, {id(checkpoint coef): logits})
        self.score_seconds = 0.0

    def add(self, settings, models_per_split, seconds):
        """Record a group's models: ``models_per_split[split][setting]`` and run seconds.

        Each model's share of the seconds follows the epochs it trained (a
        model that left early cost less), per split.
        """
        epochs = [sum(len(m.history) for m in models) for models in models_per_split]
        total = max(sum(epochs), 1)
        for index, models in enumerate(models_per_split):
            self.add_on(index, settings, models, seconds * epochs[index] / total)

    def add_on(self, index, settings, models, seconds):
        """Record the models one group trained on split ``index`` alone, in ``seconds``.

        A setting without a model on some split is fitted separately there.
        """
        epochs = [len(model.history) for model in models]
        total = max(sum(epochs), 1)
        for setting, model, n_epochs in zip(settings, models, epochs, strict=True):
            key = without_max_epochs(setting)
            entry = next((e for e in self.entries if e[0] == key), None)
            if entry is None:
                entry = [key, [None] * len(self.sets), 0.0]
                self.entries.append(entry)
            entry[1][index] = model
            entry[2] += seconds * n_epochs / total / len(self.sets)

    def find(self, params, rows):
        """The model trained with these parameters on these rows, its share of time, its split.

        None (and 0 seconds) where no model was trained there.
        """
        if rows is None:
            return None, 0.0, None
        index = self._set_of.get(np.asarray(rows).tobytes())
        if index is None:
            return None, 0.0, None
        key = without_max_epochs(params)
        for setting, per_split, seconds in self.entries:
            if setting == key and per_split[index] is not None:
                return per_split[index], seconds, index
        return None, 0.0, None

    def costs(self, estimator, candidates):
        """Each candidate's share of the runs per split, and the number of separate fits.

        ``candidates`` are dicts of ``estimator``'s parameters. A model's share of its run
        is divided among the candidates it stands for (its ``max_epochs``
        checkpoints); the scoring of the test rows among all stacked
        candidates. Where a candidate has no model on a split it was fitted
        separately there: one separate fit per such split (0 seconds here).
        """
        base = estimator.get_params(deep=False)
        candidates = [{**base, **candidate} for candidate in candidates]
        keys = [without_max_epochs(params) for params in candidates]
        found = [[self.find(p, rows)[:2] for rows in self.sets] for p in candidates]
        trained = np.array([[model is not None for model, _ in row] for row in found], bool)
        shares = np.array([[share for _, share in row] for row in found], float)
        stacked = trained.any(1) if len(found) else np.zeros(0, bool)
        users = np.array([keys.count(key) for key in keys])
        # A model's share is already its mean over the splits: the same on each it trained on.
        seconds = np.where(stacked, shares.max(1) / users, 0.0) if len(found) else shares
        if stacked.any():
            seconds[stacked] += self.score_seconds / len(self.sets) / stacked.sum()
        return seconds, int((~trained).sum()) if len(found) else 0

    def score_held_out(self):
        """Score each split's test rows under every checkpoint of its models, once.

        One float64 product per split, with every checkpoint of every model
        trained on that split (what :meth:`SoftmaxClassifier.decision_function`
        computes, one product instead of one per candidate). The test rows
        and logits of all splits together take at most the memory of ``X``
        itself; splits beyond that are left to each candidate's own
        prediction. Sets ``score_seconds``, the time it took.
        """
        start = time.perf_counter()
        for index, rows in self._test_rows():
            checkpoints = self._checkpoints(index)
            if checkpoints:
                n_columns = sum(coef.shape[0] for coef, _ in checkpoints.values())
                self._held_out[index] = (rows, self._score(rows, checkpoints, n_columns))
        self.score_seconds = time.perf_counter() - start

    def _test_rows(self):
        """``(split, test rows)`` to score: the given ones, or ``X``'s within its memory."""
        if not self.entries:
            return
        if self._given is not None:
            for index, rows in enumerate(self._given):
                if isinstance(rows, np.ndarray) and len(rows):
                    yield index, rows
            return
        budget = 0 if self._X is None else self._X.nbytes
        for index, test in enumerate(self._tests):
            n_columns = sum(coef.shape[0] for coef, _ in self._checkpoints(index).values())
            size = len(test) * (n_columns * 8 + self._X[:1].nbytes) if len(test) else 0
            if 0 < size <= budget:
                budget -= size
                yield index, self._X[test]

    def held_out(self, index, coef):
        """``(test rows of X, logits)`` of split ``index`` under ``coef``, or None."""
        rows, table = self._held_out.get(index, (None, {}))
        logits = table.get(id(coef))
        return None if logits is None else (rows, logits)

    def _checkpoints(self, index):
        """``{id(coef): (coef, intercept)}`` of every checkpoint trained on split ``index``."""
        return {
            id(coef): (coef, intercept)
            for _, per_split, _ in self.entries
            if per_split[index] is not None
            for coef, intercept in per_split[index].weights.values()
        }

    def _score(self, rows, checkpoints, n_columns):
        coefs = np.concatenate([c for c, _ in checkpoints.values()]).astype(np.float64)
        intercepts = np.concatenate([b for _, b in checkpoints.values()]).astype(np.float64)
        logits = np.empty((len(rows), n_columns))
        with blas_threads(self._n_threads):
            for start in range(0, len(rows), _SCORE_BLOCK):
                block = slice(start, start + _SCORE_BLOCK)
                logits[block] = _affine(rows[block], coefs, intercepts)
        table, start = {}, 0
        for key, (coef, _) in checkpoints.items():
            block = logits[:, start : start + coef.shape[0]]
            start += coef.shape[0]
            if np.isfinite(block).all():  # else the prediction's overflow handling runs
                table[key] = block
        return table


def without_max_epochs(params):
    return {k: v for k, v in params.items() if k != "max_epochs" and k not in IGNORED}
