"""Turning the ``optimizer`` parameter into a torch optimizer class and its arguments."""

import torch

OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "lbfgs": torch.optim.LBFGS}


def resolve_optimizer(optimizer, *, momentum, tol):
    """Return ``(optimizer_class, extra_kwargs)`` for the ``optimizer`` parameter.

    ``momentum`` is passed to SGD only, as in scikit-learn's ``MLPClassifier``.
    L-BFGS gets a strong-Wolfe line search, so that each step finds its own
    length, and ends a step once no entry of the gradient exceeds ``tol / 10``
    (1e-4 by default: the ``tol`` of scikit-learn's ``LogisticRegression``,
    whose L-BFGS solver stops at the same gradient size; both minimise a mean
    loss). Any subclass of :class:`torch.optim.Optimizer` is accepted as it
    is; it receives ``lr`` and nothing else.
    """
    if isinstance(optimizer, str):
        optimizer_class = OPTIMIZERS[optimizer]
    elif isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
        optimizer_class = optimizer
    else:
        raise ValueError(
            f"optimizer={optimizer!r} is not supported. Use one of "
            f"{sorted(OPTIMIZERS)} or a subclass of torch.optim.Optimizer "
            "(the class, not an instance)."
        )
    if optimizer_class is torch.optim.SGD:
        return optimizer_class, {"momentum": momentum}
    if optimizer is torch.optim.LBFGS or optimizer == "lbfgs":
        return optimizer_class, {"line_search_fn": "strong_wolfe", "tolerance_grad": tol / 10}
    return optimizer_class, {}
