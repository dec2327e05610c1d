"""Minibatches by slicing whole tensors, in place of a per-sample DataLoader."""

import math

import torch
from torch.utils.data import Subset, TensorDataset


def _resolve(dataset):
    """Return the tensors behind ``dataset`` and the row indices it selects."""
    indices = None
    while isinstance(dataset, Subset):
        sub = torch.as_tensor(dataset.indices, dtype=torch.long)
        indices = sub if indices is None else sub[indices]
        dataset = dataset.dataset
    if not isinstance(dataset, TensorDataset):
        raise TypeError(
            "TensorBatchIterator needs a torch TensorDataset or a Subset of one, "
            f"got {type(dataset).__name__}."
        )
    return dataset.tensors, indices


class TensorBatchIterator:
    """Iterate over a :class:`~torch.utils.data.TensorDataset` in minibatches.

    A drop-in for skorch's ``iterator_train`` / ``iterator_valid``: skorch calls
    ``TensorBatchIterator(dataset, batch_size=..., shuffle=...)``. Each batch is
    a slice (or, when shuffling, one indexed gather) of the whole tensors, so
    there is no per-sample ``__getitem__`` and no collate step, and the batches
    stay on whatever device the tensors live on.

    Parameters
    ----------
    dataset : TensorDataset or Subset of one
        The tensors to iterate over, all with the same first dimension.
    batch_size : int
        Rows per batch; the last batch may be smaller. A batch size larger
        than the data gives one batch.
    shuffle : bool, default=False
        Draw a new permutation of the rows at the start of every pass.
    generator : torch.Generator or None, default=None
        CPU generator for the permutations. Pass the same generator to every
        iterator of one training run so that each epoch draws a new order and
        the whole run is reproducible from its seed.
    """

    def __init__(self, dataset, *, batch_size, shuffle=False, generator=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self._tensors, self._indices = _resolve(dataset)

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        tensors, indices = self._tensors, self._indices
        n = len(self.dataset)
        if self.shuffle:
            order = torch.randperm(n, generator=self.generator)
            indices = order if indices is None else indices[order]
        if indices is not None:
            indices = indices.to(tensors[0].device)
        for start in range(0, n, self.batch_size):
            stop = start + self.batch_size
            if indices is None:
                yield tuple(t[start:stop] for t in tensors)
            else:
                rows = indices[start:stop]
                yield tuple(t[rows] for t in tensors)
