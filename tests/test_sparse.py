import numpy as np
import scipy.sparse as sp
import torch

from sk_softmax._sparse import SparseRows, sparse_linear


def _weights(n_features, n_classes):
    generator = torch.Generator().manual_seed(0)
    weight = torch.randn(n_classes, n_features, generator=generator, requires_grad=True)
    bias = torch.randn(n_classes, generator=generator, requires_grad=True)
    return weight, bias


def test_sparse_linear_matches_the_dense_product_and_its_gradients():
    X = sp.random(40, 300, density=0.05, format="csr", dtype=np.float32, random_state=0)
    weight, bias = _weights(300, 4)
    target = torch.randn(40, 4, generator=torch.Generator().manual_seed(1))

    out = sparse_linear(SparseRows(X, "cpu"), weight, bias)
    (out * target).sum().backward()
    sparse_grads = weight.grad.clone(), bias.grad.clone()
    weight.grad = bias.grad = None
    dense = torch.nn.functional.linear(torch.from_numpy(X.toarray()), weight, bias)
    (dense * target).sum().backward()

    torch.testing.assert_close(out, dense)
    torch.testing.assert_close(sparse_grads[0], weight.grad)
    torch.testing.assert_close(sparse_grads[1], bias.grad)
    assert sparse_grads[0].shape == weight.shape


def test_sparse_rows_are_the_rows_and_their_transpose_without_densifying():
    X = sp.random(5, 8, density=0.3, format="csr", dtype=np.float32, random_state=0)
    batch = SparseRows(X, "cpu")
    rows, rows_t = batch.rows, batch.rows_t
    assert len(batch) == 5
    assert rows.layout == rows_t.layout == torch.sparse_csr
    assert rows.dtype == torch.float32
    assert rows.values().numel() == X.nnz
    np.testing.assert_array_equal(rows.to_dense().numpy(), X.toarray())
    np.testing.assert_array_equal(rows_t.to_dense().numpy(), X.T.toarray())


def test_empty_rows_give_the_bias():
    X = sp.csr_matrix((3, 6), dtype=np.float32)
    weight, bias = _weights(6, 2)
    out = sparse_linear(SparseRows(X, "cpu"), weight, bias)
    torch.testing.assert_close(out, bias.expand(3, 2))
