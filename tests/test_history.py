"""History: skorch's indexing of epoch rows, without torch."""

import pytest
from skorch.history import History as SkorchHistory

from sk_softmax._history import History

ROWS = [
    {"epoch": 1, "train_loss": 0.9, "batches": [{"train_loss": 1.0}, {"train_loss": 0.8}]},
    {"epoch": 2, "train_loss": 0.5, "valid_acc": 0.7, "batches": [{"train_loss": 0.6}]},
]


@pytest.mark.parametrize(
    "index",
    [
        -1,
        0,
        slice(None),
        (slice(None), "train_loss"),
        (slice(None), ("epoch", "train_loss")),
        (-1, "valid_acc"),
        (slice(None), "valid_acc"),
        (-1, "batches"),
        (-1, "batches", -1),
        (0, "batches", slice(None), "train_loss"),
        (slice(None), "batches", -1, "train_loss"),
    ],
)
def test_indexing_is_skorchs(index):
    assert History(ROWS)[index] == SkorchHistory(ROWS)[index]


@pytest.mark.parametrize("index", [(slice(None), "nothing"), (-1, "train_loss", 0)])
def test_missing_keys_are_key_errors_as_in_skorch(index):
    with pytest.raises(KeyError):
        SkorchHistory(ROWS)[index]
    with pytest.raises(KeyError):
        History(ROWS)[index]
