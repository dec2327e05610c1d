"""Many softmax models trained at once: one wide linear layer on shared minibatches.

A model here is a candidate's setting trained on one training set (a CV
fold's, or all rows for the refit). All models of a run see the same
minibatches of all rows; each model's loss counts only its own training rows,
with its own weights, penalty and optimizer settings, so its gradient is that
of a separate fit on those rows. One product with a (models x classes, features)
weight matrix replaces one small product per model, and ``max_epochs`` values
become checkpoints of the one run.
"""

import time

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight

from ._batches import ArrayDataset
from ._convergence import LOWER_LR, LR_DROPS, LR_FACTOR, STOP, PlateauRule
from ._device import resolve_device
from ._sparse import SparseRows
from ._stacked_optim import StackedOptimizer
from ._training import _SEED_MAX, resolved_alpha, resolved_batch_size

PER_MODEL = (
    "lr",
    "alpha",
    "momentum",
    "init_std",
    "class_weight",
    "tol",
    "n_iter_no_change",
    "lr_schedule",
    "max_epochs",
)
"""Parameters each model of a run may set for itself (``max_epochs``: a checkpoint)."""

IGNORED = ("verbose", "warm_start")
"""Parameters without effect on a fresh fit's model."""


def stackable(params):
    """Whether models with these parameters can train in a stacked run (else: separate fits)."""
    return (
        params["optimizer"] in ("adam", "sgd")
        and not params["early_stopping"]
        and not params["callbacks"]
    )


class StackedModel:
    """What one model of a run learned: weights at each checkpoint it reached and
    at the epoch it stopped, if it did, and its history."""

    def __init__(self):
        self.weights = {}  # epoch -> (coef, intercept), float32
        self.history = []  # one dict per epoch run: epoch, train_loss, lr
        self.stopped_at = None  # the epoch the stopping rule ended it, if it did
        self.diverged = False
        self.n_samples_seen = None

    def at(self, max_epochs):
        """``(coef, intercept, history)`` of a separate fit with ``max_epochs``."""
        epochs = min(max_epochs, len(self.history))
        coef, intercept = self.weights[min(e for e in self.weights if e >= epochs)]
        return coef, intercept, self.history[:epochs]


def _class_weights(class_weight, classes, y, rows):
    """Each class's weight (by encoded label) for a fit on ``rows``; dict keys are labels."""
    if class_weight is None:
        return np.ones(len(classes))
    return compute_class_weight(class_weight, classes=classes, y=classes[y[rows]])


