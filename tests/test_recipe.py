"""The decisions that make a model: here, the optimizer that "auto" stands for."""

import numpy as np
import pytest
import scipy.sparse as sp

from sk_softmax._recipe import (
    FULL_BATCH_LOGITS,
    FULL_BATCH_ROWS_PER_FEATURE,
    FULL_BATCH_VALUES,
    LR,
    DataSize,
    data_size,
    solver,
)


def test_the_size_counts_stored_values_of_the_rows_used():
    X = sp.csr_matrix(np.array([[1.0, 0, 0], [0, 2.0, 3.0], [0, 0, 0]]))
    assert data_size(X, 2) == DataSize(3, 3, 2, 3)
    assert data_size(X, 2, rows=np.array([1, 1, 2])) == DataSize(3, 3, 2, 4)  # repeats count
    assert data_size(np.zeros((5, 4)), 3, rows=np.arange(2)) == DataSize(2, 4, 3, 8)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (DataSize(150, 4, 3, 600), "lbfgs"),  # small
        (DataSize(1_275, 784, 10, 1_275 * 784), "lbfgs"),  # small: 999,600 values
        (DataSize(1_276, 784, 10, 1_276 * 784), "adam"),  # neither small nor tall
        (DataSize(60_000, 784, 10, 60_000 * 784), "adam"),
        (DataSize(150_000, 200, 5, 150_000 * 200), "lbfgs"),  # tall: 750 rows per feature
        (DataSize(15_000, 5_000, 5, 900_000), "lbfgs"),  # sparse, small in values
        (DataSize(15_000, 5_000, 5, 2_000_000), "adam"),
        (DataSize(2_000_000, 10, 10, 20_000_000), "adam"),  # tall, but too many logits
    ],
)
def test_auto_takes_lbfgs_on_small_or_tall_data_where_lr_is_left_to_it(size, expected):
    assert solver("auto", "auto", size, incremental=False) == (
        ("lbfgs", 1.0) if expected == "lbfgs" else ("adam", LR)
    )
    # A given lr trains with the minibatch optimizer that uses it, on any data.
    assert solver("auto", 0.5, size, incremental=False) == ("adam", 0.5)


def test_the_thresholds_are_the_documented_ones():
    assert (FULL_BATCH_VALUES, FULL_BATCH_ROWS_PER_FEATURE, FULL_BATCH_LOGITS) == (
        1_000_000,
        100,
        10_000_000,
    )


def test_partial_fit_and_explicit_optimizers_are_not_resolved():
    small = DataSize(150, 4, 3, 600)
    assert solver("auto", "auto", small, incremental=True) == ("adam", LR)
    for optimizer in ("adam", "sgd", "lbfgs", object):
        assert solver(optimizer, 0.5, small, incremental=False) == (optimizer, 0.5)


def test_lr_auto_is_the_documented_start_of_each_optimizer():
    small = DataSize(150, 4, 3, 600)
    assert LR == 0.03
    for optimizer, lr in (("adam", LR), ("sgd", LR), ("lbfgs", 1.0), (object, LR)):
        assert solver(optimizer, "auto", small, incremental=False) == (optimizer, lr)
