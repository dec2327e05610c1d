"""A search's mean CV score by ``max_epochs`` (or another parameter), one line per ``lr``."""

import numpy as np
from sklearn.utils.validation import check_is_fitted


def _best_per_x(params, mean, x, lines, value):
    """``{x value: index of the best candidate there}`` among those with ``lines == value``."""
    best = {}
    for i, p in enumerate(params):
        if p[lines] == value and not np.isnan(mean[i]):
            if p[x] not in best or mean[i] > mean[best[p[x]]]:
                best[p[x]] = i
    return best


def plot_search_scores(search, *, x="max_epochs", lines="lr", ax=None):
    """Mean cross-validation score against one parameter, one line per value of another.

    Read more in the :ref:`User Guide <chapter>`.

    For the chapter's exercise 1: how the number of epochs and the learning
    rate change the result, from one fitted search. Every line is a value of
    ``lines``, over the values of ``x``, with the spread over the splits as
    a band of one standard deviation; the best candidate is marked. The
    lines' colours run from dark (smallest value) to light (largest), and
    the parameters are named in words ("learning rate", "max epochs"). When
    the grid holds other parameters, each point shows the best score over
    them.

    Parameters
    ----------
    search : fitted SoftmaxSearchCV or GridSearchCV
        A search with a single metric (or ``refit`` naming one).
    x : str, default="max_epochs"
        Parameter on the horizontal axis (numbers).
    lines : str, default="lr"
        Parameter with one line per value.
    ax : matplotlib Axes, default=None
        Where to draw; None makes a new figure.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import load_iris
    >>> from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV
    >>> from sk_softmax.plotting import plot_search_scores
    >>> X, y = load_iris(return_X_y=True)
    >>> grid = {"lr": [0.01, 0.1], "max_epochs": [2, 10]}
    >>> clf = SoftmaxClassifier(optimizer="adam", random_state=0)  # "auto": L-BFGS on iris
    >>> search = SoftmaxSearchCV(clf, grid, cv=3).fit(X, y)
    >>> ax = plot_search_scores(search)
    >>> len(ax.get_lines())  # one line per lr, and the best candidate's marker
    3
    >>> plt.close("all")
    """
    check_is_fitted(search, "cv_results_")
    results = search.cv_results_
    metric = search.refit if isinstance(search.refit, str) else "score"
    mean, std = results[f"mean_test_{metric}"], results[f"std_test_{metric}"]
    params = results["params"]
    if not all(x in p and lines in p for p in params):
        raise ValueError(f"The search's grid must hold both {x!r} and {lines!r}.")
    import matplotlib

    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7.5, 4.2), layout="constrained")
    values = sorted({p[lines] for p in params})
    # Ordered values, ordered colours: dark for the smallest, light for the largest.
    colors = matplotlib.colormaps["viridis"](np.linspace(0.0, 0.8, len(values)))
    for value, color in zip(values, colors, strict=True):
        best = _best_per_x(params, mean, x, lines, value)
        xs = sorted(best)
        ys = np.array([mean[best[v]] for v in xs])
        spread = np.array([std[best[v]] for v in xs])
        ax.plot(xs, ys, marker="o", color=color, label=f"{_param_name(lines)} {_fmt(value)}")
        ax.fill_between(xs, ys - spread, ys + spread, color=color, alpha=0.12, linewidth=0)
    if getattr(search, "best_index_", None) is not None:
        best = params[search.best_index_]
        ax.plot(
            best[x],
            mean[search.best_index_],
            marker="*",
            markersize=16,
            color="black",
            linestyle="none",
            label=(
                f"best: {_param_name(lines)} {_fmt(best[lines])},\n{_param_name(x)} {_fmt(best[x])}"
            ),
        )
    if metric != "score":
        measure = metric
    elif search.scoring is None:
        measure = "accuracy"  # a classifier's score
    else:
        measure = search.scoring if isinstance(search.scoring, str) else "score"
    varied = {k for p in params for k in p if len({repr(q.get(k)) for q in params}) > 1}
    others = sorted(varied - {x, lines})
    ax.set_xticks(sorted({p[x] for p in params}))  # the values searched
    ax.set_xlabel(_param_name(x))
    ax.set_ylabel(f"mean CV {measure} (band: ±1 std)")
    title = f"Cross-validated {measure} by {_param_name(x)} and {_param_name(lines)}"
    if others:
        title += f"\n(each point: the best over {', '.join(map(_param_name, others))})"
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3)
    return ax


_PARAM_NAMES = {
    "lr": "learning rate",
    "max_epochs": "max epochs",
    "batch_size": "batch size",
    "alpha": "L2 penalty alpha",
}


def _param_name(name):
    """A parameter's name in words: ``lr`` -> "learning rate", ``my_param`` -> "my param",
    a pipeline step's ``clf__lr`` -> "learning rate (clf)"."""
    step, _, own = name.rpartition("__")
    words = _PARAM_NAMES.get(own, own.replace("_", " "))
    return f"{words} ({step})" if step else words


def _fmt(value):
    return f"{value:g}" if isinstance(value, float | np.floating) else str(value)
