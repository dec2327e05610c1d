"""Building and driving the skorch net of a fit, from the fit's recipe."""

import copy
import sys
import warnings

import torch
from skorch.callbacks import Callback, ProgressBar
from skorch.dataset import ValidSplit

from ._batches import TensorBatchIterator
from ._history import History
from ._module import SoftmaxRegression
from ._net import SoftmaxNet
from ._optim import resolve_optimizer
from ._warnings import warn_not_converged

_OWN_CALLBACKS = ("progress_bar",)


def build_net(params, recipe, n_features, n_classes, device):
    """The skorch net that trains one model as ``recipe`` says.

    ``params`` are the estimator's (its callbacks, verbosity, early stopping);
    ``recipe`` holds every decision that makes the model
    (:func:`sk_softmax._recipe.recipe`).
    """
    (model,) = recipe.models
    optimizer, kind = resolve_optimizer(recipe.optimizer)
    lr, settings = recipe.optimizer_arguments()
    settings = {"kind": kind, **settings} if kind is not None else {}
    train_split = None
    if recipe.monitor == "valid_acc":
        train_split = ValidSplit(
            params["validation_fraction"], stratified=True, random_state=recipe.seeds.split
        )
    verbose = params["verbose"]
    net = SoftmaxNet(
        module=SoftmaxRegression,
        module__n_features=n_features,
        module__n_classes=n_classes,
        module__init_std=model.init_std,
        module__random_state=recipe.seeds.init,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=optimizer,
        lr=lr,
        **{f"optimizer__{key}": value for key, value in settings.items()},
        recipe=recipe,
        max_epochs=model.max_epochs,
        batch_size=recipe.batch_size,
        iterator_train=TensorBatchIterator,
        iterator_train__shuffle=not recipe.full_batch,  # a full batch's gradient is one sum
        iterator_train__generator=torch.Generator().manual_seed(recipe.seeds.shuffle),
        iterator_valid=TensorBatchIterator,
        train_split=train_split,
        classes=list(range(n_classes)),
        device=device,
        verbose=verbose,
        callbacks__train_loss=None,  # the stack records each epoch's loss
        **({} if verbose else {"callbacks__print_log": None}),
    )
    net.callbacks = _callbacks(params, net)
    return net


def _callbacks(params, net):
    # A progress bar only where a terminal shows it: in a log or a notebook's
    # captured output its redraws are noise.
    bar = params["verbose"] and sys.stderr is not None and sys.stderr.isatty()
    callbacks = [("progress_bar", ProgressBar())] if bar else []
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


def train(net, dataset, y, *, previous=None, epochs=None):
    """Train ``net`` on ``dataset``, from scratch or going on from ``previous``.

    ``previous`` is ``(coef, intercept, history, net)`` of the fitted model
    (``net`` None where no net trained it, e.g. a loaded model). Going on, the
    new net takes its weights and history, the old net's minibatch order, and
    with ``epochs`` (``partial_fit``) its optimizer state as well; nothing of
    ``previous`` is changed. An interrupt that skorch swallowed is raised
    again. Returns the number of epochs this call ran.
    """
    net.initialize()
    if previous is not None:
        _continue(previous, net, keep_optimizer_state=epochs is not None)
    before = len(net.history)
    net.partial_fit(dataset, y, epochs=epochs)
    epochs_run = len(net.history) - before
    _raise_if_interrupted(net)
    return epochs_run


def _continue(previous, new, *, keep_optimizer_state):
    """Give the freshly initialised net ``new`` the weights and history of ``previous``.

    With ``keep_optimizer_state``, the optimizer's state (e.g. Adam's moments)
    carries over too when the optimizer is of the same kind, while its
    hyperparameters (``lr``, ...) stay those of ``new``. Everything is copied:
    a failed call must leave the fitted model as it was.
    """
    from skorch.history import History as SkorchHistory

    coef, intercept, history, old = previous
    with torch.no_grad():
        new.module_.linear.weight.copy_(torch.as_tensor(coef))
        new.module_.linear.bias.copy_(torch.as_tensor(intercept))
    # Finished epochs are never written again: only the last one is copied.
    new.history = SkorchHistory([*history[:-1], copy.deepcopy(history[-1])])
    if old is None:
        return
    new.iterator_train__generator.set_state(old.iterator_train__generator.get_state())
    if keep_optimizer_state and _same_kind(old.optimizer_, new.optimizer_):
        settings = [
            {key: value for key, value in group.items() if key != "params"}
            for group in new.optimizer_.param_groups
        ]
        # load_state_dict keeps the very tensors it is given: hand it copies.
        new.optimizer_.load_state_dict(copy.deepcopy(old.optimizer_.state_dict()))
        for group, setting in zip(new.optimizer_.param_groups, settings, strict=True):
            group.update(setting)


def _same_kind(old, new):
    kind = [group.get("kind") for group in old.param_groups]
    return type(old) is type(new) and kind == [group.get("kind") for group in new.param_groups]


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


def fitted_history(net):
    """The net's history as plain data (a :class:`~sk_softmax._history.History`)."""
    return History(copy.deepcopy(list(net.history)))


def stop_reason(net, params, epochs_run):
    """One line saying why ``fit`` ended training."""
    done = f"Training stopped after epoch {len(net.history)}"
    if net.stopped_by_ is not None:
        return f"{done}: the callback {net.stopped_by_!r} ended training."
    stack = net.stack_
    (model,) = stack.models
    if model.converged is not None and model.converged.startswith("L-BFGS"):
        tests = {
            "gradient": f"no gradient entry above tol / 10 = {params['tol'] / 10:g}",
            "loss": "an iteration lowered the loss by less than float32 can show",
            "line search": "no step along the search direction lowered the loss",
        }
        return f"{done}: L-BFGS converged ({tests[model.converged[8:]]})."
    if model.converged is not None:
        (rule,) = stack.rules
        kept = ", whose weights were restored" if stack.load_best else ""
        drops = f"lr divided by 10 after epoch(s) {rule.dropped_at}; " if rule.dropped_at else ""
        return (
            f"{done}: {stack.recipe.monitor} did not improve by a relative tol={params['tol']} "
            f"for n_iter_no_change={params['n_iter_no_change']} epochs ({drops}best: epoch "
            f"{rule.best_epoch}{kept})."
        )
    return f"{done}: max_epochs={params['max_epochs']} epochs ran out ({epochs_run} in this call)."


def warn_if_not_converged(net, params):
    """``ConvergenceWarning`` when ``max_epochs`` ran out; a callback's stop is no failure."""
    stack = net.stack_
    (model,) = stack.models
    # the stacked runs' test (Trained.ran_out), for the epochs of this call
    if model.ran_out(params["max_epochs"]) and net.stopped_by_ is None:
        stopping = stack.recipe.monitor if stack.rules[0] is not None else "L-BFGS"
        # warn_not_converged <- here <- _fit <- fit <- scikit-learn's _fit_context <- the caller
        warn_not_converged(params, stopping, stacklevel=5)
