"""The data as the stacked runs take it, and the size that decides each run's optimizer."""

import numpy as np
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array

from .._recipe import data_size


def encoded_if_stackable(y, row_sets):
    """``(y encoded, classes)`` where every training set holds every class, else None.

    Else the candidates are fitted one by one: SoftmaxClassifier's own fit
    says what is wrong with ``y``, or fits a split without a class as
    GridSearchCV would.
    """
    if type_of_target(y) not in ("binary", "multiclass"):
        return None
    classes, y_encoded = np.unique(y, return_inverse=True)
    if any(len(np.unique(y_encoded[rows])) < len(classes) for rows in row_sets):
        return None
    return y_encoded, classes


def training_inputs(X, sample_weight, encoded):
    """``(X as float32 C rows, y encoded, classes, float64 sample weights or None)``:
    the data as the stacked runs take it (``encoded`` is ``(y encoded, classes)``)."""
    X32 = check_array(X, accept_sparse="csr", dtype=np.float32, order="C")
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
    return X32, *encoded, sample_weight


def sizes(data, row_sets):
    """The :class:`~sk_softmax._recipe.DataSize` of each training set of ``data``
    (:func:`training_inputs`' tuple): what ``optimizer="auto"`` decides by."""
    X, _, classes, _ = data
    return [data_size(X, len(classes), rows) for rows in row_sets]
