import pytest
import torch

from sk_softmax._optim import resolve_optimizer


def test_names_map_to_torch_optimizers():
    assert resolve_optimizer("sgd", momentum=0.9, tol=1e-3) == (torch.optim.SGD, {"momentum": 0.9})
    assert resolve_optimizer("adam", momentum=0.9, tol=1e-3) == (torch.optim.Adam, {})
    lbfgs = (torch.optim.LBFGS, {"line_search_fn": "strong_wolfe", "tolerance_grad": 1e-4})
    assert resolve_optimizer("lbfgs", momentum=0.9, tol=1e-3) == lbfgs


def test_optimizer_subclass_is_taken_as_is():
    assert resolve_optimizer(torch.optim.RMSprop, momentum=0.5, tol=1e-3) == (
        torch.optim.RMSprop,
        {},
    )


@pytest.mark.parametrize("bad", [int, torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1)])
def test_anything_else_is_refused(bad):
    with pytest.raises(ValueError, match="subclass of torch.optim.Optimizer"):
        resolve_optimizer(bad, momentum=0.0, tol=1e-3)
