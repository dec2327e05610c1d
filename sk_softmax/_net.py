"""The skorch net the estimator trains: skorch's classifier, weighted and penalised."""

from collections.abc import Mapping

import torch
from skorch import NeuralNetClassifier
from skorch.callbacks import Callback

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
    built only for L-BFGS, optimizers from outside ``torch.optim`` and
    ``on_grad_computed`` listeners. Training gives
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
        if self._needs_closure():
            return super().train_step(batch, **fit_params)
        self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        for name in self._optimizers:
            getattr(self, name + "_").step()
        return step

    def _needs_closure(self):
        """Whether ``step`` needs skorch's closure: L-BFGS, an optimizer from outside
        torch (its ``step`` may require one), or an ``on_grad_computed`` callback."""
        cached = self.__dict__.get("_needs_closure_")
        if cached is None or cached[0] is not self.callbacks_:
            optimizer = type(self.optimizer_)
            needs = (
                optimizer is torch.optim.LBFGS
                or getattr(torch.optim, optimizer.__name__, None) is not optimizer
                or any(
                    type(cb).on_grad_computed is not Callback.on_grad_computed
                    for _, cb in self.callbacks_
                )
            )
            cached = self._needs_closure_ = (self.callbacks_, needs)
        return cached[1]

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping):  # the sample weights travel with X for get_loss only
            x = x["X"]
        if isinstance(x, SparseRows):  # already on the device; skorch's to_tensor knows no CSR
            return self.module_(x, **fit_params)
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        weighted = isinstance(X, Mapping)
        reduction = "none" if weighted else "mean"
        if self.criterion_.reduction != reduction:
            self.criterion_.reduction = reduction
        loss = self.criterion_(y_pred, y_true)
        if weighted:
            loss = (loss * X["sample_weight"]).mean()
        if self.alpha:
            for param in self.module_.parameters():
                if param.dim() > 1:  # one fused op each: the penalty runs every step
                    flat = param.reshape(-1)
                    loss = torch.add(loss, torch.dot(flat, flat), alpha=0.5 * self.alpha)
        return loss
