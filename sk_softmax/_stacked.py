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
from torch.nn.functional import cross_entropy

from ._batches import ArrayDataset
from ._convergence import LOWER_LR, LR_DROPS, LR_FACTOR, STOP, PlateauRule
from ._device import resolve_device
from ._optim import resolve_optimizer
from ._sparse import SparseRows, sparse_linear
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
    """What one model of a run learned: weights at each checkpoint and its history."""

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


def _class_weights(class_weight, y, rows, n_classes):
    if class_weight is None:
        return np.ones(n_classes)
    return compute_class_weight(class_weight, classes=np.arange(n_classes), y=y[rows])


def _multi_tensor(optimizer_class, params):
    """The optimizer with torch's fused kernels where this torch and device have them.

    A fused step updates a whole parameter group in one kernel; the stacked
    run has a group per learning rate, stepped every minibatch. Older torch
    releases (fused on the CPU came with 2.4) get the multi-tensor path.
    """
    try:
        return optimizer_class(params, lr=1.0, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return optimizer_class(params, lr=1.0, foreach=True)


def _regroup(optimizer, params, groups):
    """One parameter group per distinct optimizer setting among the models still training.

    torch's optimizers step each group separately, so models that share a
    learning rate (and momentum) share a group and one multi-tensor step;
    the per-parameter state (e.g. Adam's moments) stays with each parameter.
    Models whose ``lr`` is None are left out: frozen.
    """
    merged = {}
    for pair, group in zip(params, groups, strict=True):
        if group["lr"] is not None:
            merged.setdefault(tuple(sorted(group.items())), []).extend(pair)
    optimizer.param_groups.clear()
    for setting, members in merged.items():
        optimizer.add_param_group({"params": members, **dict(setting)})


def train_stacked(
    X, y, n_classes, sample_weight, train_sets, settings, run, checkpoints, *, verbose=0
):
    """Train one model per (setting, training set) together; return them and the seconds.

    Parameters
    ----------
    X : float32 ndarray or CSR matrix of shape (n_samples, n_features)
    y : int ndarray, labels encoded as 0 .. n_classes - 1
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
        The ``max_epochs`` values whose weights are kept.
    verbose : int, default=0
        1 prints a line per epoch.

    Returns
    -------
    models : list of list of StackedModel, ``models[setting][train_set]``
    seconds : float
    """
    start = time.perf_counter()
    n, n_features = X.shape
    device = resolve_device(run["device"])
    rng = check_random_state(run["random_state"])
    init_seed, shuffle_seed, _ = rng.randint(_SEED_MAX, size=3)
    base = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)

    weight_rows, masks, alphas, norms, params, groups = [], [], [], [], [], []
    for setting in settings:
        for rows in train_sets:
            w = np.zeros(n)
            w[rows] = (
                base[rows] * _class_weights(setting["class_weight"], y, rows, n_classes)[y[rows]]
            )
            mask = np.zeros(n, dtype=bool)
            mask[rows] = True
            weight_rows.append(w)
            masks.append(mask)
            total = w.sum()
            norms.append(total / len(rows))  # a separate fit rescales weights to mean 1
            alphas.append(resolved_alpha(setting["alpha"], total))
            generator = torch.Generator().manual_seed(int(init_seed))
            coef = torch.empty(n_classes, n_features).normal_(
                0.0, setting["init_std"], generator=generator
            )
            pair = [
                torch.nn.Parameter(coef.to(device)),
                torch.nn.Parameter(torch.zeros(n_classes, device=device)),
            ]
            params.append(pair)
            _, extra = resolve_optimizer(run["optimizer"], momentum=setting["momentum"])
            groups.append({"lr": setting["lr"], **extra})
    optimizer_class, _ = resolve_optimizer(run["optimizer"], momentum=0.0)
    optimizer = _multi_tensor(optimizer_class, [p for pair in params for p in pair])
    _regroup(optimizer, params, groups)
    n_models = len(params)
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
    active = torch.ones(n_models, dtype=torch.bool, device=device)
    last = checkpoints[-1]
    for epoch in range(1, last + 1):
        order = torch.randperm(n, generator=shuffle).to(device)
        live = active.nonzero().squeeze(1)  # stopped models leave the product
        n_live = len(live)
        live_params = [params[m] for m in live.tolist()]
        # This epoch's row order, once: each step then takes a slice of every
        # model's row weights, already divided by its rows in that step (times
        # its mean weight), so that each loss is the mean of a separate fit.
        n_steps = -(-n // batch)
        pad = n_steps * batch - n
        in_set = masks[live][:, order].float()
        per_step = torch.nn.functional.pad(in_set, (0, pad)).view(n_live, n_steps, batch).sum(2)
        scale = 1.0 / (per_step.clamp(min=1) * norms[live, None])
        scaled = weight_rows[live][:, order] * scale.repeat_interleave(batch, dim=1)[:, :n]
        half_alphas = 0.5 * alphas[live]
        step_losses = []
        for begin in range(0, n, batch):
            step = slice(begin, begin + batch)
            X_batch, y_batch = dataset.batch(order[step])
            coef = torch.cat([pair[0] for pair in live_params])
            intercept = torch.cat([pair[1] for pair in live_params])
            if isinstance(X_batch, SparseRows):
                logits = sparse_linear(X_batch, coef, intercept)
            else:
                logits = torch.nn.functional.linear(X_batch, coef, intercept)
            # (rows, classes, models): one cross-entropy over every model's logits
            by_class = logits.view(len(y_batch), n_live, n_classes).transpose(1, 2)
            targets = y_batch.view(-1, 1).expand(-1, n_live)
            nll = cross_entropy(by_class, targets, reduction="none").T  # (models, rows)
            flat = coef.view(n_live, -1)
            loss = (scaled[:, step] * nll).sum(1) + half_alphas * (flat * flat).sum(1)
            optimizer.zero_grad(set_to_none=True)
            loss.sum().backward()
            optimizer.step()
            step_losses.append(loss.detach())
        # skorch's train_loss: the mean of the batch losses, weighted by rows
        per_step = per_step.double()
        epoch_losses = (torch.stack(step_losses, 1).double() * per_step).sum(1)
        epoch_losses = (epoch_losses / per_step.sum(1).clamp(min=1)).tolist()
        for m, loss in zip(live.tolist(), epoch_losses, strict=True):
            model, group = models[m], groups[m]
            model.history.append({"epoch": epoch, "train_loss": loss, "lr": group["lr"]})
            if not np.isfinite(loss) or not torch.isfinite(params[m][0]).all():
                model.diverged = True
            action = STOP if model.diverged else rules[m].update(loss)
            if action == LOWER_LR:
                group["lr"] /= LR_FACTOR
            elif action == STOP:
                model.stopped_at = epoch
                group["lr"] = None  # frozen: no longer stepped
                active[m] = False
        _regroup(optimizer, params, groups)
        if epoch in checkpoints or not active.any():
            for model, pair in zip(models, params, strict=True):
                model.weights[epoch] = tuple(p.detach().cpu().numpy().copy() for p in pair)
        if verbose:
            print(
                f"  stacked run of {n_models} models: epoch {epoch}/{last}, "
                f"{int(active.sum())} still training, {time.perf_counter() - start:.1f} s",
                flush=True,
            )
        if not active.any():
            break
    n_per_setting = len(train_sets)
    grouped = [models[i : i + n_per_setting] for i in range(0, n_models, n_per_setting)]
    return grouped, time.perf_counter() - start
