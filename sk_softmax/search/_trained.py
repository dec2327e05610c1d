"""A search's trained models, found by (split, candidate), and their held-out logits."""

import time

import numpy as np

from .._prediction import _affine
from .._threads import blas_threads

_SCORE_BLOCK = 2048  # test rows gathered at a time when scoring a split
_LOGITS_BUDGET = 64 * 2**20  # bytes of held-out logits kept, where the test rows are smaller


class Found:
    """The model of a plan that stands for one (split, candidate) fit."""

    def __init__(self, store, split, run, model):
        self.store, self.split, self.run = store, split, run
        self.model = store.models[run][model]
        self._key = (run, model)

    @property
    def classes(self):
        return self.store.classes

    @property
    def stopping(self):
        """What ends the model's training: L-BFGS's test, or the plateau rule."""
        return "L-BFGS" if self.store.plan.runs[self.run].optimizer == "lbfgs" else "train_loss"

    @property
    def test_ids(self):
        """The split's test rows, as indices into the search's ``X``."""
        return self.store.test_sets[self.split]

    def held_out(self, max_epochs):
        """``(test rows, logits)`` of this split under the weights for ``max_epochs``, or None."""
        table = self.store._held_out.get(self.split)
        if table is None:
            return None
        logits = table[1].get((*self._key, self.model.checkpoint(max_epochs)))
        return None if logits is None else (table[0], logits)


class StandsIn:
    """What a search's trained models tell its loop's fits when the loop takes the row
    indices of ``X`` in its place (:meth:`stand_in`)."""

    source = None  # the X whose row indices the loop takes, once stand_in is called
    test_sets = None  # each split's test rows, as indices into source

    def stand_in(self, X, test_sets):
        """The row indices of ``X`` as a column, for scikit-learn's search loop to take
        in place of ``X``: each candidate's fit and scoring then takes its rows from
        :attr:`source`, and only the rows it uses (the loop copies ``X[train]`` and
        ``X[test]`` for every fit, which a candidate found here never reads)."""
        self.source, self.test_sets = X, [np.asarray(rows) for rows in test_sets]
        return np.arange(len(X)).reshape(-1, 1)


class TrainedModels(StandsIn):
    """What the stacked runs of a :class:`~sk_softmax.search._plan.Plan` trained.

    Passed to every candidate's ``fit`` in scikit-learn's search loop (the fit
    parameter ``trained``), so a search's models are found through the search
    itself, never through shared state.

    Parameters
    ----------
    plan : Plan
    train_sets : list of int ndarray
        Each split's training rows.
    models : list of list of Trained
        Each run's models, in the plan's order.
    classes : ndarray
        The labels the models' outputs stand for.
    tests : list of ndarray or None, default=None
        Each split's test rows, as a candidate's scoring validates them: their
        logits under every model of the split are computed once
        (:meth:`score_held_out`), where they fit in memory.
    n_threads : int, "auto" or None
        numpy's BLAS threads for that product, as in prediction.
    """

    def __init__(self, plan, train_sets, models, classes, tests=None, n_threads=None):
        self.plan, self.models, self.classes = plan, models, classes
        self.train_sets = [np.asarray(rows) for rows in train_sets]
        self.seconds = [0.0] * len(models)
        self._tests, self._n_threads = tests, n_threads
        self._held_out = {}  # split -> (test rows, {(run, model, epoch): logits})
        self.score_seconds = 0.0

    @property
    def n_runs(self):
        return len(self.plan.runs)

    def split_of(self, rows):
        """The split whose training rows are ``rows``, or None."""
        if rows is None:
            return None
        rows = np.asarray(rows)
        return next(
            (k for k, train in enumerate(self.train_sets) if np.array_equal(train, rows)), None
        )

    def find(self, params, rows):
        """The :class:`Found` model for a fit with ``params`` on ``rows``, or None."""
        split = self.split_of(rows)
        key = None if split is None else self.key(split, params)
        return None if key is None else Found(self, split, *key)

    def key(self, split, params):
        """``(run, model)`` that stands for a fit with ``params`` (the classifier's, or
        those a search candidate sets) on ``split``, or None."""
        return self.plan.model(split, params)

    # ------------------------------------------------------------- held out

    def score_held_out(self):
        """The logits of each split's test rows under every checkpoint of its models.

        One float64 product per split (what ``decision_function`` computes,
        one product instead of one per candidate). The logits of all splits
        together take at most the memory of their test rows, or 64 MiB where
        that is more; splits beyond that are left to each candidate's own
        prediction.
        """
        start = time.perf_counter()
        budget = max(sum(t.nbytes for t in self._tests), _LOGITS_BUDGET) if self._tests else 0
        for split, rows in enumerate(self._tests or []):
            checkpoints = self._checkpoints(split)
            size = 8 * len(rows) * sum(c.shape[0] for c, _ in checkpoints.values())
            if not checkpoints or not isinstance(rows, np.ndarray) or size > budget:
                continue
            budget -= size
            self._held_out[split] = (rows, self._score(rows, checkpoints))
        self.score_seconds += time.perf_counter() - start

    def _checkpoints(self, split):
        """``{(run, model, epoch): (coef, intercept)}`` of every model trained on ``split``."""
        return {
            (r, m, epoch): weights
            for r, run in enumerate(self.plan.runs)
            if run.split == split
            for m, model in enumerate(self.models[r])
            for epoch, weights in model.weights.items()
        }

    def _score(self, rows, checkpoints):
        coefs = np.concatenate([c for c, _ in checkpoints.values()]).astype(np.float64)
        intercepts = np.concatenate([b for _, b in checkpoints.values()]).astype(np.float64)
        logits = np.empty((len(rows), len(coefs)))
        with blas_threads(self._n_threads):
            for start in range(0, len(rows), _SCORE_BLOCK):
                block = slice(start, start + _SCORE_BLOCK)
                logits[block] = _affine(rows[block], coefs, intercepts)
        table, start = {}, 0
        for key, (coef, _) in checkpoints.items():
            block = logits[:, start : start + len(coef)]
            start += len(coef)
            if np.isfinite(block).all():  # else the prediction's overflow handling runs
                table[key] = block
        return table

    # ---------------------------------------------------------------- costs

    def stacked_seconds(self, params, n_splits):
        """A fit's share of the runs that trained its models and scored them, per split
        (0 where no run stands for it)."""
        shares = []
        for split in range(n_splits):
            key = self.key(split, params)
            if key is None:
                continue
            run, model = key
            epochs = [m.n_epochs for m in self.models[run]]
            share = self.seconds[run] * epochs[model] / max(sum(epochs), 1)
            shares.append(share / max(self.plan.users(split, key), 1))
        return sum(shares) / n_splits