def _loss_and_gradients(X, y, coef, intercept, scaled, alphas, grad_coef, grad_intercept):
    """Each model's loss on one minibatch; its gradients written into ``grad_*``.

    ``coef`` is ``(models x classes, features)``; ``scaled`` ``(models, rows)``,
    each row's weight in each model's loss (0 for rows not its own). A model's
    loss is its weighted cross-entropy plus ``alphas / 2 * ||coef||^2``, and
    its gradient the textbook one of softmax regression: the logits' gradient
    is ``scaled * (softmax - one_hot)``, the weights' that times ``X`` plus
    ``alphas * coef``. Written out, it saves autograd's bookkeeping on a step
    that is otherwise two products.
    """
    n_models, n_rows = scaled.shape
    if isinstance(X, SparseRows):
        logits = X.rows @ coef.T + intercept
    else:
        logits = torch.addmm(intercept, X, coef.T)
    # (rows, classes, models): torch's CPU softmax is several times faster
    # over this strided dim than over a contiguous dim of a few classes.
    by_class = logits.view(n_rows, n_models, -1).transpose(1, 2)
    log_proba = torch.log_softmax(by_class, dim=1)
    labels = y.view(n_rows, 1, 1).expand(n_rows, 1, n_models)
    nll = -log_proba.gather(1, labels).squeeze(1)  # (rows, models)
    squares = coef.view(n_models, -1).square().sum(1)
    loss = (scaled * nll.T).sum(1) + 0.5 * alphas * squares
    grad_logits = log_proba.exp_()
    grad_logits.scatter_add_(1, labels, torch.full_like(nll, -1.0).unsqueeze(1))
    grad_logits = grad_logits.mul_(scaled.T.unsqueeze(1)).transpose(1, 2).reshape(n_rows, -1)
    if isinstance(X, SparseRows):
        grad_coef.copy_((X.rows_t @ grad_logits).T)
    else:
        torch.mm(grad_logits.T, X, out=grad_coef)
    grad_coef.addcmul_(coef, alphas.repeat_interleave(coef.shape[0] // n_models)[:, None])
    torch.sum(grad_logits, 0, out=grad_intercept)
    return loss


def train_stacked(
    X, y, classes, sample_weight, train_sets, settings, run, checkpoints, *, verbose=0
):
    """Train one model per (setting, training set) together; return them and the seconds.

    Parameters
    ----------
    X : float32 ndarray or CSR matrix of shape (n_samples, n_features)
    y : int ndarray, labels encoded as 0 .. n_classes - 1
    classes : ndarray
        The labels the codes stand for (``class_weight`` dicts are keyed by them).
    sample_weight : ndarray or None
    train_sets : list of int ndarrays
        The rows each model of a setting trains on (every set holds every class).
    settings : list of dict
        Full estimator parameters; they differ only in :data:`PER_MODEL` values
        other than ``max_epochs``.
    run : dict
        The parameters all settings share (``optimizer``, ``batch_size``,
        ``random_state``, ``device``, ...): one setting's.
    checkpoints : sorted list of int
        The ``max_epochs`` values whose weights are kept (and each model's
        weights when it stops: later checkpoints are those).
    verbose : int, default=0
        1 prints a line per epoch.

    Returns
    -------
    models : list of list of StackedModel, ``models[setting][train_set]``
    seconds : float
    """
    start = time.perf_counter()
    n, n_features = X.shape
    n_classes = len(classes)
    device = resolve_device(run["device"])
    rng = check_random_state(run["random_state"])
    init_seed, shuffle_seed, _ = rng.randint(_SEED_MAX, size=3)
    base = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)

    weight_rows, masks, alphas, norms, coefs, lrs, momenta = [], [], [], [], [], [], []
    for setting in settings:
        for rows in train_sets:
            w = np.zeros(n)
            w[rows] = (
                base[rows] * _class_weights(setting["class_weight"], classes, y, rows)[y[rows]]
            )
            mask = np.zeros(n, dtype=bool)
            mask[rows] = True
            weight_rows.append(w)
            masks.append(mask)
            total = w.sum()
            norms.append(total / len(rows))  # a separate fit rescales weights to mean 1
            alphas.append(resolved_alpha(setting["alpha"], total))
            generator = torch.Generator().manual_seed(int(init_seed))
            coefs.append(
                torch.empty(n_classes, n_features).normal_(
                    0.0, setting["init_std"], generator=generator
                )
            )
            lrs.append(setting["lr"])
            momenta.append(setting["momentum"] if run["optimizer"] == "sgd" else 0.0)
    n_models = len(coefs)
    coef = torch.cat(coefs).to(device)
    intercept = torch.zeros(n_models * n_classes, device=device)
    optimizer = StackedOptimizer(
        run["optimizer"],
        [coef, intercept],
        n_classes,
        torch.tensor(lrs, dtype=torch.float32, device=device),
        torch.tensor(momenta, dtype=torch.float32, device=device),
    )
    weight_rows = torch.as_tensor(np.stack(weight_rows), dtype=torch.float32, device=device)
    masks = torch.as_tensor(np.stack(masks), device=device)
    alphas = torch.as_tensor(alphas, dtype=torch.float32, device=device)
    norms = torch.as_tensor(norms, dtype=torch.float32, device=device)

    models = [StackedModel() for _ in range(n_models)]
    rules = [
        PlateauRule(
            lower_is_better=True,
            tol=setting["tol"],
            patience=setting["n_iter_no_change"],
            lr_drops=LR_DROPS if setting["lr_schedule"] == "adaptive" else 0,
        )
        for setting in settings
        for _ in train_sets
    ]
    for model, w in zip(models, weight_rows, strict=True):
        model.n_samples_seen = float(w.sum())

    # Each model sees at least the rows per step a separate fit on its own set
    # would: the batch is sized for the smallest set (a CV fold's).
    fewest = min(len(rows) for rows in train_sets)
    per_model = resolved_batch_size(run["batch_size"], fewest)
    batch = max(1, min(n, round(min(per_model, fewest) * n / fewest)))

    dataset = ArrayDataset(X, y, device=device)
    shuffle = torch.Generator().manual_seed(int(shuffle_seed))
    live = torch.arange(n_models, device=device)  # the models still training, in stack order
    last = checkpoints[-1]
    for epoch in range(1, last + 1):
        order = torch.randperm(n, generator=shuffle).to(device)
        n_live = len(live)
        # This epoch's row order, once: each step then takes a slice of every
        # model's row weights, already divided by its rows in that step (times
        # its mean weight), so that each loss is the mean of a separate fit.
        n_steps = -(-n // batch)
        pad = n_steps * batch - n
        in_set = masks[live][:, order].float()
        per_step = torch.nn.functional.pad(in_set, (0, pad)).view(n_live, n_steps, batch).sum(2)
        scale = 1.0 / (per_step.clamp(min=1) * norms[live, None])
        scaled = weight_rows[live][:, order] * scale.repeat_interleave(batch, dim=1)[:, :n]
        live_alphas = alphas[live]
        grad_coef, grad_intercept = torch.empty_like(coef), torch.empty_like(intercept)
        step_losses = []
        for begin in range(0, n, batch):
            step = slice(begin, begin + batch)
            X_batch, y_batch = dataset.batch(order[step])
            loss = _loss_and_gradients(
                X_batch,
                y_batch,
                coef,
                intercept,
                scaled[:, step],
                live_alphas,
                grad_coef,
                grad_intercept,
            )
            optimizer.step([grad_coef, grad_intercept])
            step_losses.append(loss)
        # skorch's train_loss: the mean of the batch losses, weighted by rows
        per_step = per_step.cpu().double()  # float64 on the CPU: MPS has none
        epoch_losses = (torch.stack(step_losses, 1).cpu().double() * per_step).sum(1)
        epoch_losses = (epoch_losses / per_step.sum(1).clamp(min=1)).tolist()
        finite = torch.isfinite(coef.view(n_live, -1)).all(1).tolist()
        blocks = coef.view(n_live, n_classes, n_features), intercept.view(n_live, n_classes)
        stopped = []
        for position, (m, loss) in enumerate(zip(live.tolist(), epoch_losses, strict=True)):
            model = models[m]
            model.history.append({"epoch": epoch, "train_loss": loss, "lr": lrs[m]})
            if not (np.isfinite(loss) and finite[position]):
                model.diverged = True
            action = STOP if model.diverged else rules[m].update(loss)
            if action == LOWER_LR:
                lrs[m] /= LR_FACTOR
                optimizer.set_lr(position, lrs[m])
            elif action == STOP:
                model.stopped_at = epoch
                stopped.append(position)
            if action == STOP or epoch in checkpoints:
                model.weights[epoch] = tuple(t[position].cpu().numpy().copy() for t in blocks)
        if stopped:  # they leave the product; their weights are kept above
            keep = torch.tensor(
                [p for p in range(n_live) if p not in stopped], dtype=torch.long, device=device
            )
            live = live[keep]
            coef = blocks[0][keep].reshape(-1, n_features)
            intercept = blocks[1][keep].reshape(-1)
            optimizer.keep(keep, [coef, intercept])
        if verbose:
            print(
                f"  stacked run of {n_models} models: epoch {epoch}/{last}, "
                f"{len(live)} still training, {time.perf_counter() - start:.1f} s",
                flush=True,
            )
        if not len(live):
            break
    n_per_setting = len(train_sets)
    grouped = [models[i : i + n_per_setting] for i in range(0, n_models, n_per_setting)]
    return grouped, time.perf_counter() - start
