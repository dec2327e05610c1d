"""The data as stacked runs take it."""

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sk_softmax._recipe import DataSize
from sk_softmax.search._inputs import encoded_if_stackable, sizes, training_inputs


def test_every_training_set_must_hold_every_class():
    y = np.array(["b", "a", "b", "a"])
    encoded, classes = encoded_if_stackable(y, [np.array([0, 1]), np.array([2, 3])])
    np.testing.assert_array_equal(encoded, [1, 0, 1, 0])
    np.testing.assert_array_equal(classes, ["a", "b"])
    assert encoded_if_stackable(y, [np.array([0, 2])]) is None  # a split without "a"
    assert encoded_if_stackable(np.array([0.5, 1.5]), [np.arange(2)]) is None  # continuous


def test_any_x_becomes_float32_rows_and_the_size_counts_what_is_stored():
    y = (np.arange(6) % 2, np.array([0, 1]))
    for X in (
        np.eye(6, 3),
        pd.DataFrame(np.eye(6, 3)),
        np.eye(6, 3).tolist(),
        sp.csc_matrix(np.eye(6, 3)),
    ):
        data = training_inputs(X, [1.0] * 6, y)
        assert data[0].dtype == np.float32 and data[3].dtype == np.float64
        stored = 3 if sp.issparse(X) else 6 * 3
        assert sizes(data, [np.arange(6)]) == [DataSize(6, 3, 2, stored)]
