"""Building and driving the skorch net for a SoftmaxClassifier's parameters."""

import copy
import warnings

import torch
from skorch.callbacks import Callback, ProgressBar
from skorch.dataset import ValidSplit
from skorch.history import History

from ._batches import TensorBatchIterator
from ._callbacks import DivergenceGuard, ThreadProbe, check_finite_weights
from ._convergence import LR_DROPS, Convergence
from ._device import resolve_device
from ._module import SoftmaxRegression
from ._net import SoftmaxNet
from ._optim import resolve_optimizer
from ._recipe import DataSize, resolved_alpha, resolved_batch_size, seeds, solver
from ._upstream import optimizers_without_dynamo
from ._warnings import warn_not_converged

_OWN_CALLBACKS = ("divergence_guard", "convergence", "thread_probe", "progress_bar")


def build_net(params, size, device, *, n_samples_seen, incremental):
    """The skorch net that trains a model with the estimator parameters ``params``.

    ``"auto"`` values are resolved here, from ``size`` (the
    :class:`~sk_softmax._recipe.DataSize` of this call's data) and
    ``n_samples_seen``; the batch size is clipped to the rows here, never in
    the parameter, and L-BFGS trains full-batch. ``partial_fit``
    (``incremental``) holds out no validation data.
    """
    seed = seeds(params["random_state"])
    n_samples, n_features, n_classes = size.n_samples, size.n_features, size.n_classes
    optimizer, lr = solver(params["optimizer"], params["lr"], size, incremental=incremental)
    optimizer, optimizer_kwargs = resolve_optimizer(
        optimizer, momentum=params["momentum"], tol=params["tol"]
    )
    full_batch = issubclass(optimizer, torch.optim.LBFGS)
    batch_size = resolved_batch_size(params["batch_size"], n_samples)
    alpha = resolved_alpha(params["alpha"], n_samples_seen)
    validate = params["early_stopping"] and not incremental
    train_split = None
    if validate:
        train_split = ValidSplit(
            params["validation_fraction"], stratified=True, random_state=seed.split
        )
    net = SoftmaxNet(
        module=SoftmaxRegression,
        module__n_features=n_features,
        module__n_classes=n_classes,
        module__init_std=params["init_std"],
        module__random_state=seed.init,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=optimizer,
        lr=lr,
        **{f"optimizer__{key}": value for key, value in optimizer_kwargs.items()},
        alpha=alpha,
        max_epochs=params["max_epochs"],
        batch_size=n_samples if full_batch else min(batch_size, n_samples),
        iterator_train=TensorBatchIterator,
        iterator_train__shuffle=not full_batch,  # a full batch's gradient is one sum
        iterator_train__generator=torch.Generator().manual_seed(seed.shuffle),
        iterator_valid=TensorBatchIterator,
        train_split=train_split,
        classes=list(range(n_classes)),
        device=device,
        verbose=params["verbose"],
        **({} if params["verbose"] else {"callbacks__print_log": None}),
    )
    net.callbacks = _callbacks(params, validate, net, full_batch=full_batch)
    return net


def _callbacks(params, validate, net, *, full_batch):
    stopping = Convergence(
        "valid_acc" if validate else "train_loss",
        lower_is_better=not validate,
        tol=params["tol"],
        patience=params["n_iter_no_change"],
        # A full batch has no noise floor to get below: L-BFGS keeps its lr.
        lr_drops=LR_DROPS if params["lr_schedule"] == "adaptive" and not full_batch else 0,
        load_best=validate,
    )
    callbacks = [("divergence_guard", DivergenceGuard()), ("convergence", stopping)]
    if params["n_threads"] == "auto":
        callbacks.append(("thread_probe", ThreadProbe()))
    if params["verbose"]:
        callbacks.append(("progress_bar", ProgressBar()))
    reserved = {name for name, _ in net.get_default_callbacks()} | set(_OWN_CALLBACKS)
    for callback in params["callbacks"] or []:
        name, instance = callback if isinstance(callback, tuple) else (None, callback)
        if not isinstance(instance, Callback):
            raise ValueError(
                "callbacks must hold skorch callbacks or (name, callback) tuples, "
                f"got {callback!r}."
            )
        if name in reserved:
            raise ValueError(
                f"The callback name {name!r} is taken by SoftmaxClassifier's own "
                f"callbacks ({', '.join(sorted(reserved))}); give yours another name."
            )
        instance = copy.deepcopy(instance)
        callbacks.append(instance if name is None else (name, instance))
    return callbacks


