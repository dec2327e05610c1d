import numpy as np
import pytest
import scipy.sparse as sp
import torch
from torch.utils.data import DataLoader, Subset, TensorDataset

from sk_softmax import TensorBatchIterator
from sk_softmax._batches import ArrayDataset


@pytest.fixture
def dataset():
    X = torch.arange(20, dtype=torch.float32).reshape(10, 2)
    y = torch.arange(10)
    return TensorDataset(X, y)


@pytest.mark.parametrize("batch_size", [1, 3, 4, 10, 25])
def test_unshuffled_batches_equal_dataloader_batches(dataset, batch_size):
    ours = list(TensorBatchIterator(dataset, batch_size=batch_size))
    theirs = list(DataLoader(dataset, batch_size=batch_size))
    assert len(ours) == len(theirs) == len(TensorBatchIterator(dataset, batch_size=batch_size))
    for (X_a, y_a), (X_b, y_b) in zip(ours, theirs, strict=True):
        assert torch.equal(X_a, X_b)
        assert torch.equal(y_a, y_b)


def test_unshuffled_batches_are_views_not_copies(dataset):
    X_batch, _ = next(iter(TensorBatchIterator(dataset, batch_size=4)))
    assert X_batch.data_ptr() == dataset.tensors[0].data_ptr()


def test_shuffled_epoch_covers_every_row_once_in_a_new_order(dataset):
    iterator = TensorBatchIterator(
        dataset, batch_size=3, shuffle=True, generator=torch.Generator().manual_seed(0)
    )
    first = torch.cat([y for _, y in iterator])
    second = torch.cat([y for _, y in iterator])
    assert sorted(first.tolist()) == list(range(10))
    assert sorted(second.tolist()) == list(range(10))
    assert not torch.equal(first, second)


def test_rows_stay_paired_when_shuffled(dataset):
    iterator = TensorBatchIterator(
        dataset, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(3)
    )
    for X, y in iterator:
        assert torch.equal(X[:, 0], 2 * y.float())


def test_same_seed_gives_same_order(dataset):
    def order(seed):
        generator = torch.Generator().manual_seed(seed)
        iterator = TensorBatchIterator(dataset, batch_size=4, shuffle=True, generator=generator)
        return torch.cat([y for _, y in iterator])

    assert torch.equal(order(5), order(5))
    assert not torch.equal(order(5), order(6))


def test_subset_selects_its_rows(dataset):
    subset = Subset(Subset(dataset, [9, 7, 5, 3, 1]), [0, 2, 4])
    batches = list(TensorBatchIterator(subset, batch_size=2))
    assert torch.cat([y for _, y in batches]).tolist() == [9, 5, 1]
    assert len(TensorBatchIterator(subset, batch_size=2)) == 2


def test_other_datasets_are_refused():
    with pytest.raises(TypeError, match="TensorDataset, sk_softmax's ArrayDataset"):
        TensorBatchIterator([(1, 2)], batch_size=1)


# ------------------------------------------------------------ ArrayDataset


def test_array_dataset_shares_memory_with_float32_input():
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    dataset = ArrayDataset(X, np.arange(6), device="cpu")
    assert dataset.X.data_ptr() == X.ctypes.data and len(dataset) == 6


def test_weighted_batches_follow_skorchs_convention():
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    dataset = ArrayDataset(X, np.arange(6), np.linspace(1, 2, 6), device="cpu")
    inputs, y = dataset.batch(torch.tensor([4, 1]))
    assert y.tolist() == [4, 1]
    assert torch.equal(inputs["X"], torch.tensor([[8.0, 9.0], [2.0, 3.0]]))
    assert inputs["sample_weight"].dtype == torch.float32
    assert inputs["sample_weight"].tolist() == pytest.approx([1.8, 1.2])


def test_sparse_rows_become_sparse_tensors_never_dense_copies():
    X = sp.random(50, 1000, density=0.01, format="csr", dtype=np.float32, random_state=0)
    dataset = ArrayDataset(X, np.zeros(50, dtype=np.int64), device="cpu")
    batch, _ = dataset.batch(slice(10, 20))
    assert len(batch) == 10
    assert batch.rows.layout == torch.sparse_csr
    np.testing.assert_array_equal(batch.rows.to_dense().numpy(), X[10:20].toarray())
    batch, _ = next(iter(TensorBatchIterator(dataset, batch_size=7)))
    assert batch.rows.shape == (7, 1000)


def test_sparse_rows_with_duplicate_or_unsorted_entries_are_summed():
    # Column 3 twice in row 0, columns out of order in row 1.
    X = sp.csr_matrix(
        (np.float32([1, 2, 5, 4]), np.array([3, 3, 2, 0]), np.array([0, 2, 4])), shape=(2, 4)
    )
    dataset = ArrayDataset(X, np.zeros(2, dtype=np.int64), device="cpu")
    batch, _ = dataset.batch(torch.tensor([1, 0]))
    np.testing.assert_array_equal(batch.rows.to_dense().numpy(), [[4, 0, 5, 0], [0, 0, 0, 3]])
    assert X.data.tolist() == [1, 2, 5, 4]  # the caller's matrix is left alone
