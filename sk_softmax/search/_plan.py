"""Which candidates of a search train together: the plan of stacked runs.

A stacked run trains, on one split's training rows, every candidate whose
fit differs from the others' only in per-model values (:data:`PER_MODEL`):
one model per distinct setting, and a candidate that differs only in
``max_epochs`` reads its model's weights at that epoch (a checkpoint). The
optimizer ``"auto"`` stands for is resolved on each split's rows, as the
separate fit would resolve it. :class:`Plan` says, for every (split,
candidate), which run and which of its models stands for that fit, or that
none does (the candidate is then fitted on its own, as GridSearchCV fits it).
"""

from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator, clone

from .._estimator import SoftmaxClassifier
from .._recipe import DataSize, solver

PER_MODEL = (
    "lr",
    "alpha",
    "momentum",
    "init_std",
    "class_weight",
    "tol",
    "n_iter_no_change",
    "lr_schedule",
    "max_epochs",
)
"""Parameters each model of a run sets for itself (``max_epochs``: a checkpoint)."""

IGNORED = ("verbose", "warm_start")
"""Parameters without effect on a fresh fit's model."""


def same_value(a, b):
    """Whether two parameter values make the same fit.

    A RandomState counts by its state (scikit-learn hands every fit a copy of
    it), an estimator by its type and parameters (a clone is the same step).
    """
    if isinstance(a, np.random.RandomState) and isinstance(b, np.random.RandomState):
        return all(np.array_equal(x, y) for x, y in zip(a.get_state(), b.get_state(), strict=True))
    if isinstance(a, BaseEstimator) or isinstance(b, BaseEstimator):
        return (
            type(a) is type(b)
            and isinstance(a, BaseEstimator)
            and same_params(a.get_params(deep=False), b.get_params(deep=False))
        )
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # e.g. arrays, whose == is elementwise
        return a is b


def same_params(a, b, skip=()):
    """Whether two parameter dicts make the same fit, the names in ``skip`` aside."""
    keys = set(a) - set(skip)
    return keys == set(b) - set(skip) and all(same_value(a[k], b[k]) for k in keys)


def stackable(params):
    """Whether a stacked run can stand for a fit with these parameters: an optimizer by
    name (which one ``"auto"`` takes is decided on each split's rows), no hold-out, no
    callbacks."""
    return (
        isinstance(params["optimizer"], str)
        and not params["early_stopping"]
        and not params["callbacks"]
    )


@dataclass(eq=False)
class Run:
    """One stacked run: the models that train side by side on one split's rows.

    ``params`` are the run-level parameters (one member's), ``optimizer`` what
    they resolve to on these rows, ``settings`` one full parameter dict per
    model (its ``max_epochs`` the most any of its candidates asks for), and
    ``checkpoints`` the epoch counts whose weights are kept.
    """

    split: int
    size: DataSize
    optimizer: str
    params: dict
    settings: list = field(default_factory=list)
    checkpoints: set = field(default_factory=set)


class Plan:
    """The stacked runs of a search, and which model of which run stands for each fit.

    Parameters
    ----------
    base : dict
        The searched classifier's parameters.
    candidates : list of dict
        The candidates' values of its parameters, in the search's order.
    sizes : list of DataSize or None
        Each split's training rows (None: no candidate stacks on that split).
    """

    def __init__(self, base, candidates, sizes):
        self.base = dict(base)
        self.candidates = [{**base, **candidate} for candidate in candidates]
        self.runs = []
        self._model_of = {}  # (split, candidate) -> (run, model)
        for split, size in enumerate(sizes):
            if size is None:
                continue
            for index, params in enumerate(self.candidates):
                if stackable(params) and _valid(params):
                    self._place(split, size, index, params)

    def _place(self, split, size, index, params):
        optimizer, _ = solver(params["optimizer"], params["lr"], size, incremental=False)
        number = next(
            (
                i
                for i, r in enumerate(self.runs)
                if r.split == split
                and r.optimizer == optimizer
                and same_params(r.params, params, PER_MODEL + IGNORED)
            ),
            None,
        )
        if number is None:
            # A copy, as each separate fit gets (a RandomState draws its seeds from it).
            self.runs.append(Run(split, size, optimizer, clone(params, safe=False)))
            number = len(self.runs) - 1
        run = self.runs[number]
        setting = _find(run.settings, params, ("max_epochs", *IGNORED))
        if setting is None:
            run.settings.append(clone(params, safe=False))
            setting = len(run.settings) - 1
        known = run.settings[setting]
        known["max_epochs"] = max(known["max_epochs"], params["max_epochs"])
        run.checkpoints.add(params["max_epochs"])
        self._model_of[split, index] = (number, setting)

    def model(self, split, params):
        """``(run, model)`` indices of the model that stands for a fit with these
        parameters on ``split``, or None (a separate fit).

        Candidates that differ only in ``max_epochs`` share a model (its
        checkpoints), so ``max_epochs`` is not compared.
        """
        params = {**self.base, **params}
        for index, candidate in enumerate(self.candidates):
            key = self._model_of.get((split, index))
            if key is not None and same_params(candidate, params, ("max_epochs", *IGNORED)):
                return key
        return None

    def users(self, split, key):
        """How many candidates the model ``key`` (``(run, model)``) stands for on ``split``."""
        return sum(self._model_of.get((split, c)) == key for c in range(len(self.candidates)))


def _find(dicts, params, skip):
    """The index of the first of ``dicts`` that makes the same fit as ``params``, or None."""
    return next((i for i, d in enumerate(dicts) if same_params(d, params, skip)), None)


def _valid(params):
    try:
        SoftmaxClassifier(**params)._validate_params()
    except (ValueError, TypeError):
        return False
    return True
