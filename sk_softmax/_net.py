"""The skorch net the estimator trains: skorch's classifier, weighted and penalised."""

from collections.abc import Mapping

import torch
from skorch import NeuralNetClassifier
from skorch.callbacks import Callback

from ._kernel import fixed_sum, loss_and_gradients
from ._module import SoftmaxRegression
from ._sparse import SparseRows


class _StopTraining(KeyboardInterrupt):
    """A callback ended training at an epoch's end (skorch's way: a KeyboardInterrupt)."""


class SoftmaxNet(NeuralNetClassifier):
    """:class:`skorch.NeuralNetClassifier` with sample weights and an L2 penalty.

    The loss of a batch is ``mean(w * cross_entropy) + alpha / 2 * ||W||^2``,
    where the weights ``w`` (1 without sample weights) arrive with the batch as
    ``X["sample_weight"]``, skorch's convention, and ``W`` is the weight of
    every 2-D parameter (the bias is not penalised, as in scikit-learn's
    linear models). The penalty is part of the loss rather than the
    optimizer's ``weight_decay`` so that it means the same for every optimizer
    (L-BFGS has none) and the recorded ``train_loss`` is the objective.

    How training ends: a callback that raises ``KeyboardInterrupt`` at an
    epoch's end (skorch's ``EarlyStopping`` does) stops it once every callback
    has seen that epoch, so the epoch table prints its last row and the
    progress bar closes; ``stopped_by_`` names the callback. Any other
    interrupt (Ctrl-C) is kept in ``interrupted_`` for the caller to raise.

    Two per-batch steps skip work skorch does for general networks, each
    measured to pay for itself (``benchmarks/bench_fit.py --overrides``): the
    train/eval mode is set only when it changes, and the optimizer closure is
    built only for optimizers from outside ``torch.optim`` and
    ``on_grad_computed`` listeners (L-BFGS evaluates the written-out gradient
    as its line search asks). Training gives
    the same weights as stock skorch, under any skorch configuration.

    Parameters
    ----------
    *args, **kwargs
        Passed to :class:`skorch.NeuralNetClassifier`. The criterion must
        take a ``reduction`` attribute, as torch's losses do.
    alpha : float, default=0.0
        L2 penalty strength on the module's weight matrices.
    """

    def __init__(self, *args, alpha=0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.alpha = alpha

    # ------------------------------------------------------- ending training

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        self.stopped_by_ = None
        self.interrupted_ = None
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except _StopTraining:
            raise  # skorch ends training here, as for its own EarlyStopping
        except KeyboardInterrupt as exc:
            batches = self.history[-1].get("batches", []) if len(self.history) else []
            done = sum("train_loss" in batch for batch in batches)
            self.interrupted_ = (exc, len(self.history), done)
            raise

    def notify(self, method_name, **cb_kwargs):
        if method_name == "on_epoch_end":
            return self._notify_epoch_end(**cb_kwargs)
        return super().notify(method_name, **cb_kwargs)

    def _notify_epoch_end(self, **cb_kwargs):
        self.on_epoch_end(self, **cb_kwargs)
        stopped_by = None
        for name, cb in self.callbacks_:
            try:
                cb.on_epoch_end(self, **cb_kwargs)
            except KeyboardInterrupt:
                stopped_by = stopped_by or name
        if stopped_by is not None:
            self.stopped_by_ = stopped_by
            raise _StopTraining

    # ------------------------------------------------------ per-batch path

    def _set_training(self, training=True):
        if self.module_.training != training or self.criterion_.training != training:
            super()._set_training(training)

    def train_step(self, batch, **fit_params):
        closure = self._needs_closure()
        if closure and not (closure == "lbfgs" and self._written_out()):
            return super().train_step(batch, **fit_params)
        if self._written_out():
            return self._written_out_step(batch)
        self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        for name in self._optimizers:
            getattr(self, name + "_").step()
        return step

    def _written_out(self):
        """Whether a step can take the written-out gradient of :mod:`sk_softmax._kernel`:
        the softmax-regression module under a plain cross-entropy."""
        criterion = self.criterion_
        return (
            isinstance(self.module_, SoftmaxRegression)
            and type(criterion) is torch.nn.CrossEntropyLoss
            and criterion.weight is None
            and criterion.label_smoothing == 0
        )

    def _written_out_step(self, batch):
        """One step through the shared kernel: the same loss and gradient as autograd's,
        summed in an order that no thread count changes.

        L-BFGS evaluates the loss and gradient as often as its line search
        asks (skorch's closure protocol); the step reports the first
        evaluation, at the weights the step started from, as skorch does.
        """
        self._set_training(True)
        X, y = batch
        weights = None
        if isinstance(X, Mapping):
            X, weights = X["X"], X["sample_weight"]
        if not isinstance(X, SparseRows) and X.dim() != 2:
            X = X.reshape(len(X), -1)
        n_rows = len(y)
        scaled = (
            torch.ones((1, n_rows), device=y.device) / n_rows
            if weights is None
            else (weights / n_rows).view(1, -1)
        )
        linear = self.module_.linear
        weight, bias = linear.weight, linear.bias
        for param in (weight, bias):
            if param.grad is None:
                param.grad = torch.empty_like(param)
        alphas = torch.full((1,), float(self.alpha), device=weight.device)
        first = []

        def evaluate():
            with torch.no_grad():
                loss, logits = loss_and_gradients(
                    X, y, weight, bias, scaled, alphas, weight.grad, bias.grad
                )
            if not first:
                first.append({"loss": loss[0], "y_pred": logits})
            return loss[0]

        for name in self._optimizers:
            optimizer = getattr(self, name + "_")
            if isinstance(optimizer, torch.optim.LBFGS):
                optimizer.step(evaluate)
            else:
                evaluate()
                optimizer.step()
        return first[0]

    def _needs_closure(self):
        """Whether ``step`` needs a closure: ``"lbfgs"``, ``"other"`` (an optimizer from
        outside torch, whose ``step`` may require one, or an ``on_grad_computed``
        callback: skorch's closure) or ``""`` (none)."""
        cached = self.__dict__.get("_needs_closure_")
        if cached is None or cached[0] is not self.callbacks_:
            optimizer = type(self.optimizer_)
            needs = ""
            if (
                any(
                    type(cb).on_grad_computed is not Callback.on_grad_computed
                    for _, cb in self.callbacks_
                )
                or getattr(torch.optim, optimizer.__name__, None) is not optimizer
            ):
                needs = "other"
            elif optimizer is torch.optim.LBFGS:
                needs = "lbfgs"
            cached = self._needs_closure_ = (self.callbacks_, needs)
        return cached[1]

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping):  # the sample weights travel with X for get_loss only
            x = x["X"]
        if isinstance(x, SparseRows):  # already on the device; skorch's to_tensor knows no CSR
            return self.module_(x, **fit_params)
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # Per-row losses, summed in chunks of a fixed shape (sk_softmax._kernel):
        # the mean does not depend on the thread count.
        if self.criterion_.reduction != "none":
            self.criterion_.reduction = "none"
        loss = self.criterion_(y_pred, y_true)
        if isinstance(X, Mapping):
            loss = loss * X["sample_weight"]
        loss = fixed_sum(loss) / len(loss)
        if self.alpha:
            for param in self.module_.parameters():
                if param.dim() > 1:
                    squares = param.reshape(len(param), -1).square().sum(1).sum()
                    loss = torch.add(loss, squares, alpha=0.5 * self.alpha)
        return loss
