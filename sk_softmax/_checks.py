"""What a fit refuses, and why: the checks of its data and its parameters.

Each raises a ``ValueError`` that says what is wrong and what to do instead;
the estimator calls them before anything changes.
"""

import sys

import numpy as np

from ._upstream import _check_partial_fit_first_call


class _TorchDeviceType(type):
    def __instancecheck__(cls, value):
        torch = sys.modules.get("torch")  # no torch imported: no torch.device either
        return torch is not None and isinstance(value, torch.device)


class TorchDevice(metaclass=_TorchDeviceType):
    """``torch.device`` as a parameter constraint, checked without importing torch."""


TorchDevice.__module__, TorchDevice.__qualname__ = "torch", "device"


def check_object_labels(y):
    """Refuse object labels that scikit-learn would reject with a TypeError or 'unknown'."""
    if y.dtype != object:
        return
    is_str = [isinstance(label, str) for label in y]
    if all(is_str):
        return
    example = y[is_str.index(False)]
    if any(is_str):
        raise ValueError(
            "y mixes string and non-string labels (e.g. "
            f"{y[is_str.index(True)]!r} and {example!r}); give all labels one type, "
            "e.g. y.astype(str)."
        )
    raise ValueError(
        "Unknown label type: y has dtype object but its labels are not strings (e.g. "
        f"{example!r} of type "
        f"{type(example).__name__}); convert y to one type first, e.g. y.astype(int)."
    )


def encode(y, classes):
    """Positions of the labels ``y`` in the sorted ``classes``; unknown labels are refused."""
    unseen = np.setdiff1d(y, classes)
    if unseen.size:
        raise ValueError(
            f"y contains labels that are not in classes_={classes.tolist()!r}: "
            f"{unseen[:10].tolist()!r}. Pass every label in `classes` on the first "
            "call to partial_fit, or refit from scratch (warm_start=False)."
        )
    return np.searchsorted(classes, y)


def check_partial_fit(estimator, classes):
    if not hasattr(estimator, "classes_") and classes is None:
        raise ValueError(
            "classes must be passed on the first call to partial_fit: the "
            "model needs every label in advance (e.g. classes=np.unique(y_all))."
        )
    if _check_partial_fit_first_call(estimator, classes) and len(estimator.classes_) < 2:
        raise ValueError("classes must hold at least 2 labels.")
    if estimator.class_weight == "balanced":
        raise ValueError(
            "class_weight='balanced' needs the class counts of all the data, "
            "which partial_fit never sees. Compute the weights once with "
            "sklearn.utils.class_weight.compute_class_weight and pass them "
            "as a dict."
        )
    if isinstance(estimator.optimizer, str) and estimator.optimizer == "lbfgs":
        raise ValueError(
            "partial_fit trains with a minibatch optimizer: a line search cannot span "
            "chunks of different rows. Use optimizer='auto' (Adam here), 'adam' or 'sgd'."
        )


def check_validation_split(validation_fraction, y_encoded, n_classes):
    counts = np.bincount(y_encoded, minlength=n_classes)
    n_valid = int(np.ceil(validation_fraction * len(y_encoded)))
    n_train = len(y_encoded) - n_valid
    if counts.min() < 2 or min(n_valid, n_train) < n_classes:
        raise ValueError(
            f"early_stopping=True holds out validation_fraction={validation_fraction}"
            f" of the {len(y_encoded)} samples, stratified by class: {n_valid} for "
            f"validation and {n_train} for training. Both need at least one sample of "
            f"each of the {n_classes} classes (the smallest class has {counts.min()}). "
            "Use more data, another validation_fraction, or early_stopping=False."
        )
