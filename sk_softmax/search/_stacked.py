"""Many softmax models trained at once on one training set: one wide linear layer.

A stacked run trains the candidates of a search that differ only in per-model
values (``lr``, ``alpha``, ...) on one split's training rows, side by side:
every model sees the minibatches a separate ``SoftmaxClassifier.fit`` on
those rows would see (the same seeds, batch size and row order), and takes
its steps through the same kernel (:mod:`sk_softmax._kernel`), recipe
(:mod:`sk_softmax._recipe`), stopping rule and thread policy. One product
with a ``(models x classes, features)`` weight matrix replaces one small
product per model, and ``max_epochs`` values become checkpoints of the run.
"""

import time

import numpy as np
import torch

from .._batches import ArrayDataset
from .._convergence import LOWER_LR, LR_DROPS, LR_FACTOR, STOP, PlateauRule
from .._device import resolve_device
from .._kernel import loss_and_gradients
from .._recipe import (
    batch_order,
    data_size,
    initial_weights,
    resolved_alpha,
    resolved_batch_size,
    row_weights,
    seeds,
)
from .._threads import ThreadPolicy, torch_threads
from ._candidates import minibatch_optimizer
from ._stacked_optim import StackedOptimizer


def epoch_loss(batch_losses, batch_sizes):
    """An epoch's ``train_loss`` as skorch records it: the batch losses' mean, by rows."""
    return float(np.average(batch_losses, weights=batch_sizes))


class StackedModel:
    """What one model of a run learned: weights at each checkpoint it reached and
    at the epoch it stopped, if it did, and its history."""

    def __init__(self, n_samples_seen):
        self.weights = {}  # epoch -> (coef, intercept), float32
        self.history = []  # one dict per epoch run: epoch, train_loss, lr
        self.stopped_at = None  # the epoch the stopping rule ended it, if it did
        self.diverged = False
        self.n_samples_seen = n_samples_seen

    def at(self, max_epochs):
        """``(coef, intercept, history)`` of a separate fit with ``max_epochs``."""
        epochs = min(max_epochs, len(self.history))
        coef, intercept = self.weights[min(e for e in self.weights if e >= epochs)]
        return coef, intercept, self.history[:epochs]


