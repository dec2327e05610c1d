"""Training the stacked runs of a plan: each a :class:`~sk_softmax._stack.Stack` of many models.

A run builds its recipe as a fit does (:func:`sk_softmax._recipe.recipe`,
with one model per setting), starts every model from the initial weights its
separate fit would draw, and iterates over the split's training rows in the
minibatches of that fit (:class:`~sk_softmax._batches.TensorBatchIterator`,
seeded alike). Each epoch ends in :meth:`Stack.end_epoch`, which also keeps
the weights at the run's checkpoints; models that stop, diverge or reach
their ``max_epochs`` leave the run.
"""

import time

import numpy as np
import torch
from torch.utils.data import Subset

from .._batches import ArrayDataset, TensorBatchIterator
from .._convergence import DIVERGED, DONE, STOP
from .._device import resolve_device
from .._optim import SoftmaxOptimizer, resolve_optimizer
from .._recipe import initial_weights, recipe, row_weights
from .._stack import Stack
from .._threads import torch_threads


class StackedRun:
    """One :class:`~sk_softmax.search._plan.Run` on its rows, trained in stages.

    Parameters
    ----------
    run : Run
        The plan's run: its parameters, settings and checkpoints.
    X : float32 ndarray or CSR matrix
    y : int ndarray, the labels encoded as 0 .. n_classes - 1
    classes : ndarray
        The labels the codes stand for (``class_weight`` dicts are keyed by them).
    sample_weight : float64 ndarray or None
    rows : int ndarray
        The training rows, in the split's order; a repeated row counts as often
        as it appears, as in a fit on ``X[rows]``.

    Attributes
    ----------
    models : list of Trained
        One per setting, in their order.
    seconds : float
        The time the run has taken so far.
    """

    def __init__(self, run, X, y, classes, sample_weight, rows):
        start = time.perf_counter()
        rows = np.asarray(rows)
        device = resolve_device(run.params["device"])
        weights, seen = [], []
        for setting in run.settings:
            w, total = row_weights(
                None if sample_weight is None else sample_weight[rows],
                setting["class_weight"],
                classes,
                y[rows],
                rescale=True,
            )
            weights.append(w)
            seen.append(total)
        self.recipe = recipe(run.params, run.settings, run.size, seen)
        coef = torch.cat(
            [
                initial_weights(len(classes), X.shape[1], model.init_std, self.recipe.seeds.init)
                for model in self.recipe.models
            ]
        ).to(device)
        intercept = torch.zeros(len(coef), device=device)
        _, kind = resolve_optimizer(self.recipe.optimizer)
        lr, settings = self.recipe.optimizer_arguments()
        optimizer = SoftmaxOptimizer([coef, intercept], lr, kind=kind, **settings)
        self.stack = Stack(self.recipe, coef, intercept, optimizer, checkpoints=run.checkpoints)
        all_weights = None  # every row weighs 1 in every model's loss
        if any(w is not None for w in weights):
            all_weights = np.zeros((len(y), len(weights)), np.float32)
            for model, w in enumerate(weights):
                all_weights[rows, model] = 1.0 if w is None else w  # a repeated row: one weight
        self.batches = TensorBatchIterator(
            Subset(ArrayDataset(X, y, all_weights, device=device), rows),
            batch_size=self.recipe.batch_size,
            shuffle=not self.recipe.full_batch,
            generator=torch.Generator().manual_seed(self.recipe.seeds.shuffle),
        )
        self.seconds = time.perf_counter() - start

    @property
    def models(self):
        return self.stack.models

    def train_to(self, epochs, *, verbose=0):
        """Train the live models on to epoch ``epochs`` (or until none is left)."""
        start = time.perf_counter()
        stack = self.stack
        with torch_threads(self.recipe.n_threads):
            while stack.epoch < epochs and stack.live:
                stack.begin_epoch()
                columns = None if len(stack.live) == len(stack.models) else stack.live
                for X, y in self.batches:
                    weights = None
                    if isinstance(X, dict):  # each model's row weights, of those still training
                        X, weights = X["X"], X["sample_weight"]
                        weights = weights if columns is None else weights[:, columns]
                    stack.step(X, y, weights)
                decisions = stack.end_epoch(stack.epoch_losses())
                ended = {m for m, decision in decisions if decision in (STOP, DIVERGED, DONE)}
                if ended:
                    stack.keep([m for m in stack.live if m not in ended])
                if verbose > 1:
                    print(
                        f"  stacked run of {len(stack.models)} models: epoch {stack.epoch}, "
                        f"{len(stack.live)} still training",
                        flush=True,
                    )
        self.seconds += time.perf_counter() - start
        return self

    def keep(self, models):
        """Only the models ``models`` (indices into :attr:`models`) train on."""
        self.stack.keep([m for m in self.stack.live if m in models])


def train_runs(runs, data, *, n_jobs=None, verbose=0):
    """Train every run of ``runs`` to its last checkpoint, ``n_jobs`` at a time.

    ``data(run)`` gives the ``(X, y, classes, sample_weight, rows)`` a run
    trains on. Returns each run's ``(models, seconds)``, in order.
    """
    from joblib import Parallel, delayed

    return Parallel(n_jobs=n_jobs)(
        delayed(_trained)(run, *data(run), verbose=verbose) for run in runs
    )


def _trained(run, X, y, classes, sample_weight, rows, *, verbose=0):
    stacked = StackedRun(run, X, y, classes, sample_weight, rows)
    stacked.train_to(max(run.checkpoints), verbose=verbose)
    return stacked.models, stacked.seconds
