"""The optimizer of every fit and stacked run: SGD, Adam and L-BFGS, one model or many.

A training run keeps its models' weights in two tensors, ``coef`` of shape
``(models x classes, features)`` and ``intercept`` of ``(models x classes,)``:
one model for a ``SoftmaxClassifier.fit``, many side by side in a stacked run
of a search. :class:`SoftmaxOptimizer` updates all of them at once, each
model with its own learning rate (and momentum), in a few whole-tensor
operations; L-BFGS takes one loss-and-gradient evaluation per step
(:mod:`sk_softmax._lbfgs`), so that one step of a full batch is one epoch.
It is a :class:`torch.optim.Optimizer`, so skorch and torch's learning-rate
schedulers drive it as any other.
"""

import numpy as np
import torch

from ._lbfgs import Lbfgs
from ._upstream import undecorated_optimizer_methods

KINDS = ("sgd", "adam", "lbfgs")
ADAM_BETAS = (0.9, 0.999)  # torch.optim.Adam's and MLPClassifier's defaults
ADAM_EPS = 1e-8


class SoftmaxOptimizer(torch.optim.Optimizer):
    """SGD (with momentum), Adam or L-BFGS over the weights of one or many softmax models.

    Parameters
    ----------
    params : iterable
        ``[coef, intercept]`` (or one parameter group holding them), the rows of
        each in blocks of ``n_classes``, one block per model.
    lr : float or list of float
        Each model's learning rate; for L-BFGS the step each line search tries first.
    kind : {"sgd", "adam", "lbfgs"}
    n_models : int, default=1
    momentum : float or sequence of float, default=0.0
        SGD's momentum, per model (``buffer = momentum * buffer + grad``, as torch's SGD).
    gtol : float or list of float, default=1e-4
        L-BFGS, per model: converged once no gradient entry exceeds this at an
        accepted point.

    Notes
    -----
    ``step(closure)`` calls ``closure()`` once: it computes every model's loss
    (a tensor of shape ``(n_models,)``) and writes the gradients into
    ``coef.grad`` and ``intercept.grad``. SGD and Adam then update every model.
    L-BFGS writes the point it wants evaluated (a line-search trial or a new
    iterate) into the weights just before the evaluation and puts the last
    accepted point back after it, so that between steps the weights are always
    an accepted point; :attr:`converged` says which models have converged.
    """

    # torch wraps these methods of Optimizer so that torch.compile never traces
    # them, and the wrapper imports torch._dynamo on its first call (about a
    # second): this class calls the plain methods (see sk_softmax._upstream).
    locals().update(undecorated_optimizer_methods())

    def __init__(self, params, lr, *, kind, n_models=1, momentum=0.0, gtol=1e-4):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}.")
        defaults = {"lr": lr, "kind": kind, "momentum": momentum, "gtol": gtol}
        super().__init__(params, defaults)
        self.n_models = n_models
        self._lbfgs = None
        self._rows = {}

    # ------------------------------------------------------------ the settings

    @property
    def _group(self):
        return self.param_groups[0]

    def model_lrs(self):
        """Each model's learning rate now, as a list of floats."""
        return _per_model(self._group["lr"], self.n_models).tolist()

    def set_model_lr(self, model, lr):
        """Set the learning rate of the model at position ``model``."""
        lrs = _per_model(self._group["lr"], self.n_models)
        lrs[model] = lr
        self._group["lr"] = float(lrs[0]) if self.n_models == 1 else lrs.tolist()

    def _per_row(self, values, param):
        """A per-model value (a float, or one per model) for each row of ``param``: a
        float, or a tensor that broadcasts over ``param`` (kept while the values stay)."""
        if isinstance(values, (int, float)):
            return float(values)
        key = (tuple(values), param.shape, param.device)
        cached = self._rows.get(key)
        if cached is None:
            rows = torch.tensor(values, dtype=param.dtype, device=param.device)
            rows = rows.repeat_interleave(param.shape[0] // self.n_models)
            cached = self._rows[key] = rows.view(-1, *([1] * (param.dim() - 1)))
        return cached

    # ------------------------------------------------------------------- steps

    @torch.no_grad()
    def step(self, closure):
        """Evaluate the models once with ``closure`` and update them; returns the loss."""
        kind = self._group["kind"]
        if kind == "lbfgs" and self._lbfgs is not None:
            self._write([search.trial for search in self._lbfgs])
        with torch.enable_grad():
            loss = closure()
        if kind == "lbfgs":
            self._lbfgs_step(loss)
        elif kind == "adam":
            self._adam_step()
        else:
            self._sgd_step()
        return loss

    def _sgd_step(self):
        group = self._group
        momentum = group["momentum"]
        for param in group["params"]:
            update = param.grad
            if momentum if isinstance(momentum, (int, float)) else any(momentum):
                state = self.state[param]
                if "momentum_buffer" not in state:  # torch's SGD: the first gradient
                    state["momentum_buffer"] = param.grad.clone()
                else:
                    buffer = state["momentum_buffer"]
                    buffer.mul_(self._per_row(momentum, param)).add_(param.grad)
                update = state["momentum_buffer"]
            lr = self._per_row(group["lr"], param)
            if isinstance(lr, float):
                param.add_(update, alpha=-lr)
            else:
                param.addcmul_(update, lr, value=-1.0)

    def _adam_step(self):
        group = self._group
        beta1, beta2 = ADAM_BETAS
        for param in group["params"]:
            state = self.state[param]
            if not state:
                state["step"] = 0
                state["exp_avg"] = torch.zeros_like(param)
                state["exp_avg_sq"] = torch.zeros_like(param)
            state["step"] += 1
            exp_avg, exp_avg_sq, step = state["exp_avg"], state["exp_avg_sq"], state["step"]
            exp_avg.lerp_(param.grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(param.grad, param.grad, value=1 - beta2)
            denom = exp_avg_sq.sqrt().div_((1 - beta2**step) ** 0.5).add_(ADAM_EPS)
            lr = self._per_row(group["lr"], param)
            if isinstance(lr, float):
                param.addcdiv_(exp_avg, denom, value=-lr / (1 - beta1**step))
            else:  # each model's lr: exp_avg * lr / denom, as denom / lr
                param.addcdiv_(exp_avg, denom.div_(lr), value=-1 / (1 - beta1**step))

    # ------------------------------------------------------------------ L-BFGS

    def _flat(self, tensors):
        """Each model's entries of ``[coef, intercept]``-shaped tensors, one row per model."""
        return torch.cat([t.reshape(self.n_models, -1) for t in tensors], 1)

    def _write(self, rows):
        """Write one float64 row per model into the weights (None: leave that model)."""
        coef, intercept = self._group["params"]
        per_model = coef.numel() // self.n_models
        for model, row in enumerate(rows):
            if row is not None:
                values = torch.from_numpy(row)
                coef.view(self.n_models, -1)[model].copy_(values[:per_model])
                intercept.view(self.n_models, -1)[model].copy_(values[per_model:])

    def _lbfgs_step(self, loss):
        """Tell each model's L-BFGS its evaluation; the weights go back to the accepted
        points (the next trials are written before the next evaluation)."""
        group = self._group
        gradients = self._flat([p.grad for p in group["params"]]).double().cpu().numpy()
        losses = torch.as_tensor(loss).reshape(-1).double().cpu().numpy()
        if self._lbfgs is None:
            start = self._flat(group["params"]).double().cpu().numpy()
            lrs = _per_model(group["lr"], self.n_models)
            gtols = _per_model(group["gtol"], self.n_models)
            self._lbfgs = [
                Lbfgs(x, lr, gtol) for x, lr, gtol in zip(start, lrs, gtols, strict=True)
            ]
        for search, f, g in zip(self._lbfgs, losses, gradients, strict=True):
            if search.trial is not None:
                search.tell(f, g)
        self._write([search.x for search in self._lbfgs])

    @property
    def converged(self):
        """Per model, why L-BFGS stopped (None while it goes on; always None for SGD and Adam)."""
        if self._lbfgs is None:
            return [None] * self.n_models
        return [search.converged for search in self._lbfgs]

    # ------------------------------------------------------------- fewer models

    def keep(self, models, params):
        """Keep only the models at positions ``models``; ``params`` are their weights,
        cut down by the caller the same way."""
        group = self._group
        index = torch.as_tensor(models, dtype=torch.long)
        per_row = [p.shape[0] // self.n_models for p in group["params"]]
        for old, new, rows in zip(group["params"], params, per_row, strict=True):
            state = self.state.pop(old, {})
            rows_kept = (index[:, None] * rows + torch.arange(rows)).ravel().to(old.device)
            self.state[new] = {
                k: v.index_select(0, rows_kept) if torch.is_tensor(v) else v
                for k, v in state.items()
            }
        group["params"] = list(params)
        for name in ("lr", "momentum", "gtol"):
            if not isinstance(group[name], (int, float)):
                group[name] = [group[name][m] for m in models]
        self._rows = {}
        if self._lbfgs is not None:
            self._lbfgs = [self._lbfgs[m] for m in models]
        self.n_models = len(models)


def _per_model(values, n_models):
    """A float or per-model sequence as a float64 array of ``n_models`` values."""
    return np.broadcast_to(np.asarray(values, dtype=np.float64), (n_models,)).copy()


def lower_lr(optimizer, model, factor):
    """Divide the learning rate of the model at position ``model`` by ``factor``.

    An optimizer of another class (one model) has every parameter group's rate divided.
    """
    if isinstance(optimizer, SoftmaxOptimizer):
        optimizer.set_model_lr(model, optimizer.model_lrs()[model] / factor)
        return
    for group in optimizer.param_groups:
        group["lr"] /= factor


def model_lrs(optimizer, n_models):
    """Each model's learning rate (another optimizer class: its first group's, one model)."""
    if isinstance(optimizer, SoftmaxOptimizer):
        return optimizer.model_lrs()
    return [optimizer.param_groups[0]["lr"]] * n_models


def resolve_optimizer(optimizer):
    """The optimizer class and its kind for the resolved ``optimizer`` parameter.

    ``"sgd"``, ``"adam"`` and ``"lbfgs"`` are :class:`SoftmaxOptimizer` of that kind;
    a subclass of :class:`torch.optim.Optimizer` is taken as it is (kind None) and
    receives ``lr`` and nothing else.
    """
    if isinstance(optimizer, str) and optimizer in KINDS:
        return SoftmaxOptimizer, optimizer
    if isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
        return optimizer, None
    raise ValueError(
        f"optimizer={optimizer!r} is not supported. Use one of {sorted(KINDS)} or a "
        "subclass of torch.optim.Optimizer (the class, not an instance)."
    )
