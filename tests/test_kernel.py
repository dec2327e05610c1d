"""The training step's arithmetic: autograd's values, in an order no thread count changes."""

import pytest
import torch

from sk_softmax._kernel import chunks, fixed_sum, logits, loss_and_gradients


@pytest.mark.parametrize("n_rows", [1, 15, 16, 33, 147, 256, 257, 1000, 4099])
def test_chunks_cover_the_rows_in_equal_parts(n_rows):
    n_chunks, per_chunk, padding = chunks(n_rows)
    assert 1 <= n_chunks <= 8
    assert n_chunks * per_chunk == n_rows + padding
    assert 0 <= padding < n_chunks


def _problem(n_rows, n_models, n_classes, n_features, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.rand(n_rows, n_features, generator=g)
    y = torch.randint(0, n_classes, (n_rows,), generator=g)
    coef = torch.randn(n_models * n_classes, n_features, generator=g) * 0.1
    intercept = torch.randn(n_models * n_classes, generator=g) * 0.1
    scaled = torch.rand(n_models, n_rows, generator=g) / n_rows
    alphas = torch.rand(n_models, generator=g) * 1e-2
    return X, y, coef, intercept, scaled, alphas


def _step(X, y, coef, intercept, scaled, alphas):
    grads = torch.empty_like(coef), torch.empty_like(intercept)
    loss, out = loss_and_gradients(X, y, coef, intercept, scaled, alphas, *grads)
    return loss, out, grads


# (rows, models, classes, features): minibatches, a padded batch (147 rows), a tiny one,
# and a full batch whose sums over rows hold more values than torch's grain size.
SHAPES = [(256, 3, 10, 784), (147, 1, 10, 30), (100, 2, 3, 13), (5, 1, 2, 4), (40_000, 1, 3, 8)]


@pytest.mark.parametrize("shape", SHAPES)
def test_loss_and_gradients_are_autograds(shape):
    X, y, coef, intercept, scaled, alphas = _problem(*shape)
    loss, out, (grad_coef, grad_intercept) = _step(X, y, coef, intercept, scaled, alphas)
    n_models, n_classes = len(alphas), coef.shape[0] // len(alphas)
    # The reference in float64: float32 sums of hundreds of terms differ from
    # each other in their last bits, by CPU and by summation order.
    X, scaled, alphas = X.double(), scaled.double(), alphas.double()
    w, b = coef.double().requires_grad_(), intercept.double().requires_grad_()
    z = X @ w.T + b
    nll = torch.nn.functional.cross_entropy(
        z.view(len(X), n_models, n_classes).transpose(1, 2),
        y[:, None].expand(-1, n_models),
        reduction="none",
    )  # (rows, models)
    expected = (scaled.T * nll).sum(0) + 0.5 * alphas * w.square().view(n_models, -1).sum(1)
    expected.sum().backward()
    close = dict(rtol=1e-5, atol=1e-5, check_dtype=False)
    torch.testing.assert_close(out, z.detach(), **close)
    torch.testing.assert_close(loss, expected.detach(), **close)
    torch.testing.assert_close(grad_coef, w.grad, **close)
    torch.testing.assert_close(grad_intercept, b.grad, **close)


@pytest.mark.parametrize("shape", SHAPES)
def test_the_thread_count_changes_no_bit(shape, two_threads):
    problem = _problem(*shape)
    results = []
    for n_threads in (1, 2):
        torch.set_num_threads(n_threads)
        loss, out, grads = _step(*problem)
        autograd_coef = problem[2].clone().requires_grad_()
        logits(problem[0], autograd_coef, problem[3]).sum().backward()
        results.append([loss, out, *grads, autograd_coef.grad, fixed_sum(problem[0].ravel())])
    for one, two in zip(*results, strict=True):
        assert torch.equal(one, two)


@pytest.mark.parametrize("shape", SHAPES[:3])
def test_no_penalty_is_a_zero_penalty_bit_for_bit(shape):
    X, y, coef, intercept, scaled, alphas = _problem(*shape)
    without = _step(X, y, coef, intercept, scaled, None)
    zero = _step(X, y, coef, intercept, scaled, torch.zeros_like(alphas))
    loss, out, grads = without
    for a, b in zip([loss, out, *grads], [zero[0], zero[1], *zero[2]], strict=True):
        assert torch.equal(a, b)
