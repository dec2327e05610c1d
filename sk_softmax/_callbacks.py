"""Divergence checks on the nets the estimator trains."""

import math

import torch
from skorch.callbacks import Callback

from ._threads import ThreadPolicy
from .exceptions import DivergenceError


def _diverged(net, what):
    return DivergenceError(
        f"Training diverged: {what}. The learning rate (lr={net.lr}) is probably too "
        "high for this data, or the features are on a very large scale. Lower lr, or "
        "standardise X (e.g. with sklearn's StandardScaler)."
    )


class DivergenceGuard(Callback):
    """Stop training with :class:`DivergenceError` once a batch loss is not finite."""

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if not training:
            return
        loss = net.history[-1]["batches"][-1]["train_loss"]
        if not math.isfinite(loss):
            raise _diverged(net, f"the training loss became {loss} in epoch {len(net.history)}")


def check_finite_weights(net):
    """Raise :class:`DivergenceError` if the last optimizer steps left non-finite weights.

    The batch losses are computed before each step, so a final step that
    overflows the weights is only seen here.
    """
    for name, param in net.module_.named_parameters():
        if not torch.isfinite(param).all():
            raise _diverged(
                net,
                f"the last optimizer steps made {name} infinite or NaN although the loss "
                "was still finite",
            )


class ThreadProbe(Callback):
    """The skorch callback through which :class:`~sk_softmax._threads.ThreadPolicy`
    sets the threads of a fit.

    Attributes
    ----------
    threads_ : list of int or None
        The thread count each epoch ended with (None: too few threads to
        choose from).
    """

    def __init__(self, seconds=0.02, every=5):
        self.seconds = seconds
        self.every = every

    def on_train_begin(self, net, **kwargs):
        self.policy_ = ThreadPolicy(self.seconds, self.every)

    @property
    def threads_(self):
        return self.policy_.threads

    def on_epoch_begin(self, net, **kwargs):
        self.policy_.epoch_begin()

    def on_batch_begin(self, net, training=False, **kwargs):
        if training:
            self.policy_.batch_begin()

    def on_batch_end(self, net, training=False, **kwargs):
        if training:
            self.policy_.batch_end()

    def on_epoch_end(self, net, **kwargs):
        self.policy_.epoch_end()
