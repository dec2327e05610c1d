"""Adam and SGD for stacked models: one weight tensor, each model's rows with their own lr.

A stacked run keeps every model's weights in one ``(models x classes,
features)`` tensor, so that one product serves all models. torch's optimizers
take one learning rate per parameter group, which would mean one tensor (and
one optimizer call) per learning rate, and a concatenation of all of them for
every product. These take a learning rate (and an SGD momentum) per model
instead: the same updates as :class:`torch.optim.Adam` and
:class:`torch.optim.SGD` (``tests/search/test_stacked_optim.py`` checks them against
torch's, model by model), as a few elementwise operations on whole tensors.
"""

import torch

ADAM_BETAS = (0.9, 0.999)  # torch.optim.Adam's defaults, as SoftmaxClassifier uses it
ADAM_EPS = 1e-8


class StackedOptimizer:
    """Steps the tensors ``params`` whose rows come in blocks of ``rows_per_model``.

    Each model's update is the one torch's optimizer makes, operation for
    operation (Adam: ``param + (-lr / (1 - beta1**t)) * exp_avg / denom``;
    SGD: ``param + (-lr) * buffer``), so a model alone in a stack takes the
    steps a :class:`torch.optim.Adam` or :class:`torch.optim.SGD` would.

    Parameters
    ----------
    kind : {"adam", "sgd"}
    params : list of tensors
        Each of shape ``(n_models * rows_per_model, ...)``; updated in place.
    rows_per_model : int
    lr : float64 tensor of shape (n_models,)
        Each model's learning rate.
    momentum : tensor of shape (n_models,)
        Each model's SGD momentum (ignored by Adam).
    """

    def __init__(self, kind, params, rows_per_model, lr, momentum):
        self.kind, self.params, self.rows = kind, list(params), rows_per_model
        self.lr, self.momentum = lr.clone().double().cpu(), momentum.clone()
        self.n_steps = 0
        if kind == "adam":
            self.state = {
                "exp_avg": [torch.zeros_like(p) for p in self.params],
                "exp_avg_sq": [torch.zeros_like(p) for p in self.params],
            }
        else:
            self.state = {"momentum_buffer": [torch.zeros_like(p) for p in self.params]}
        self._spread()

    def _per_row(self, values, param):
        """Each model's value repeated for its rows, shaped to broadcast over ``param``."""
        values = values.to(param.device)
        return values.repeat_interleave(self.rows).view(-1, *([1] * (param.dim() - 1)))

    def _spread(self):
        self._momentum_rows = [self._per_row(self.momentum, p) for p in self.params]

    def set_lr(self, model, lr):
        """Set the learning rate of the model at position ``model``."""
        self.lr[model] = lr

    @torch.no_grad()
    def step(self, grads):
        """One update of every model from ``grads`` (one per tensor of ``params``)."""
        self.n_steps += 1
        if self.kind == "adam":
            self._adam(grads)
        else:
            self._sgd(grads)

    def _adam(self, grads):
        beta1, beta2 = ADAM_BETAS
        correction1 = 1 - beta1**self.n_steps
        root_correction2 = (1 - beta2**self.n_steps) ** 0.5
        # torch.optim.Adam: step_size = lr / correction1 in double, then float32
        step = (-(self.lr / correction1)).float()
        for param, grad, exp_avg, exp_avg_sq in zip(
            self.params, grads, self.state["exp_avg"], self.state["exp_avg_sq"], strict=True
        ):
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            denom = (exp_avg_sq.sqrt() / root_correction2).add_(ADAM_EPS)
            # param.addcdiv_(exp_avg, denom, value=-step_size), with a step per model
            param.add_(torch.mul(exp_avg, self._per_row(step, param)).div_(denom))

    def _sgd(self, grads):
        for param, grad, buffer, momentum in zip(
            self.params, grads, self.state["momentum_buffer"], self._momentum_rows, strict=True
        ):
            # torch's SGD: the buffer starts as the first gradient, then
            # buffer = momentum * buffer + grad; without momentum it is the gradient.
            buffer.mul_(momentum).add_(grad)
            blocks = param.view(len(self.lr), -1), buffer.view(len(self.lr), -1)
            for model, lr in enumerate(self.lr.tolist()):  # param.add_(buffer, alpha=-lr)
                blocks[0][model].add_(blocks[1][model], alpha=-lr)

    def keep(self, models, params):
        """Keep only the models at positions ``models`` (in order): the others left.

        ``params`` are the kept models' tensors, which the caller has cut down
        the same way.
        """
        rows = (models[:, None] * self.rows + torch.arange(self.rows, device=models.device)).ravel()
        self.params = list(params)
        self.lr, self.momentum = self.lr[models.cpu()], self.momentum[models]
        for name, tensors in self.state.items():
            self.state[name] = [t.index_select(0, rows) for t in tensors]
        self._spread()