class _Stack:
    """The models of a run still training: weights, row weights, optimizer and rules."""

    def __init__(self, y, classes, sample_weight, settings, run, optimizer, n_features, device):
        n_classes = len(classes)
        seed = seeds(run["random_state"])
        weights, coefs, alphas = [], [], []
        self.models, self.rules, self.lrs = [], [], []
        self.needs = [setting["max_epochs"] for setting in settings]  # epochs each model trains
        for setting in settings:
            w, total = row_weights(sample_weight, setting["class_weight"], classes, y, rescale=True)
            weights.append(np.ones(len(y), np.float32) if w is None else w)
            alphas.append(resolved_alpha(setting["alpha"], total))
            coefs.append(initial_weights(n_classes, n_features, setting["init_std"], seed.init))
            self.models.append(StackedModel(total))
            self.lrs.append(setting["lr"])
            self.rules.append(
                PlateauRule(
                    lower_is_better=True,
                    tol=setting["tol"],
                    patience=setting["n_iter_no_change"],
                    lr_drops=LR_DROPS if setting["lr_schedule"] == "adaptive" else 0,
                )
            )
        momenta = [s["momentum"] if optimizer == "sgd" else 0.0 for s in settings]
        self.n_classes, self.n_features = n_classes, n_features
        self.live = list(range(len(settings)))  # positions in self.models, in stack order
        self.coef = torch.cat(coefs).to(device)
        self.intercept = torch.zeros(len(coefs) * n_classes, device=device)
        self.weights = torch.as_tensor(np.stack(weights), device=device)
        self.alphas = torch.tensor(alphas, dtype=torch.float32, device=device)
        self.optimizer = StackedOptimizer(
            optimizer,
            [self.coef, self.intercept],
            n_classes,
            torch.tensor(self.lrs, dtype=torch.float64),
            torch.tensor(momenta, dtype=torch.float32, device=device),
        )
        self.grads = torch.empty_like(self.coef), torch.empty_like(self.intercept)

    def step(self, X_batch, y_batch, rows):
        """One minibatch step of every live model; their losses, a tensor of (models,)."""
        scaled = self.weights.index_select(1, rows) / len(rows)
        loss, _ = loss_and_gradients(
            X_batch, y_batch, self.coef, self.intercept, scaled, self.alphas, *self.grads
        )
        self.optimizer.step(self.grads)
        return loss

    def blocks(self):
        n_live = len(self.live)
        return (
            self.coef.view(n_live, self.n_classes, self.n_features),
            self.intercept.view(n_live, self.n_classes),
        )

    def end_epoch(self, epoch, losses, checkpoints):
        """Record the epoch, apply each model's stopping rule; the stopped ones leave, and
        so do those that reached their ``max_epochs``."""
        finite = torch.isfinite(self.coef.view(len(self.live), -1)).all(1).tolist()
        coef, intercept = self.blocks()
        stopped = []
        for position, m in enumerate(self.live):
            model, loss = self.models[m], losses[position]
            model.history.append({"epoch": epoch, "train_loss": loss, "lr": self.lrs[m]})
            model.diverged = not (np.isfinite(loss) and finite[position])
            action = STOP if model.diverged else self.rules[m].update(loss)
            if action == LOWER_LR:
                self.lrs[m] /= LR_FACTOR
                self.optimizer.set_lr(position, self.lrs[m])
            elif action == STOP:
                model.stopped_at = epoch
                stopped.append(position)
            if action == STOP or epoch in checkpoints:
                model.weights[epoch] = (
                    coef[position].cpu().numpy().copy(),
                    intercept[position].cpu().numpy().copy(),
                )
            if action != STOP and epoch >= self.needs[m]:
                stopped.append(position)  # done: no candidate of it asks for more epochs
        if stopped:
            self.leave(stopped)

    def leave(self, stopped):
        """The stopped models leave the product; their weights were kept."""
        keep = [p for p in range(len(self.live)) if p not in stopped]
        index = torch.tensor(keep, dtype=torch.long, device=self.coef.device)
        coef, intercept = self.blocks()
        self.coef = coef[index].reshape(-1, self.n_features)
        self.intercept = intercept[index].reshape(-1)
        self.weights = self.weights[index]
        self.alphas = self.alphas[index]
        self.live = [self.live[p] for p in keep]
        self.optimizer.keep(index, [self.coef, self.intercept])
        self.grads = torch.empty_like(self.coef), torch.empty_like(self.intercept)


def _epoch(stack, dataset, rows, order, batch, policy):
    """One pass over ``rows`` in ``order``; each live model's epoch loss."""
    if policy is not None:
        policy.epoch_begin()
    batch_losses, sizes = [], []
    for begin in range(0, len(order), batch):
        positions = order[begin : begin + batch]
        if policy is not None:
            policy.batch_begin()
        X_batch, y_batch = dataset.batch(rows.index_select(0, positions))
        batch_losses.append(stack.step(X_batch, y_batch, positions))
        if policy is not None:
            policy.batch_end()
        sizes.append(len(positions))
    if policy is not None:
        policy.epoch_end()
    per_model = torch.stack(batch_losses, 1).cpu().double().numpy()
    return [epoch_loss(losses.tolist(), sizes) for losses in per_model]


def train_stacked(X, y, classes, sample_weight, rows, settings, run, checkpoints, *, verbose=0):
    """Train one model per setting on the training rows ``rows`` of ``X``, together.

    Parameters
    ----------
    X : float32 ndarray or CSR matrix of shape (n_samples, n_features)
    y : int ndarray, labels encoded as 0 .. n_classes - 1
    classes : ndarray
        The labels the codes stand for (``class_weight`` dicts are keyed by them).
    sample_weight : float64 ndarray or None
    rows : int ndarray
        The training rows, in the split's order; a repeated row counts as
        often as it appears, as in a fit on ``X[rows]``.
    settings : list of dict
        Full estimator parameters, which differ only in :data:`PER_MODEL`
        values; a model trains for its setting's ``max_epochs`` (or until its
        stopping rule ends it).
    run : dict
        The parameters all settings share (``optimizer``, ``batch_size``,
        ``random_state``, ``n_threads``, ``device``, ...): one setting's.
    checkpoints : sorted list of int
        The ``max_epochs`` values whose weights are kept (and each model's
        weights when it stops: later checkpoints are those).
    verbose : int, default=0
        1 prints a line per epoch.

    Returns
    -------
    models : list of StackedModel, one per setting
    seconds : float
    """
    stacked = StackedRun(X, y, classes, sample_weight, rows, settings, run)
    stacked.train_to(checkpoints[-1], checkpoints, verbose=verbose)
    return stacked.models, stacked.seconds


