"""Sparse minibatches: rows of a CSR matrix and the linear map over them."""

import warnings

import numpy as np
import torch


def _csr_tensor(X, device):
    with warnings.catch_warnings():
        # torch warns once that its CSR layout is in beta; the products used
        # here (CSR @ dense, on CPU and CUDA) are the supported core of it.
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        tensor = torch.sparse_csr_tensor(
            torch.from_numpy(X.indptr.astype(np.int64, copy=False)),
            torch.from_numpy(X.indices.astype(np.int64, copy=False)),
            torch.from_numpy(X.data),
            size=X.shape,
            check_invariants=False,
        )
    return tensor.to(device)


class SparseRows:
    """A minibatch of sparse rows: the rows and their transpose as torch CSR tensors.

    The transpose, built by scipy in one linear pass, lets the backward pass
    compute the weight gradient as another CSR @ dense product; torch would
    otherwise transpose by sorting all the nonzeros of every batch, several
    times slower than the whole forward and backward pass. ``len()`` is the
    number of rows, which is what skorch asks a batch for.

    Parameters
    ----------
    X : scipy CSR matrix, float32, with sorted indices
    device : torch.device
    """

    def __init__(self, X, device):
        self.rows = _csr_tensor(X, device)
        self.rows_t = _csr_tensor(X.T.tocsr(), device)

    def __len__(self):
        return self.rows.shape[0]


class _SparseLinear(torch.autograd.Function):
    """``rows @ weight.T``, with the weight gradient ``(rows.T @ grad).T``."""

    @staticmethod
    def forward(ctx, rows, rows_t, weight):
        ctx.rows_t = rows_t
        return rows @ weight.T

    @staticmethod
    def backward(ctx, grad):
        return None, None, (ctx.rows_t @ grad).T


def sparse_linear(X, weight, bias):
    """``X @ weight.T + bias`` for :class:`SparseRows` ``X``, never densified."""
    return _SparseLinear.apply(X.rows, X.rows_t, weight) + bias
