"""The training engine: models trained side by side, a fit being a stack of one.

A :class:`Stack` holds the weights of one or more softmax models in two
tensors (``coef`` of shape ``(models x classes, features)``, ``intercept``),
and takes every step and every end-of-epoch decision for them, as its
:class:`~sk_softmax._recipe.Recipe` says:

- :meth:`Stack.step`: one minibatch (the whole data for L-BFGS) through
  :func:`~sk_softmax._kernel.loss_and_gradients` and the optimizer
  (:class:`~sk_softmax._optim.SoftmaxOptimizer`), timed for the thread
  policy (:class:`~sk_softmax._threads.ThreadPolicy`);
- :meth:`Stack.end_epoch`: each model's epoch loss, its history row, whether
  it diverged, its stopping rule (the plateau rule of
  :mod:`sk_softmax._convergence`, or L-BFGS's own convergence), its learning
  rate drops, and its weights at checkpoints.

``SoftmaxClassifier.fit`` drives a stack of one model from skorch's training
loop (:class:`~sk_softmax._net.SoftmaxNet`); a search's stacked run drives a
stack of many from a plain loop (:mod:`sk_softmax.search._runs`).
"""

import numpy as np
import torch

from ._convergence import DIVERGED, DONE, GO_ON, LOWER_LR, STOP, PlateauRule
from ._kernel import loss_and_gradients
from ._optim import lower_lr, model_lrs
from ._recipe import LR_FACTOR
from ._threads import ThreadPolicy


class Trained:
    """What one model of a stack learned: its history, its weights at each checkpoint
    and where it ended."""

    def __init__(self, n_samples_seen):
        self.history = []  # one dict per epoch: epoch, train_loss, lr
        self.weights = {}  # epoch -> (coef, intercept), float32 arrays
        self.ended = None  # the last epoch's decision: STOP, DIVERGED, DONE (or None)
        self.converged = None  # why the stopping rule ended it, when it did
        self.n_samples_seen = n_samples_seen

    @property
    def n_epochs(self):
        return len(self.history)

    def checkpoint(self, max_epochs):
        """The epoch whose weights a fit with ``max_epochs`` ends with."""
        epochs = min(max_epochs, self.n_epochs)
        return min(e for e in self.weights if e >= epochs)

    def at(self, max_epochs):
        """``(coef, intercept, history)`` of the same model trained for ``max_epochs``."""
        coef, intercept = self.weights[self.checkpoint(max_epochs)]
        return coef, intercept, self.history[: min(max_epochs, self.n_epochs)]

    def ran_out(self, max_epochs):
        """Whether a fit with ``max_epochs`` ends before its stopping rule does."""
        return self.n_epochs >= max_epochs and not (
            self.converged is not None and self.n_epochs == max_epochs
        )