def net_with_weights(params, coef, intercept, history):
    """An initialised net holding the given weights and epoch history, as ``fit`` builds it.

    Its initial weights are overwritten, so it is seeded instead of drawing
    from numpy's global random state.
    """
    device = resolve_device(params["device"])
    params = {**params, "random_state": 0}
    size = DataSize(1, coef.shape[1], len(coef), coef.shape[1])
    net = build_net(params, size, device, n_samples_seen=1, incremental=False)
    net.initialize()
    with torch.no_grad():
        net.module_.linear.weight.copy_(torch.from_numpy(coef))
        net.module_.linear.bias.copy_(torch.from_numpy(intercept))
    net.history = History(history)
    return net


def train(net, dataset, y, *, previous=None, epochs=None):
    """Train ``net`` on ``dataset``, from scratch or going on from the net ``previous``.

    Going on, the new net takes ``previous``'s weights, history and minibatch
    order, and with ``epochs`` (``partial_fit``) its optimizer state as well;
    ``previous`` itself is never changed. An interrupt that skorch swallowed
    is raised again, and non-finite weights raise ``DivergenceError``.
    Returns the number of epochs this call ran.
    """
    with optimizers_without_dynamo():
        net.initialize()
        if previous is not None:
            _continue(previous, net, keep_optimizer_state=epochs is not None)
        before = len(net.history)
        net.partial_fit(dataset, y, epochs=epochs)
    epochs_run = len(net.history) - before
    _raise_if_interrupted(net)
    check_finite_weights(net)
    return epochs_run


def _continue(old, new, *, keep_optimizer_state):
    """Give the freshly initialised net ``new`` the weights and history of ``old``.

    With ``keep_optimizer_state``, the optimizer's state (e.g. Adam's moments)
    carries over too when the optimizer class is unchanged, while its
    hyperparameters (``lr``, ...) stay those of ``new``. Everything is copied:
    a failed call must leave ``old`` as it was.
    """
    new.module_.load_state_dict(old.module_.state_dict())
    # Finished epochs are never written again: only the last one is copied.
    new.history = History([*old.history[:-1], copy.deepcopy(old.history[-1])])
    new.iterator_train__generator.set_state(old.iterator_train__generator.get_state())
    if keep_optimizer_state and type(new.optimizer_) is type(old.optimizer_):
        settings = [
            {key: value for key, value in group.items() if key != "params"}
            for group in new.optimizer_.param_groups
        ]
        # load_state_dict keeps the very tensors it is given: hand it copies.
        new.optimizer_.load_state_dict(copy.deepcopy(old.optimizer_.state_dict()))
        for group, setting in zip(new.optimizer_.param_groups, settings, strict=True):
            group.update(setting)


def _raise_if_interrupted(net):
    """Re-raise an interrupt that skorch swallowed, saying where training stood."""
    if net.interrupted_ is None:
        return
    exc, epoch, batches = net.interrupted_
    try:  # the interrupt propagates even where warnings are errors
        warnings.warn(
            f"Training was interrupted in epoch {epoch}, after {batches} training "
            "batch(es) of that epoch; the SoftmaxClassifier is left as it was before "
            "this call.",
            UserWarning,
            # warn <- here <- train <- _fit <- fit <- scikit-learn's _fit_context <- the caller
            stacklevel=6,
        )
    finally:
        raise exc


def stop_reason(net, params, epochs_run):
    """One line saying why ``fit`` ended training."""
    done = f"Training stopped after epoch {len(net.history)}"
    if net.stopped_by_ == "convergence":
        stopper = dict(net.callbacks_)["convergence"]
        kept = ", whose weights were restored" if stopper.load_best else ""
        drops = ""
        if stopper.lr_dropped_at_:
            drops = f"lr divided by 10 after epoch(s) {stopper.lr_dropped_at_}; "
        return (
            f"{done}: {stopper.monitor} did not improve by a relative tol={params['tol']} for "
            f"n_iter_no_change={params['n_iter_no_change']} epochs ({drops}best: epoch "
            f"{stopper.best_epoch_}{kept})."
        )
    if net.stopped_by_ is not None:
        return f"{done}: the callback {net.stopped_by_!r} ended training."
    return f"{done}: max_epochs={params['max_epochs']} epochs ran out ({epochs_run} in this call)."


def warn_if_not_converged(net, params, epochs_run):
    """``ConvergenceWarning`` when ``max_epochs`` ran out; a callback's stop is no failure."""
    if epochs_run >= params["max_epochs"] and net.stopped_by_ is None:
        stopper = dict(net.callbacks_)["convergence"]
        # warn_not_converged <- here <- _fit <- fit <- scikit-learn's _fit_context <- the caller
        warn_not_converged(params, stopper.monitor, stacklevel=6)
