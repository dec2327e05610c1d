"""The decisions that make a model, in one place for both engines.

A :class:`~sk_softmax.SoftmaxClassifier` fit (through skorch) and a model of
a stacked run of :class:`~sk_softmax.SoftmaxSearchCV` take every decision
here: the seeds behind the initial weights and the minibatch order, the
initial weights, the per-row weights (sample x class weight, rescaled to mean
1), the batch size and ``alpha`` that ``"auto"`` stands for. The step itself
is :func:`sk_softmax._kernel.loss_and_gradients`, the stopping rule
:class:`sk_softmax._convergence.PlateauRule` and the thread policy
:class:`sk_softmax._threads.ThreadPolicy`, each also shared.
"""

from typing import NamedTuple

import numpy as np
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
