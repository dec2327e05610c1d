"""When a minibatch optimizer's training has converged: the plateau rule.

After every epoch, the score counts as an improvement when it beats the best
so far by the relative margin ``tol``: ``score < best - tol * |best|`` for a
loss, ``score > best + tol * |best|`` for an accuracy. A relative margin means
the same at every scale of the loss, which an absolute one does not. After
``patience`` epochs in a row without improvement, a plateau: with
learning-rate drops left, the learning rate is divided by
:data:`~sk_softmax._recipe.LR_FACTOR` and the count starts again (a minibatch
optimizer stalls at a noise floor set by its step size, and a smaller step
goes below it); otherwise training stops, converged.
"""

import math

GO_ON, LOWER_LR, STOP = "go on", "lower lr", "stop"
"""What the plateau rule says at an epoch's end: train on, lower lr, or stop (converged)."""
DIVERGED, DONE = "diverged", "done"
"""Further ends of a model's epoch (:class:`~sk_softmax._stack.Stack`): its loss or
weights are no longer finite, or it has run its ``max_epochs``."""


class PlateauRule:
    """The plateau rule of one model in one run.

    ``update(score)`` takes each epoch's score and answers ``GO_ON``,
    ``LOWER_LR`` (a plateau with learning-rate drops left) or ``STOP`` (a
    plateau after ``lr_drops`` drops). :class:`~sk_softmax._stack.Stack`
    keeps one per model.

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
