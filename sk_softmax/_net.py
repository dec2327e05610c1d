"""The skorch net a SoftmaxClassifier trains: skorch's loop driving a stack of one model."""

import math
from collections.abc import Mapping

import torch
from skorch import NeuralNetClassifier
from skorch.callbacks import Callback

from ._convergence import DIVERGED, STOP
from ._kernel import fixed_sum
from ._sparse import SparseRows
from ._stack import Stack
from .exceptions import DivergenceError

_PER_BATCH = ("on_batch_begin", "on_batch_end")


class _StopTraining(KeyboardInterrupt):
    """Training ended at an epoch's end (skorch's way: a KeyboardInterrupt)."""


class SoftmaxNet(NeuralNetClassifier):
    """:class:`skorch.NeuralNetClassifier` whose steps and epoch ends are a
    :class:`~sk_softmax._stack.Stack`'s.

    skorch runs the training loop, the callbacks, the history, the
    validation split and the devices; every decision that makes the model is
    the stack's, built from ``recipe`` as a search's stacked run builds it: a
    step is the written-out loss and gradient of
    :func:`~sk_softmax._kernel.loss_and_gradients` (sample weights arrive
    with the batch as ``X["sample_weight"]``, skorch's convention) and one
    optimizer step; an epoch's end records the epoch's mean training loss as
    ``train_loss`` and its learning rate as ``lr``, and applies the stopping
    rule, learning-rate drops and divergence check.

    How training ends: the stopping rule, or a callback that raises
    ``KeyboardInterrupt`` at an epoch's end (skorch's ``EarlyStopping``
    does), stops it once every callback has seen that epoch, so the epoch
    table prints its last row and the progress bar closes; ``stopped_by_``
    names the callback. Any other interrupt (Ctrl-C) is kept in
    ``interrupted_`` for the caller to raise. A loss or weights that are no
    longer finite raise :class:`~sk_softmax.DivergenceError`.

    Parameters
    ----------
    *args, **kwargs
        Passed to :class:`skorch.NeuralNetClassifier`.
    recipe : Recipe
        The run's decisions (:func:`sk_softmax._recipe.recipe`), of one model.
    """

    def __init__(self, *args, recipe, **kwargs):
        super().__init__(*args, **kwargs)
        self.recipe = recipe

    # ---------------------------------------------------------- the stack

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        earlier = (epoch["train_loss"] for epoch in self.history if "train_loss" in epoch)
        self._best_train_loss = min(earlier, default=math.inf)
        linear = self.module_.linear
        self.stack_ = Stack(
            self.recipe,
            linear.weight,
            linear.bias,
            self.optimizer_,
            load_best=self.recipe.monitor == "valid_acc",
        )

    def on_epoch_begin(self, net, **kwargs):
        super().on_epoch_begin(net, **kwargs)
        (lr,) = self.stack_.begin_epoch()
        self.history.record("lr", lr)
        self.history.record("optimizer", self.recipe.optimizer_name)

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        X, y = batch
        weights = None
        if isinstance(X, Mapping):
            X, weights = X["X"], X["sample_weight"]
        if not isinstance(X, SparseRows) and X.dim() != 2:
            X = X.reshape(len(X), -1)
        listening = self._grad_listeners()
        after_gradient = None
        if listening:

            def after_gradient():
                self.notify(
                    "on_grad_computed",
                    named_parameters=list(self.get_all_learnable_params()),
                    batch=batch,
                    training=True,
                )

        loss, logits = self.stack_.step(X, y, weights, after_gradient=after_gradient)
        return {"loss": loss[0], "y_pred": logits}

    def _grad_listeners(self):
        return any(
            type(cb).on_grad_computed is not Callback.on_grad_computed for _, cb in self.callbacks_
        )

    def on_train_end(self, net, **kwargs):
        self.stack_.finish()
        super().on_train_end(net, **kwargs)

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
        if method_name in _PER_BATCH:  # per batch, only the callbacks that listen
            getattr(self, method_name)(self, **cb_kwargs)
            for callback in self._listening(method_name):
                getattr(callback, method_name)(self, **cb_kwargs)
            return None
        return super().notify(method_name, **cb_kwargs)

    def _listening(self, method_name):
        """The callbacks whose ``method_name`` is not skorch's no-op."""
        cached = self.__dict__.get("_listeners_")
        if cached is None or cached[0] is not self.callbacks_:
            listeners = {
                name: [
                    cb
                    for _, cb in self.callbacks_
                    if getattr(type(cb), name) is not getattr(Callback, name)
                ]
                for name in _PER_BATCH
            }
            cached = self._listeners_ = (self.callbacks_, listeners)
        return cached[1][method_name]

    def _notify_epoch_end(self, **cb_kwargs):
        (loss,) = self.stack_.epoch_losses()
        # train_loss and train_loss_best, as skorch's own train_loss scoring records them
        self.history.record("train_loss", loss)
        self.history.record("train_loss_best", loss < self._best_train_loss)
        self._best_train_loss = min(loss, self._best_train_loss)
        self.on_epoch_end(self, **cb_kwargs)
        stopped_by = None
        for name, cb in self.callbacks_:
            try:
                cb.on_epoch_end(self, **cb_kwargs)
            except KeyboardInterrupt:
                stopped_by = stopped_by or name
        score = self.history[-1][self.recipe.monitor]
        ((_, decision),) = self.stack_.end_epoch([loss], [score])
        if decision == DIVERGED:
            raise _diverged(self, loss)
        if stopped_by is not None:
            self.stopped_by_ = stopped_by
        if stopped_by is not None or decision == STOP:
            raise _StopTraining

    # ------------------------------------------------------ per-batch path

    def _set_training(self, training=True):
        if self.module_.training != training or self.criterion_.training != training:
            super()._set_training(training)

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping):  # the sample weights travel with X for get_loss only
            x = x["X"]
        if isinstance(x, SparseRows):  # already on the device; skorch's to_tensor knows no CSR
            return self.module_(x, **fit_params)
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # The validation loss, penalty included as in train_loss: per-row losses
        # summed in chunks of a fixed shape (sk_softmax._kernel), so the mean
        # does not depend on the thread count.
        if self.criterion_.reduction != "none":
            self.criterion_.reduction = "none"
        loss = self.criterion_(y_pred, y_true)
        if isinstance(X, Mapping):
            loss = loss * X["sample_weight"].reshape(-1)
        loss = fixed_sum(loss) / len(loss)
        alpha = self.recipe.models[0].alpha
        if alpha:
            squares = self.module_.linear.weight.square().sum(1).sum()
            loss = torch.add(loss, squares, alpha=0.5 * alpha)
        return loss


def _diverged(net, loss):
    epoch = len(net.history)
    what = (
        f"the training loss became {loss} in epoch {epoch}"
        if not torch.isfinite(torch.tensor(loss))
        else f"the optimizer steps of epoch {epoch} made the weights infinite or NaN although "
        "the loss was still finite"
    )
    return DivergenceError(
        f"Training diverged: {what}. The learning rate (lr={net.lr}) is probably too "
        "high for this data, or the features are on a very large scale. Lower lr, or "
        "standardise X (e.g. with sklearn's StandardScaler)."
    )
