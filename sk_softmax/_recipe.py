"""The decisions that make a model, taken once per training run for a fit and a search.

A :class:`~sk_softmax.SoftmaxClassifier` fit and a stacked run of a search
build the same :class:`Recipe` from the estimator's parameters and the data's
size (:func:`recipe`): the seeds behind the initial weights, the minibatch
order and the validation split; the optimizer and learning rate that
``"auto"`` stands for; the batch size; each model's penalty, momentum and
stopping rule. Both then train through the same code
(:class:`~sk_softmax._stack.Stack`), so a model comes out the same whichever
of them trains it.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight

SEED_MAX = np.iinfo(np.int32).max

LR = 0.03
"""What ``lr="auto"`` is for SGD, Adam and an optimizer class (L-BFGS: a step of 1)."""
LR_FACTOR = 10
"""``lr_schedule="adaptive"`` divides the learning rate by this at each plateau..."""
LR_DROPS = 2
"""...at most this many times, before the next plateau ends training."""

FULL_BATCH_VALUES = 1_000_000
"""``optimizer="auto"``: data of at most this many stored values is small."""
FULL_BATCH_ROWS_PER_FEATURE = 100
"""``optimizer="auto"``: data with at least this many rows per feature is tall."""
FULL_BATCH_LOGITS = 10_000_000
"""``optimizer="auto"``: L-BFGS only where rows x classes is at most this (its memory)."""


class Seeds(NamedTuple):
    """The seeds one ``random_state`` gives: initial weights, batch order, validation split."""

    init: int
    shuffle: int
    split: int


def seeds(random_state):
    """The three seeds of a fit with ``random_state`` (an int gives the same seeds every
    time; a RandomState is drawn from, as scikit-learn's estimators do)."""
    init, shuffle, split = check_random_state(random_state).randint(SEED_MAX, size=3)
    return Seeds(int(init), int(shuffle), int(split))


def initial_weights(n_classes, n_features, init_std, seed):
    """The initial weight matrix: ``N(0, init_std**2)`` from a private generator."""
    import torch

    generator = None if seed is None else torch.Generator().manual_seed(int(seed))
    return torch.empty(n_classes, n_features).normal_(0.0, init_std, generator=generator)


class DataSize(NamedTuple):
    """What ``optimizer="auto"`` looks at: the training data's size."""

    n_samples: int
    n_features: int
    n_classes: int
    n_stored: int  # rows x features where dense; the non-zero entries where sparse


def data_size(X, n_classes, rows=None):
    """The :class:`DataSize` of ``X`` (an array or sparse matrix), or of ``X[rows]``."""
    n_samples, n_features = X.shape
    if rows is not None:
        n_samples = len(rows)
    if not sp.issparse(X):
        return DataSize(n_samples, n_features, n_classes, n_samples * n_features)
    if rows is None:
        return DataSize(n_samples, n_features, n_classes, int(X.nnz))
    stored = np.diff(sp.csr_matrix(X).indptr)[np.asarray(rows)].sum()
    return DataSize(n_samples, n_features, n_classes, int(stored))


def solver(optimizer, lr, size, *, incremental):
    """``(optimizer, lr)`` a fit trains with: the ``"auto"`` values resolved for ``size``.

    ``optimizer="auto"`` takes full-batch L-BFGS only where ``lr`` is left to
    it too (``"auto"``), on data that is small (at most
    :data:`FULL_BATCH_VALUES` stored values) or tall (at least
    :data:`FULL_BATCH_ROWS_PER_FEATURE` rows per feature), while its rows x
    classes stay within :data:`FULL_BATCH_LOGITS`; its line search then
    starts from a step of 1. Everywhere else, and for ``partial_fit``
    (``incremental``: a pass over one chunk of a stream), it takes Adam.
    ``lr="auto"`` is :data:`LR` for the minibatch optimizers. A given ``lr``
    always trains with an optimizer that uses it.
    """
    if isinstance(optimizer, str) and optimizer == "auto":
        small = size.n_stored <= FULL_BATCH_VALUES
        tall = size.n_samples >= FULL_BATCH_ROWS_PER_FEATURE * size.n_features
        fits = size.n_samples * size.n_classes <= FULL_BATCH_LOGITS
        lbfgs = lr == "auto" and not incremental and fits and (small or tall)
        optimizer = "lbfgs" if lbfgs else "adam"
    if lr == "auto":
        lr = 1.0 if optimizer == "lbfgs" else LR
    return optimizer, lr


def auto_batch_size(n_samples):
    """``batch_size="auto"``: ``4 * sqrt(n)``, at most ``n / 8``, within [16, 4096]."""
    return int(np.clip(round(min(4 * np.sqrt(n_samples), n_samples / 8)), 16, 4096))


def resolved_alpha(alpha, n_samples_seen):
    """The ``alpha`` parameter's value: "auto" is ``1 / n_samples_seen`` (C=1.0)."""
    return 1.0 / n_samples_seen if alpha == "auto" else alpha


def row_weights(sample_weight, class_weight, classes, y_encoded, *, rescale):
    """Per-row loss weights (scaled to mean 1 with ``rescale``) or None, and their sum.

    ``sample_weight`` (checked, float64, or None) times each row's
    ``class_weight`` (computed on these rows' labels, as scikit-learn does).
    The sum is taken before rescaling; without weights it is the number of rows.
    """
    weights = sample_weight
    if class_weight is not None:
        per_class = compute_class_weight(class_weight, classes=classes, y=classes[y_encoded])
        if not (np.isfinite(per_class).all() and (per_class >= 0).all()):
            raise ValueError(
                f"class_weight={class_weight!r} gives weights {per_class.tolist()} "
                f"to classes {classes.tolist()}; class weights must be finite and >= 0."
            )
        per_row = per_class[y_encoded]
        weights = per_row if weights is None else weights * per_row
    if weights is None:
        return None, len(y_encoded)
    mean = weights.mean()
    if not mean > 0:
        raise ValueError(
            "The sample weights (times the class weights) are all zero: "
            "at least one sample must have a positive weight."
        )
    total = float(weights.sum())
    if rescale:
        weights = weights / mean
    return weights.astype(np.float32), total


@dataclass(frozen=True)
class ModelRecipe:
    """What one model of a run sets for itself."""

    lr: float
    alpha: float
    momentum: float  # 0 unless the optimizer is SGD
    init_std: float
    gtol: float  # L-BFGS: no gradient entry above this at the optimum
    tol: float  # the plateau rule's relative tolerance
    patience: int
    lr_drops: int  # plateaus that lower lr before one ends training
    max_epochs: int
    n_samples_seen: float


@dataclass(frozen=True)
class Recipe:
    """Every decision of one training run: the run's, then each model's.

    ``optimizer`` is ``"sgd"``, ``"adam"``, ``"lbfgs"`` or an optimizer class;
    ``batch_size`` is already clipped to the rows (the rows themselves for
    L-BFGS, whose batch is the data); ``monitor`` is what the plateau rule
    watches (``"train_loss"``, or ``"valid_acc"`` with early stopping).
    """

    optimizer: object
    batch_size: int
    seeds: Seeds
    monitor: str
    n_threads: object
    models: tuple

    @property
    def optimizer_name(self):
        """What the history records as the epoch's optimizer: ``"sgd"``, ``"adam"``,
        ``"lbfgs"`` or the optimizer class's name."""
        return self.optimizer if isinstance(self.optimizer, str) else self.optimizer.__name__

    @property
    def full_batch(self):
        """L-BFGS, ours or torch's class, trains on the whole data at every step."""
        return _full_batch(self.optimizer)

    def optimizer_arguments(self):
        """``(lr, settings)`` of the run's :class:`~sk_softmax._optim.SoftmaxOptimizer`:
        each model's value, a float for one model and a list for many."""

        def per_model(name):
            values = [getattr(model, name) for model in self.models]
            return values[0] if len(values) == 1 else values

        settings = {
            "momentum": per_model("momentum"),
            "gtol": per_model("gtol"),
            "n_models": len(self.models),
        }
        return per_model("lr"), settings


def recipe(run, settings, size, n_samples_seen, *, incremental=False):
    """The :class:`Recipe` of a run with parameters ``run``, one model per ``settings``.

    ``run`` and each of ``settings`` are full estimator parameter dicts (a fit
    passes its own as both; a stacked run, the candidates that share the
    run-level values); ``size`` is the :class:`DataSize` of the training rows
    and ``n_samples_seen`` each model's rows counted by their weight.
    """
    optimizer, _ = solver(run["optimizer"], run["lr"], size, incremental=incremental)
    n_samples = size.n_samples
    if _full_batch(optimizer):
        batch_size = n_samples
    else:
        wanted = run["batch_size"]
        batch_size = min(auto_batch_size(n_samples) if wanted == "auto" else wanted, n_samples)
    models = tuple(
        _model(params, optimizer, size, seen, incremental)
        for params, seen in zip(settings, n_samples_seen, strict=True)
    )
    validate = run["early_stopping"] and not incremental
    return Recipe(
        optimizer=optimizer,
        batch_size=batch_size,
        seeds=seeds(run["random_state"]),
        monitor="valid_acc" if validate else "train_loss",
        n_threads=run["n_threads"],
        models=models,
    )


def _full_batch(optimizer):
    if isinstance(optimizer, type):  # torch.optim.LBFGS or a subclass: a line search
        return any(
            c.__name__ == "LBFGS" and c.__module__.startswith("torch.optim")
            for c in optimizer.__mro__
        )
    return optimizer == "lbfgs"


def _model(params, optimizer, size, n_samples_seen, incremental):
    _, lr = solver(params["optimizer"], params["lr"], size, incremental=incremental)
    # A full batch has no noise floor that a smaller step would get below.
    adaptive = params["lr_schedule"] == "adaptive" and not _full_batch(optimizer)
    return ModelRecipe(
        lr=float(lr),
        alpha=float(resolved_alpha(params["alpha"], n_samples_seen)),
        momentum=float(params["momentum"]) if optimizer == "sgd" else 0.0,
        init_std=float(params["init_std"]),
        gtol=params["tol"] / 10,
        tol=params["tol"],
        patience=params["n_iter_no_change"],
        lr_drops=LR_DROPS if adaptive else 0,
        max_epochs=params["max_epochs"],
        n_samples_seen=n_samples_seen,
    )
