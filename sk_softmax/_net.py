"""The skorch net the estimator trains: skorch's classifier, weighted and penalised."""

from collections.abc import Mapping

import torch
from skorch import NeuralNetClassifier
from skorch.callbacks import Callback

_BATCH_EVENTS = ("on_batch_begin", "on_batch_end", "on_grad_computed")


class _StopTraining(KeyboardInterrupt):
    """A callback ended training at an epoch's end (skorch's way: a KeyboardInterrupt)."""


class SoftmaxNet(NeuralNetClassifier):
    """:class:`skorch.NeuralNetClassifier` with sample weights and an L2 penalty.

    The loss of a batch is ``mean(w * cross_entropy) + alpha / 2 * ||W||^2``,
    where the weights ``w`` (1 without sample weights) arrive with the batch as
    ``X["sample_weight"]``, skorch's convention. The estimator scales them to a
    mean of 1 over the training data, so the batch loss estimates the weighted
    mean cross-entropy. The penalty is part of the loss rather than the
    optimizer's ``weight_decay`` so that it means the same for every optimizer
    (L-BFGS has no weight decay) and the recorded ``train_loss`` is the
    objective being minimised. The bias is not penalised, as in
    scikit-learn's linear models.

    The per-batch path is trimmed to what a linear model needs, keeping skorch's
    behaviour: batch events reach only the callbacks that implement them, the
    train/eval mode is set only when it changes, the optimizer closure is used
    only where something needs it (L-BFGS, ``on_grad_computed`` listeners), and
    tensor batches already on the module's device go straight to the module.

    Parameters
    ----------
    *args, **kwargs
        Passed to :class:`skorch.NeuralNetClassifier`. The criterion must
        take a ``reduction`` attribute, as torch's losses do: the net sets it
        to ``"none"`` for weighted batches and ``"mean"`` otherwise.
    alpha : float, default=0.0
        L2 penalty strength on the module's ``linear.weight``.
    """

    def __init__(self, *args, alpha=0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.alpha = alpha

    def initialize_callbacks(self):
        super().initialize_callbacks()
        # Per-batch events go only to the callbacks that override them.
        self._batch_listeners_ = {
            event: [
                cb
                for _, cb in self.callbacks_
                if getattr(type(cb), event) is not getattr(Callback, event)
            ]
            for event in _BATCH_EVENTS
        }
        return self

    def notify(self, method_name, **cb_kwargs):
        if method_name == "on_epoch_end":
            return self._notify_epoch_end(**cb_kwargs)
        listeners = self._batch_listeners_.get(method_name)
        if listeners is None:
            return super().notify(method_name, **cb_kwargs)
        getattr(self, method_name)(self, **cb_kwargs)
        for cb in listeners:
            getattr(cb, method_name)(self, **cb_kwargs)

    def _notify_epoch_end(self, **cb_kwargs):
        """Tell every callback that the epoch ended, then stop if one of them asked to.

        skorch's callbacks (e.g. ``EarlyStopping``) end training by raising
        ``KeyboardInterrupt`` from ``on_epoch_end``. Here the callbacks after
        it still see the epoch, so the epoch table prints its last row and the
        progress bar is closed, and the stop is recorded in ``stopped_by_``.
        """
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

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's training loop; an interrupt in mid-epoch is kept for the caller.

        skorch swallows every ``KeyboardInterrupt``. A callback's stop at an
        epoch's end (:class:`_StopTraining`) ends training normally; any other
        interrupt (Ctrl-C, or a callback raising it in mid-epoch) is stored
        in ``interrupted_`` as ``(exception, epoch, batches done in that
        epoch)``, so that the estimator can raise it once skorch has run
        ``on_train_end``.
        """
        self.stopped_by_ = None
        self.interrupted_ = None
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except _StopTraining:
            raise
        except KeyboardInterrupt as exc:
            epoch = self.history[-1] if len(self.history) else {}
            self.interrupted_ = (exc, len(self.history), len(epoch.get("batches", [])))
            raise

    def _set_training(self, training=True):
        if self.module_.training != training or self.criterion_.training != training:
            super()._set_training(training)

    def train_step(self, batch, **fit_params):
        # skorch's closure only matters to L-BFGS and on_grad_computed listeners.
        if (
            isinstance(self.optimizer_, torch.optim.LBFGS)
            or self._batch_listeners_["on_grad_computed"]
        ):
            return super().train_step(batch, **fit_params)
        self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        for name in self._optimizers:
            getattr(self, name + "_").step()
        return step

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping):
            x = x["X"]
        if (
            isinstance(x, torch.Tensor)
            and not fit_params
            and x.device == self.module_.linear.weight.device
        ):
            # Batches from TensorBatchIterator are tensors on the device already.
            return self.module_(x)
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
            weight = self.module_.linear.weight
            loss = loss + 0.5 * self.alpha * weight.pow(2).sum()
        return loss