class StackedRun:
    """A stacked run that trains in stages: to an epoch, then on from there.

    :func:`train_stacked` trains one to its last checkpoint; successive
    halving trains one rung at a time and lets the losing models leave
    (:meth:`keep`). The arguments are :func:`train_stacked`'s.
    """

    def __init__(self, X, y, classes, sample_weight, rows, settings, run):
        start = time.perf_counter()
        self.device = resolve_device(run["device"])
        rows = np.asarray(rows)
        weights = None if sample_weight is None else sample_weight[rows]
        optimizer = minibatch_optimizer(run["optimizer"], data_size(X, len(classes), rows))
        if optimizer is None:
            raise ValueError(f"optimizer={run['optimizer']!r} does not stack on these rows.")
        self.stack = _Stack(
            y[rows], classes, weights, settings, run, optimizer, X.shape[1], self.device
        )
        self.dataset = ArrayDataset(X, y, device=self.device)
        self.rows = torch.as_tensor(rows, dtype=torch.long, device=self.device)
        self.generator = torch.Generator().manual_seed(seeds(run["random_state"]).shuffle)
        self.batch = min(resolved_batch_size(run["batch_size"], len(rows)), len(rows))
        self.n_threads, self.policy, self.epoch = run["n_threads"], None, 0
        self.seconds = time.perf_counter() - start

    @property
    def models(self):
        """One :class:`StackedModel` per setting, in their order."""
        return self.stack.models

    def train_to(self, last, checkpoints, *, verbose=0):
        """Train the live models on to epoch ``last``, keeping weights at ``checkpoints``."""
        start = time.perf_counter()
        with torch_threads(self.n_threads):
            if self.policy is None and self.n_threads == "auto":
                self.policy = ThreadPolicy()
            while self.epoch < last and self.stack.live:
                self.epoch += 1
                order = batch_order(len(self.rows), self.generator).to(self.device)
                losses = _epoch(self.stack, self.dataset, self.rows, order, self.batch, self.policy)
                self.stack.end_epoch(self.epoch, losses, checkpoints)
                if verbose:
                    print(
                        f"  stacked run of {len(self.models)} models: epoch {self.epoch}/{last}, "
                        f"{len(self.stack.live)} still training, {self.seconds:.1f} s",
                        flush=True,
                    )
        self.seconds += time.perf_counter() - start

    def keep(self, models):
        """Only the models at these positions (of :attr:`models`) train on; the others leave."""
        leaving = [p for p, m in enumerate(self.stack.live) if m not in models]
        if leaving:
            self.stack.leave(leaving)


def train_groups(X, y, classes, sample_weight, row_sets, groups, *, n_jobs=None, verbose=0):
    """Every group's stacked run on every set of training rows, ``n_jobs`` at a time.

    ``groups`` are :func:`~sk_softmax.search._candidates.stacked_groups`'
    ``(run, settings, max_epochs)``; returns, per group, the models per row
    set (``models[split][setting]``) and the seconds of its runs together.
    """
    from joblib import Parallel, delayed

    tasks = [(group, rows) for group in groups for rows in row_sets]
    trained = Parallel(n_jobs=n_jobs, verbose=verbose)(
        delayed(train_stacked)(
            X, y, classes, sample_weight, rows, settings, run, sorted(epochs), verbose=verbose
        )
        for (run, settings, epochs), rows in tasks
    )
    n_sets = len(row_sets)
    return [
        (
            [models for models, _ in trained[g * n_sets : (g + 1) * n_sets]],
            sum(seconds for _, seconds in trained[g * n_sets : (g + 1) * n_sets]),
        )
        for g in range(len(groups))
    ]
