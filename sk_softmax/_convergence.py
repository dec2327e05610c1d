"""When training has converged: the stopping rule and the learning-rate schedule."""

import copy
import math

from skorch.callbacks import Callback

LR_FACTOR = 10
"""``lr_schedule="adaptive"`` divides the learning rate by this at each plateau..."""
LR_DROPS = 2
"""...at most this many times, before the next plateau ends training."""


GO_ON, LOWER_LR, STOP = "go on", "lower lr", "stop"


class PlateauRule:
    """The decision behind :class:`Convergence`, for one model and one run.

    ``update(score)`` takes each epoch's score and answers ``GO_ON``,
    ``LOWER_LR`` (a plateau with learning-rate drops left) or ``STOP`` (a
    plateau after ``lr_drops`` drops). The skorch callback and the stacked
    runs of :class:`~sk_softmax.SoftmaxSearchCV` both decide through it.

    Attributes
    ----------
    best_score, best_epoch : float, int
        The best score so far and its (1-based) epoch.
    is_best : bool
        Whether the last score was the best so far.
    dropped_at : list of int
        The epochs after which the rule lowered the learning rate.
    """

    def __init__(self, *, lower_is_better, tol, patience, lr_drops):
        self.lower_is_better = lower_is_better
        self.tol = tol
        self.patience = patience
        self.lr_drops = lr_drops
        self.best_score = math.inf if lower_is_better else -math.inf
        self.best_epoch = 0
        self.is_best = False
        self.dropped_at = []
        self._epoch = 0
        self._waited = 0

    def update(self, score):
        self._epoch += 1
        improved = self._beats(score, self.tol)
        self.is_best = self._beats(score, 0.0)
        if self.is_best:
            self.best_score, self.best_epoch = score, self._epoch
        self._waited = 0 if improved else self._waited + 1
        if self._waited < self.patience:
            return GO_ON
        if len(self.dropped_at) >= self.lr_drops:
            return STOP
        self.dropped_at.append(self._epoch)
        self._waited = 0
        return LOWER_LR

    def _beats(self, score, tol):
        """Whether ``score`` beats the best so far by the relative margin ``tol``."""
        if not math.isfinite(self.best_score):
            return True
        margin = tol * abs(self.best_score)
        if self.lower_is_better:
            return score < self.best_score - margin
        return score > self.best_score + margin


class Convergence(Callback):
    """Stop training once the monitored score has stopped improving, lowering ``lr`` first.

    After every epoch, the score counts as an improvement when it beats the
    best so far by the relative margin ``tol``: ``score < best - tol * |best|`` for a
    loss, ``score > best + tol * |best|`` for an accuracy. A relative margin
    means the same at every scale of the loss, which an absolute one does not.
    After ``patience`` epochs in a row without improvement, a plateau:

    - with ``lr_drops`` left, the learning rate of every parameter group is
      divided by ``LR_FACTOR`` and the count starts again: a minibatch
      optimizer stalls at a noise floor set by its step size, and a smaller
      step goes below it;
    - otherwise training stops, converged (skorch's way: a
      ``KeyboardInterrupt`` at the epoch's end).

    Each epoch's learning rate is recorded in the history as ``lr``.

    Parameters
    ----------
    monitor : str
        The history key to watch, e.g. ``"train_loss"`` or ``"valid_acc"``.
    lower_is_better : bool
        True for a loss, False for an accuracy.
    tol : float
        Relative improvement that counts.
    patience : int
        Epochs without improvement that make a plateau.
    lr_drops : int
        How many plateaus lower the learning rate before one ends training.
    load_best : bool, default=False
        Restore the module's weights of the best epoch when training ends.

    Attributes
    ----------
    best_epoch_ : int
        The (1-based) epoch with the best score.
    best_score_ : float
        Its score.
    lr_dropped_at_ : list of int
        The epochs after which the learning rate was lowered.
    """

    def __init__(self, monitor, *, lower_is_better, tol, patience, lr_drops, load_best=False):
        self.monitor = monitor
        self.lower_is_better = lower_is_better
        self.tol = tol
        self.patience = patience
        self.lr_drops = lr_drops
        self.load_best = load_best

    def on_train_begin(self, net, **kwargs):
        self.rule_ = PlateauRule(
            lower_is_better=self.lower_is_better,
            tol=self.tol,
            patience=self.patience,
            lr_drops=self.lr_drops,
        )
        self._best_weights = None

    @property
    def best_epoch_(self):
        return self.rule_.best_epoch

    @property
    def best_score_(self):
        return self.rule_.best_score

    @property
    def lr_dropped_at_(self):
        return self.rule_.dropped_at

    def on_epoch_begin(self, net, **kwargs):
        net.history.record("lr", net.optimizer_.param_groups[0]["lr"])

    def on_epoch_end(self, net, **kwargs):
        action = self.rule_.update(net.history[-1, self.monitor])
        if self.rule_.is_best and self.load_best:
            self._best_weights = copy.deepcopy(net.module_.state_dict())
        if action == STOP:
            raise KeyboardInterrupt
        if action == LOWER_LR:
            for group in net.optimizer_.param_groups:
                group["lr"] /= LR_FACTOR

    def on_train_end(self, net, **kwargs):
        if self._best_weights is not None:
            net.module_.load_state_dict(self._best_weights)
