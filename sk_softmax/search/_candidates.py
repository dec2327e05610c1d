"""Which candidates of a search train together: one stacked run per group and split."""

from sklearn.pipeline import Pipeline

from .._estimator import SoftmaxClassifier
from .._recipe import solver

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


def minibatch_optimizer(optimizer, size):
    """The minibatch optimizer (``"adam"``, ``"sgd"``) a fit with this ``optimizer``
    parameter takes on data of this :class:`~sk_softmax._recipe.DataSize`, or None
    (L-BFGS, a class)."""
    optimizer, _ = solver(optimizer, None, size, incremental=False)
    return optimizer if isinstance(optimizer, str) and optimizer in ("adam", "sgd") else None


def stackable(params, sizes):
    """Whether models with these parameters can train in a stacked run (else: separate fits):
    a minibatch optimizer on every training set of these sizes, no hold-out, no callbacks.

    With no sizes (the data not known yet): whether they could stack on some data, which
    ``optimizer="auto"`` decides only once it sees the data's size.
    """
    optimizer = params["optimizer"]
    if sizes:
        minibatch = all(minibatch_optimizer(optimizer, size) for size in sizes)
    else:
        auto = isinstance(optimizer, str) and optimizer == "auto"
        minibatch = auto or minibatch_optimizer(optimizer, None) is not None
    return minibatch and not params["early_stopping"] and not params["callbacks"]


def stacked_groups(estimator, candidates, sizes):
    """``[(run params, [settings], {max_epochs})]``: the candidates that stack, grouped.

    ``estimator`` is a SoftmaxClassifier, ``candidates`` a list of its
    parameter dicts, ``sizes`` the :class:`~sk_softmax._recipe.DataSize` of
    each training set the runs train on (none: the groups that could stack
    on some data, see :func:`stackable`).

    Candidates whose parameters differ only in per-model values
    (:data:`PER_MODEL`) share a group. Candidates that differ only in
    ``max_epochs`` share a setting: one model, trained for the most epochs
    any of them asks for (its ``max_epochs``), whose weights are kept at each
    of their epoch counts (the group's set).
    Candidates that cannot stack, or whose parameters are invalid, are in no
    group: they are fitted one by one, and their fit says what is wrong.
    """
    base = estimator.get_params(deep=False)
    groups = []
    for candidate in candidates:
        params = {**base, **candidate}
        if not (_valid(params) and stackable(params, sizes)):
            continue
        run = {k: v for k, v in params.items() if k not in PER_MODEL + IGNORED}
        group = next((g for g in groups if g[0] == run), None)
        if group is None:
            group = (run, [], set())
            groups.append(group)
        same = {**params, "max_epochs": None}
        known = next((s for s in group[1] if {**s, "max_epochs": None} == same), None)
        if known is None:
            group[1].append(dict(params))
        else:
            known["max_epochs"] = max(known["max_epochs"], params["max_epochs"])
        group[2].add(params["max_epochs"])
    return groups


def classifier_of(estimator):
    """The SoftmaxClassifier a search trains: the estimator, or a Pipeline's last step."""
    if isinstance(estimator, Pipeline) and type(estimator) is Pipeline and estimator.steps:
        estimator = estimator.steps[-1][1]
    return estimator if type(estimator) is SoftmaxClassifier else None


def check_candidates(estimator, candidates, source):
    """Refuse a search that is not over a SoftmaxClassifier's (or its Pipeline's) parameters.

    ``source`` names where the candidates came from (``"param_grid"``, ...).
    """
    if classifier_of(estimator) is None:
        raise ValueError(
            "SoftmaxSearchCV searches a SoftmaxClassifier, or a Pipeline whose last step "
            f"is one; got {_describe(estimator)}. For another estimator, use "
            "sklearn.model_selection.GridSearchCV."
        )
    valid = set(estimator.get_params(deep=isinstance(estimator, Pipeline)))
    for candidate in candidates:
        unknown = sorted(set(candidate) - valid)
        if unknown:
            raise ValueError(
                f"Invalid parameter(s) {unknown} in {source} for "
                f"{type(estimator).__name__}. Valid parameters are: {sorted(valid)}."
            )


def _describe(estimator):
    if isinstance(estimator, Pipeline):
        last = type(estimator.steps[-1][1]).__name__ if estimator.steps else "nothing"
        return f"a {type(estimator).__name__} ending in {last}"
    return type(estimator).__name__


def _valid(params):
    try:
        SoftmaxClassifier(**params)._validate_params()
    except (ValueError, TypeError):
        return False
    return True
