"""SoftmaxOptimizer: torch's SGD and Adam updates, many models at once, one lr each."""

import numpy as np
import pytest
import torch

from sk_softmax._optim import SoftmaxOptimizer, lower_lr, model_lrs, resolve_optimizer

N_MODELS, N_CLASSES, N_FEATURES = 3, 4, 5


def weights(seed=0):
    generator = torch.Generator().manual_seed(seed)
    coef = torch.randn(N_MODELS * N_CLASSES, N_FEATURES, generator=generator)
    return coef, torch.randn(N_MODELS * N_CLASSES, generator=generator)


def gradients(step):
    generator = torch.Generator().manual_seed(100 + step)
    return torch.randn(N_MODELS * N_CLASSES, N_FEATURES, generator=generator), torch.randn(
        N_MODELS * N_CLASSES, generator=generator
    )


def steps(optimizer, params, n_steps=5):
    for step in range(n_steps):
        grads = gradients(step)

        def closure(grads=grads):
            for param, grad in zip(params, grads, strict=True):
                param.grad = grad.clone()
            return torch.zeros(N_MODELS)

        optimizer.step(closure)


@pytest.mark.parametrize(
    ("kind", "torch_class", "settings"),
    [
        ("sgd", torch.optim.SGD, {}),
        ("sgd", torch.optim.SGD, {"momentum": 0.9}),
        ("adam", torch.optim.Adam, {}),
    ],
)
def test_each_model_takes_torchs_steps_with_its_own_lr(kind, torch_class, settings):
    lrs = [0.1, 0.01, 0.3]
    ours = [p.clone() for p in weights()]
    steps(SoftmaxOptimizer(ours, lrs, kind=kind, n_models=N_MODELS, **settings), ours)
    for model, lr in enumerate(lrs):
        rows = slice(model * N_CLASSES, (model + 1) * N_CLASSES)
        theirs = [p[rows].clone() for p in weights()]
        optimizer = torch_class(theirs, lr=lr, **settings)
        for step in range(5):
            for param, grad in zip(theirs, gradients(step), strict=True):
                param.grad = grad[rows].clone()
            optimizer.step()
        for mine, reference in zip(ours, theirs, strict=True):
            torch.testing.assert_close(mine[rows], reference, rtol=1e-6, atol=1e-6)


def test_a_lower_lr_changes_only_its_model():
    params = weights()
    optimizer = SoftmaxOptimizer(params, [0.1, 0.2, 0.3], kind="adam", n_models=N_MODELS)
    lower_lr(optimizer, 1, 10)
    assert model_lrs(optimizer, N_MODELS) == pytest.approx([0.1, 0.02, 0.3])
    single = SoftmaxOptimizer([torch.zeros(2, 2), torch.zeros(2)], 0.5, kind="sgd")
    lower_lr(single, 0, 10)
    assert single.param_groups[0]["lr"] == pytest.approx(0.05)
    other = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    lower_lr(other, 0, 4)
    assert model_lrs(other, 1) == [0.25]


def test_kept_models_keep_their_state_and_lr():
    full = [p.clone() for p in weights()]
    optimizer = SoftmaxOptimizer(full, [0.1, 0.2, 0.3], kind="adam", n_models=N_MODELS)
    steps(optimizer, full, n_steps=2)
    kept = [p.view(N_MODELS, N_CLASSES, -1)[[0, 2]].reshape(2 * N_CLASSES, -1) for p in full]
    kept[1] = kept[1].reshape(-1)
    optimizer.keep([0, 2], kept)
    assert optimizer.n_models == 2 and model_lrs(optimizer, 2) == pytest.approx([0.1, 0.3])
    state = optimizer.state[kept[0]]
    assert state["exp_avg"].shape == kept[0].shape and state["step"] == 2


def test_an_lr_scheduler_drives_it():
    params = [torch.zeros(2, 3), torch.zeros(2)]
    optimizer = SoftmaxOptimizer(params, 1.0, kind="sgd")
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    steps_done = []
    for _ in range(3):
        for param in params:
            param.grad = torch.ones_like(param)
        optimizer.step(lambda: torch.zeros(1))
        steps_done.append(params[1][0].item())
        scheduler.step()
    assert steps_done == [-1.0, -1.5, -1.75]


def test_names_and_classes():
    assert resolve_optimizer("sgd") == (SoftmaxOptimizer, "sgd")
    assert resolve_optimizer("lbfgs") == (SoftmaxOptimizer, "lbfgs")
    assert resolve_optimizer(torch.optim.RMSprop) == (torch.optim.RMSprop, None)


@pytest.mark.parametrize("bad", [int, torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1)])
def test_anything_else_is_refused(bad):
    with pytest.raises(ValueError, match="subclass of torch.optim.Optimizer"):
        resolve_optimizer(bad)


def test_constructing_it_imports_no_compiler():
    import subprocess
    import sys

    code = (
        "import sys, torch; from sk_softmax._optim import SoftmaxOptimizer as O;"
        "p = [torch.zeros(2, 2), torch.zeros(2)]; o = O(p, 0.1, kind='adam');"
        "o.zero_grad(); o.load_state_dict(o.state_dict());"
        "print('torch._dynamo' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_lbfgs_kind_leaves_accepted_points_between_steps():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(6, 6))
    A = A @ A.T + np.eye(6)

    coef, intercept = torch.zeros(1, 5), torch.zeros(1)
    optimizer = SoftmaxOptimizer([coef, intercept], 1.0, kind="lbfgs", gtol=1e-5)
    losses = []
    for _ in range(100):

        def closure():
            x = torch.cat([coef.ravel(), intercept]).double().numpy()
            gradient = A @ x - 1.0
            coef.grad = torch.as_tensor(gradient[:5], dtype=torch.float32).view(1, 5)
            intercept.grad = torch.as_tensor(gradient[5:], dtype=torch.float32)
            return torch.tensor([0.5 * x @ A @ x - x.sum()])

        optimizer.step(closure)
        x = torch.cat([coef.ravel(), intercept]).double().numpy()
        losses.append(0.5 * x @ A @ x - x.sum())
        if optimizer.converged[0]:
            break
    assert optimizer.converged[0] is not None
    assert all(b <= a + 1e-6 for a, b in zip(losses, losses[1:], strict=False))  # accepted only
    np.testing.assert_allclose(x, np.linalg.solve(A, np.ones(6)), atol=1e-3)
