"""The training data as the estimator hands it to skorch: converted once, sliced per batch."""

import warnings

import numpy as np
import scipy.sparse as sp
import torch
from torch.utils.data import Dataset


def as_tensor(array, device, dtype=None):
    """Share ``array``'s memory with a tensor where possible, then move it once."""
    with warnings.catch_warnings():
        # Read-only input (e.g. a memmap) is only ever read, never written.
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        tensor = torch.as_tensor(array, dtype=dtype)
    return tensor.to(device)


def sparse_to_tensor(X, device):
    """A scipy sparse matrix as a coalesced torch sparse COO tensor on ``device``."""
    coo = X.tocoo()
    coo.sum_duplicates()
    indices = np.vstack([coo.row, coo.col]).astype(np.int64)
    tensor = torch.sparse_coo_tensor(
        torch.from_numpy(indices),
        torch.from_numpy(np.asarray(coo.data, dtype=np.float32)),
        size=coo.shape,
        is_coalesced=True,
        check_invariants=False,
    )
    return tensor.to(device)


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
    matrix and each batch of rows becomes a torch sparse tensor, so the
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
        self.X = X.tocsr() if sp.issparse(X) else as_tensor(X, self.device)
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
            X = sparse_to_tensor(self.X[host_rows], self.device)
        y = _take(self.y, rows)
        if self.sample_weight is None:
            return X, y
        return {"X": X, "sample_weight": _take(self.sample_weight, rows)}, y
