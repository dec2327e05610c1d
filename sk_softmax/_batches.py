"""Minibatches as slices of whole tensors: the training data and the iterator over it."""

import math
import warnings

import scipy.sparse as sp
import torch
from torch.utils.data import Dataset, Subset, TensorDataset

from ._sparse import SparseRows


def as_tensor(array, device, dtype=None):
    """Share ``array``'s memory with a tensor where possible, then move it once."""
    with warnings.catch_warnings():
        # Read-only input (e.g. a memmap) is only ever read, never written.
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        tensor = torch.as_tensor(array, dtype=dtype)
    return tensor.to(device)


def _canonical_csr(X):
    """``X`` as CSR with sorted, unique column indices in every row (copied only if needed)."""
    X = X.tocsr()
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return X


def _take(tensor, rows):
    """``tensor[rows]``; a gather of whole rows goes through ``index_select``.

    On the CPU, ``index_select`` copies each row in one piece, about twice as
    fast as advanced indexing, which copies element by element.
    """
    if isinstance(rows, slice):
        return tensor[rows]
    return tensor.index_select(0, rows)


class ArrayDataset(Dataset):
    """Features, encoded labels and optional sample weights, ready for training.

    Dense ``X`` becomes one tensor on the device (sharing memory with a
    float32 C-contiguous array on the CPU); sparse ``X`` stays a scipy CSR
    matrix and each batch of rows becomes a :class:`~sk_softmax._sparse.SparseRows` (torch CSR
    tensors), so the
    whole matrix is never densified. A batch is ``(X_batch, y_batch)``, or
    ``({"X": X_batch, "sample_weight": w_batch}, y_batch)`` when there are
    weights: skorch's convention for passing sample weights to the loss.

    Parameters
    ----------
    X : ndarray or scipy CSR matrix of shape (n_samples, n_features), float32
    y : ndarray of shape (n_samples,), int
    sample_weight : ndarray of shape (n_samples,) or None
    device : torch.device
    """

    def __init__(self, X, y, sample_weight=None, *, device):
        self.device = torch.device(device)
        self.X = _canonical_csr(X) if sp.issparse(X) else as_tensor(X, self.device)
        self.y = as_tensor(y, self.device, torch.long)
        self.sample_weight = (
            None if sample_weight is None else as_tensor(sample_weight, self.device, torch.float32)
        )

    def __len__(self):
        return self.y.shape[0]

    def __getitem__(self, index):
        return self.batch(torch.as_tensor([index]))

    def batch(self, rows):
        """The batch of ``rows``, a slice or a 1-D tensor of row indices."""
        if isinstance(self.X, torch.Tensor):
            X = _take(self.X, rows)
        else:
            host_rows = rows if isinstance(rows, slice) else rows.cpu().numpy()
            X = SparseRows(self.X[host_rows], self.device)
        y = _take(self.y, rows)
        if self.sample_weight is None:
            return X, y
        return {"X": X, "sample_weight": _take(self.sample_weight, rows)}, y


def _resolve(dataset):
    """Return a ``batch(rows)`` function, its device and the rows any ``Subset`` selects."""
    indices = None
    while isinstance(dataset, Subset):
        sub = torch.as_tensor(dataset.indices, dtype=torch.long)
        indices = sub if indices is None else sub[indices]
        dataset = dataset.dataset
    if isinstance(dataset, TensorDataset):
        tensors = dataset.tensors
        return (lambda rows: tuple(_take(t, rows) for t in tensors)), tensors[0].device, indices
    if isinstance(dataset, ArrayDataset):
        return dataset.batch, dataset.device, indices
    raise TypeError(
        "TensorBatchIterator needs a torch TensorDataset, sk_softmax's ArrayDataset, "
        f"or a Subset of one; got {type(dataset).__name__}."
    )


class TensorBatchIterator:
    """Iterate over whole-tensor datasets in minibatches.

    Read more in the :ref:`User Guide <model>`.

    A drop-in for skorch's ``iterator_train`` / ``iterator_valid``: skorch calls
    ``TensorBatchIterator(dataset, batch_size=..., shuffle=...)``. Each batch is
    a slice (or, when shuffling, one indexed gather) of the whole tensors, so
    there is no per-sample ``__getitem__`` and no collate step, and the batches
    stay on whatever device the tensors live on.

    Parameters
    ----------
    dataset : TensorDataset, sk_softmax's ArrayDataset, or a Subset of one
        The data to iterate over.
    batch_size : int
        Rows per batch; the last batch may be smaller. A batch size larger
        than the data gives one batch.
    shuffle : bool, default=False
        Draw a new permutation of the rows at the start of every pass. Without
        it, every pass gives the same batches, gathered on the first (a full
        batch of L-BFGS, a validation set).
    generator : torch.Generator or None, default=None
        CPU generator for the permutations. Pass the same generator to every
        iterator of one training run so that each epoch draws a new order and
        the whole run is reproducible from its seed.

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> data = TensorDataset(torch.arange(5.0), torch.arange(5))
    >>> [y.tolist() for _, y in TensorBatchIterator(data, batch_size=2)]
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, dataset, *, batch_size, shuffle=False, generator=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self._batch, self._device, self._indices = _resolve(dataset)
        self._same_every_pass = None

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        if not self.shuffle:  # the same batches every pass: gathered once
            if self._same_every_pass is None:
                self._same_every_pass = list(self._batches(self._indices))
            return iter(self._same_every_pass)
        order = torch.randperm(len(self.dataset), generator=self.generator)
        return self._batches(order if self._indices is None else self._indices[order])

    def _batches(self, indices):
        if indices is not None:
            indices = indices.to(self._device)
        for start in range(0, len(self.dataset), self.batch_size):
            stop = start + self.batch_size
            yield self._batch(slice(start, stop) if indices is None else indices[start:stop])
