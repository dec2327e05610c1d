"""Minibatches by slicing whole tensors, in place of a per-sample DataLoader."""

import math

import torch
from torch.utils.data import Subset, TensorDataset

from ._dataset import _take


def _resolve(dataset):
    """Return the dataset under any ``Subset`` layers and the row indices they select."""
    indices = None
    while isinstance(dataset, Subset):
        sub = torch.as_tensor(dataset.indices, dtype=torch.long)
        indices = sub if indices is None else sub[indices]
        dataset = dataset.dataset
    if isinstance(dataset, TensorDataset):
        tensors = dataset.tensors
        return (lambda rows: tuple(_take(t, rows) for t in tensors)), tensors[0].device, indices
    if hasattr(dataset, "batch") and hasattr(dataset, "device"):
        return dataset.batch, dataset.device, indices
    raise TypeError(
        "TensorBatchIterator needs a torch TensorDataset, a dataset with a "
        f"batch(rows) method, or a Subset of one; got {type(dataset).__name__}."
    )


class TensorBatchIterator:
    """Iterate over whole-tensor datasets in minibatches.

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
        Draw a new permutation of the rows at the start of every pass.
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

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        indices = self._indices
        n = len(self.dataset)
        if self.shuffle:
            order = torch.randperm(n, generator=self.generator)
            indices = order if indices is None else indices[order]
        if indices is not None:
            indices = indices.to(self._device)
        for start in range(0, n, self.batch_size):
            stop = start + self.batch_size
            yield self._batch(slice(start, stop) if indices is None else indices[start:stop])
