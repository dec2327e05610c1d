"""StackedOptimizer: torch's Adam and SGD, with a learning rate (and momentum) per model."""

import pytest
import torch

from sk_softmax.search._stacked_optim import StackedOptimizer

LRS = [0.1, 0.01, 0.003]
MOMENTA = [0.0, 0.9, 0.5]


def torch_steps(kind, lr, momentum, start, grads):
    """The same steps by torch's own optimizer, on one model's tensors."""
    params = [torch.nn.Parameter(t.clone()) for t in start]
    if kind == "adam":
        optimizer = torch.optim.Adam(params, lr=lr)
    else:
        optimizer = torch.optim.SGD(params, lr=lr, momentum=momentum)
    for step in grads:
        for param, grad in zip(params, step, strict=True):
            param.grad = grad.clone()
        optimizer.step()
    return [p.detach() for p in params]


@pytest.mark.parametrize("kind", ["adam", "sgd"])
def test_each_model_steps_as_torchs_optimizer_would(kind):
    generator = torch.Generator().manual_seed(0)
    n_models, n_classes, n_features = len(LRS), 4, 6
    coef = torch.randn(n_models * n_classes, n_features, generator=generator)
    intercept = torch.randn(n_models * n_classes, generator=generator)
    grads = [
        [
            torch.randn(coef.shape, generator=generator),
            torch.randn(intercept.shape, generator=generator),
        ]
        for _ in range(5)
    ]
    start = [coef.clone(), intercept.clone()]
    optimizer = StackedOptimizer(
        kind, [coef, intercept], n_classes, torch.tensor(LRS), torch.tensor(MOMENTA)
    )
    for step in grads:
        optimizer.step(step)
    for m, (lr, momentum) in enumerate(zip(LRS, MOMENTA, strict=True)):
        rows = slice(m * n_classes, (m + 1) * n_classes)
        expected = torch_steps(
            kind, lr, momentum, [t[rows] for t in start], [[g[rows] for g in s] for s in grads]
        )
        torch.testing.assert_close(coef[rows], expected[0], rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(intercept[rows], expected[1], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kind", ["adam", "sgd"])
def test_models_that_leave_take_their_state_with_them(kind):
    # Dropping a model mid-run leaves the others exactly where they would be.
    generator = torch.Generator().manual_seed(1)
    coef = torch.randn(6, 3, generator=generator)
    grads = [torch.randn(6, 3, generator=generator) for _ in range(4)]
    lrs, momenta = torch.tensor(LRS), torch.tensor(MOMENTA)
    full = coef.clone()
    all_three = StackedOptimizer(kind, [full], 2, lrs, momenta)
    for grad in grads:
        all_three.step([grad])
    kept = coef.clone()
    two = StackedOptimizer(kind, [kept], 2, lrs, momenta)
    two.step([grads[0]])
    two.step([grads[1]])
    keep = torch.tensor([0, 2])
    kept = kept.view(3, 2, 3)[keep].reshape(4, 3)
    two.keep(keep, [kept])
    rows = torch.tensor([0, 1, 4, 5])
    for grad in grads[2:]:
        two.step([grad[rows]])
    torch.testing.assert_close(kept, full[rows])


def test_a_lowered_learning_rate_applies_from_the_next_step():
    coef = torch.zeros(2, 1)
    optimizer = StackedOptimizer("sgd", [coef], 1, torch.tensor([1.0, 1.0]), torch.zeros(2))
    optimizer.set_lr(1, 0.1)
    optimizer.step([torch.ones(2, 1)])
    torch.testing.assert_close(coef, torch.tensor([[-1.0], [-0.1]]))
