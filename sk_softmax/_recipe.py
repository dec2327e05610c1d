"""The decisions that make a model, in one place for both engines.

A :class:`~sk_softmax.SoftmaxClassifier` fit (through skorch) and a model of
a stacked run of :class:`~sk_softmax.SoftmaxSearchCV` take every decision
here: the seeds behind the initial weights and the minibatch order, the
initial weights, the per-row weights (sample x class weight, rescaled to mean
1), the optimizer, batch size and ``alpha`` that ``"auto"`` stands for. The step itself
is :func:`sk_softmax._kernel.loss_and_gradients`, the stopping rule
:class:`sk_softmax._convergence.PlateauRule` and the thread policy
:class:`sk_softmax._threads.ThreadPolicy`, each also shared.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight

SEED_MAX = np.iinfo(np.int32).max


class Seeds(NamedTuple):
    """The seeds one ``random_state`` gives: initial weights, batch order, validation split."""

    init: int
    shuffle: int
    split: int


def seeds(random_state):
    """The three seeds of a fit with ``random_state`` (an int gives the same seeds every time)."""
    init, shuffle, split = check_random_state(random_state).randint(SEED_MAX, size=3)
    return Seeds(int(init), int(shuffle), int(split))


def initial_weights(n_classes, n_features, init_std, seed):
    """The initial weight matrix: ``N(0, init_std**2)`` from a private generator."""
    import torch

    generator = None if seed is None else torch.Generator().manual_seed(int(seed))
    return torch.empty(n_classes, n_features).normal_(0.0, init_std, generator=generator)


def batch_order(n_rows, generator):
    """One epoch's order of the rows: a permutation drawn from the run's generator."""
    import torch

    return torch.randperm(n_rows, generator=generator)


FULL_BATCH_VALUES = 1_000_000
"""``optimizer="auto"``: data of at most this many stored values is small."""
FULL_BATCH_ROWS_PER_FEATURE = 100
"""``optimizer="auto"``: data with at least this many rows per feature is tall."""
FULL_BATCH_LOGITS = 10_000_000
"""``optimizer="auto"``: L-BFGS only where rows x classes is at most this (its memory)."""


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
    """``(optimizer, lr)`` a fit trains with: ``optimizer="auto"`` resolved for ``size``.

    ``"auto"`` takes full-batch L-BFGS, which converges in a few dozen passes
    where the minibatch optimizers' cost is in their many small steps, on
    data that is small (at most :data:`FULL_BATCH_VALUES` stored values) or
    tall (at least :data:`FULL_BATCH_ROWS_PER_FEATURE` rows per feature:
    well determined, where early stopping has nothing to regularise), while
    its rows x classes stay within :data:`FULL_BATCH_LOGITS`; L-BFGS's line
    search then starts from a step of 1 (``lr`` is Adam's). Else, and for
    ``partial_fit`` (``incremental``: a pass over one chunk of a stream),
    Adam with ``lr``. Other values are returned as they are.
    """
    if not (isinstance(optimizer, str) and optimizer == "auto"):
        return optimizer, lr
    small = size.n_stored <= FULL_BATCH_VALUES
    tall = size.n_samples >= FULL_BATCH_ROWS_PER_FEATURE * size.n_features
    fits = size.n_samples * size.n_classes <= FULL_BATCH_LOGITS
    if not incremental and fits and (small or tall):
        return "lbfgs", 1.0
    return "adam", lr


def auto_batch_size(n_samples):
    """``batch_size="auto"``: ``4 * sqrt(n)``, at most ``n / 8``, within [16, 4096]."""
    return int(np.clip(round(min(4 * np.sqrt(n_samples), n_samples / 8)), 16, 4096))


def resolved_batch_size(batch_size, n_samples):
    """The ``batch_size`` parameter's value for ``n_samples`` rows ("auto" resolved)."""
    return auto_batch_size(n_samples) if batch_size == "auto" else batch_size


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