class Stack:
    """The models of one training run and every step and decision they take.

    Parameters
    ----------
    recipe : Recipe
        The run's decisions, one :class:`~sk_softmax._recipe.ModelRecipe` per model.
    coef, intercept : tensors
        The models' weights, trained in place (a fit's module parameters).
    optimizer : torch.optim.Optimizer
        A :class:`~sk_softmax._optim.SoftmaxOptimizer` over ``[coef, intercept]``
        (one model: any optimizer class).
    checkpoints : iterable of int, default=()
        Epochs whose weights each model keeps (besides those it ends with).
    load_best : bool, default=False
        Each model ends with the weights of its best epoch by the monitored score.
    """

    def __init__(self, recipe, coef, intercept, optimizer, *, checkpoints=(), load_best=False):
        self.recipe, self.optimizer = recipe, optimizer
        self.coef, self.intercept = coef, intercept
        self.n_classes = len(coef) // len(recipe.models)
        for param in (coef, intercept):
            if param.grad is None:
                param.grad = torch.zeros_like(param)
        self.alphas = _penalties([m.alpha for m in recipe.models], coef.device)
        self.models = [Trained(m.n_samples_seen) for m in recipe.models]
        self.rules = [_rule(recipe, m) for m in recipe.models]
        self.live = list(range(len(recipe.models)))  # positions in models, in stack order
        self.checkpoints, self.load_best = set(checkpoints), load_best
        self._best = {}
        self.policy = ThreadPolicy() if recipe.n_threads == "auto" else None
        self.epoch = 0
        self._uniform = {}

    # ------------------------------------------------------------------ a step

    def begin_epoch(self):
        """Start an epoch: each model's learning rate is recorded as it stands now."""
        self.epoch += 1
        self._lrs = model_lrs(self.optimizer, len(self.live))
        self._loss = torch.zeros(len(self.live), dtype=torch.float64, device=self.coef.device)
        self._rows = 0
        if self.policy is not None:
            self.policy.epoch_begin()
        return self._lrs

    def step(self, X, y, weights=None, *, after_gradient=None):
        """One step of every model on the batch ``X, y``; their losses and the logits.

        ``weights`` (rows, models), or (rows,) for one model: each row's weight
        in each model's loss, or None. ``after_gradient()`` is called once the
        gradients are written, before the optimizer uses them.
        """
        n_rows = len(y)
        scaled = self._scaled(weights, n_rows, y.device)
        coef, intercept, evaluated = self.coef, self.intercept, []

        def closure():
            with torch.no_grad():
                loss, logits = loss_and_gradients(
                    X, y, coef, intercept, scaled, self.alphas, coef.grad, intercept.grad
                )
            if not evaluated:
                evaluated.append((loss, logits))
            if after_gradient is not None:
                after_gradient()
            return loss

        if self.policy is not None:
            self.policy.batch_begin()
        self.optimizer.step(closure)
        if self.policy is not None:
            self.policy.batch_end()
        loss, logits = evaluated[0]
        self._loss.add_(loss, alpha=n_rows)
        self._rows += n_rows
        return loss, logits

    def _scaled(self, weights, n_rows, device):
        """Each row's weight in each model's mean loss: (models, rows)."""
        if weights is not None:
            return weights.reshape(n_rows, -1).T / n_rows
        key = (n_rows, len(self.live))
        if key not in self._uniform:
            self._uniform[key] = torch.full(key[::-1], 1.0 / n_rows, device=device)
        return self._uniform[key]

    # ---------------------------------------------------------- an epoch's end

    def epoch_losses(self):
        """The epoch's mean training loss (penalty included) of each live model."""
        return (self._loss / self._rows).tolist()

    def end_epoch(self, losses, scores=None):
        """Apply each live model's end-of-epoch decision; ``[(model, decision)]``.

        ``losses`` are :meth:`epoch_losses`; ``scores`` what the recipe's
        monitor reads (the losses, or validation accuracies). A decision is
        ``GO_ON``, ``LOWER_LR`` (done here), ``STOP`` (converged), ``DIVERGED``
        or ``DONE``; models that stop, diverge or are done keep their weights
        (:attr:`Trained.weights`).
        """
        scores = losses if scores is None else scores
        if self.policy is not None:
            self.policy.epoch_end()
        finite = torch.isfinite(self.coef.view(len(self.live), -1)).all(1).tolist()
        converged = getattr(self.optimizer, "converged", [None] * len(self.live))
        decisions = []
        for position, m in enumerate(self.live):
            model = self.models[m]
            model.history.append(
                {
                    "epoch": self.epoch,
                    "train_loss": losses[position],
                    "lr": self._lrs[position],
                    "optimizer": self.recipe.optimizer_name,
                }
            )
            decision = self._decide(position, m, scores[position], finite[position], converged)
            if decision in (STOP, DIVERGED, DONE) or self.epoch in self.checkpoints:
                model.weights[self.epoch] = self.weights_of(position, m)
            if decision in (STOP, DIVERGED, DONE):
                model.ended = decision
            decisions.append((m, decision))
        return decisions

    def _decide(self, position, m, score, finite, converged):
        settings, rule, model = self.recipe.models[m], self.rules[m], self.models[m]
        lbfgs = converged[position]
        if not (finite and np.isfinite(model.history[-1]["train_loss"])) and lbfgs is None:
            return DIVERGED  # (L-BFGS tries points of infinite loss in its line searches)
        if lbfgs == "not finite":
            return DIVERGED
        decision = GO_ON if rule is None else rule.update(score)
        if rule is not None and rule.is_best and self.load_best:
            self._best[m] = self.weights_of(position, m, best=False)
        if lbfgs is not None:
            model.converged = f"L-BFGS: {lbfgs}"
            return STOP
        if decision == LOWER_LR:
            lower_lr(self.optimizer, position, LR_FACTOR)
        elif decision == STOP:
            model.converged = "plateau"
        elif self.epoch >= settings.max_epochs:
            return DONE
        return decision

    def weights_of(self, position, m, *, best=True):
        """The weights model ``m`` (live at ``position``) ends with now: its best epoch's
        (``load_best``), else its current ones (for L-BFGS, the last accepted point)."""
        if best and m in self._best:
            return self._best[m]
        rows = slice(position * self.n_classes, (position + 1) * self.n_classes)
        coef, intercept = self.coef[rows], self.intercept[rows]
        return coef.detach().cpu().numpy().copy(), intercept.detach().cpu().numpy().copy()

    def finish(self):
        """Leave each live model's best weights in ``coef`` and ``intercept`` (``load_best``):
        what a fit's module holds after training."""
        with torch.no_grad():
            for position, m in enumerate(self.live):
                if m in self._best:
                    coef, intercept = self._best[m]
                    rows = slice(position * self.n_classes, (position + 1) * self.n_classes)
                    self.coef[rows] = torch.as_tensor(coef, device=self.coef.device)
                    self.intercept[rows] = torch.as_tensor(intercept, device=self.coef.device)

    # ------------------------------------------------------------ fewer models

    def keep(self, models):
        """Only the models ``models`` (indices into :attr:`models`) train on."""
        positions = [p for p, m in enumerate(self.live) if m in models]
        if len(positions) == len(self.live):
            return
        index = torch.tensor(positions, dtype=torch.long, device=self.coef.device)
        n_live = len(self.live)
        coef = self.coef.view(n_live, self.n_classes, -1)[index].reshape(-1, self.coef.shape[1])
        intercept = self.intercept.view(n_live, self.n_classes)[index].reshape(-1)
        self.optimizer.keep(positions, [coef, intercept])
        self.coef, self.intercept = coef, intercept
        for param in (coef, intercept):
            param.grad = torch.zeros_like(param)
        if self.alphas is not None:
            self.alphas = _penalties(self.alphas[index].tolist(), coef.device)
        self.live = [self.live[p] for p in positions]
        self._uniform = {}


def _penalties(alphas, device):
    """The models' L2 penalties as a tensor, or None when none has one (the step skips it)."""
    return torch.tensor(alphas, device=device) if any(alphas) else None


def _rule(recipe, model):
    """The plateau rule of a model: all but L-BFGS's, which ends on its own convergence
    test (unless early stopping watches the validation score)."""
    if recipe.optimizer == "lbfgs" and recipe.monitor == "train_loss":
        return None
    return PlateauRule(
        lower_is_better=recipe.monitor == "train_loss",
        tol=model.tol,
        patience=model.patience,
        lr_drops=model.lr_drops,
    )
