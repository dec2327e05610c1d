"""Pictures of a fitted SoftmaxClassifier: weights, learning curves, predictions.

matplotlib is an optional dependency (``pip install sk_softmax[plot]``),
imported only when a function here is called. Every function draws into the
Axes it is given (or a new figure), returns what it drew on, and never calls
``plt.show()``.
"""

import math

import numpy as np
from sklearn.utils.validation import check_is_fitted


def _axes_grid(n, *, n_cols, ax, panel_size):
    """``n`` Axes: a new grid of ``n_cols`` columns, or the first ``n`` of ``ax``.

    Axes of a given grid beyond the first ``n`` are switched off.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        n_cols = min(n_cols, n)
        n_rows = math.ceil(n / n_cols)
        width, height = panel_size
        _, ax = plt.subplots(
            n_rows,
            n_cols,
            figsize=(width * n_cols, height * n_rows),
            squeeze=False,
            layout="constrained",
        )
    axes = np.asarray(ax, dtype=object).ravel()
    if len(axes) < n:
        raise ValueError(f"ax holds {len(axes)} Axes but {n} are needed.")
    for unused in axes[n:]:
        unused.set_axis_off()
    return axes[:n]


_WRONG = "tab:red"  # title and frame of a wrong prediction


def _show_image(ax, image, title, **imshow_kwargs):
    ax.imshow(image, **imshow_kwargs)
    ax.set_title(title, fontsize="small")
    ax.set_xticks([])
    ax.set_yticks([])


_WEIGHT_MEANING = "weight of a pixel: red pushes an image towards the class, blue away from it"


def plot_weights(
    estimator,
    *,
    image_shape=(28, 28),
    class_names=None,
    n_cols=5,
    cmap="RdBu_r",
    colorbar=True,
    colorbar_label=None,
    ax=None,
):
    """Show each class's row of ``coef_`` as an image: the learned templates.

    Read more in the :ref:`User Guide <chapter>`.

    Pixels whose weight is positive (red) push an image towards that class,
    negative ones (blue) away from it. All panels share one colour scale,
    symmetric around weight 0 (white), so they can be compared; a colour bar
    under them says what the colours mean.

    Parameters
    ----------
    estimator : fitted SoftmaxClassifier
        Any fitted classifier with ``coef_`` of shape (n_classes, n_features)
        and ``classes_``.
    image_shape : tuple of int, default=(28, 28)
        Shape of one image; its product must be ``n_features``.
    class_names : array-like of str, default=None
        Title of each panel, in the order of ``classes_``. None uses the labels.
    n_cols : int, default=5
        Columns of a new grid.
    cmap : str, default="RdBu_r"
        A diverging colormap, centred on weight 0.
    colorbar : bool, default=True
        Draw one colour bar for all the panels, under them.
    colorbar_label : str, default=None
        What the colours mean, written under the colour bar. None says that
        red pushes an image towards the class and blue away from it.
    ax : array-like of matplotlib Axes, default=None
        One Axes per class (extra ones are switched off); None makes a new
        figure.

    Returns
    -------
    axes : ndarray of matplotlib Axes of shape (n_classes,)
        The panel of each class. Their images share one
        :class:`~matplotlib.colors.Normalize` from ``-limit`` to ``limit``,
        the largest absolute weight; the colour bar, if drawn, is
        ``axes[0].images[0].colorbar``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import load_digits
    >>> from sk_softmax import SoftmaxClassifier
    >>> from sk_softmax.plotting import plot_weights
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SoftmaxClassifier(max_epochs=2, random_state=0).fit(X / 16, y)
    >>> axes = plot_weights(clf, image_shape=(8, 8))
    >>> len(axes), axes[0].images[0].get_array().shape
    (10, (8, 8))
    >>> vmin, vmax = axes[0].images[0].get_clim()
    >>> bool(vmin == -vmax)
    True
    >>> plt.close("all")
    """
    from matplotlib.colors import Normalize

    check_is_fitted(estimator)
    coef = estimator.coef_
    if coef.shape[1] != math.prod(image_shape):
        raise ValueError(
            f"coef_ has {coef.shape[1]} features per class, which image_shape={image_shape} "
            "cannot hold; pass the shape of one image."
        )
    names = estimator.classes_ if class_names is None else class_names
    axes = _axes_grid(len(coef), n_cols=n_cols, ax=ax, panel_size=(1.6, 1.8))
    limit = float(np.abs(coef).max()) or 1.0
    norm = Normalize(vmin=-limit, vmax=limit)  # one scale, 0 in the middle (white)
    for panel, weights, name in zip(axes, coef, names, strict=True):
        _show_image(panel, weights.reshape(image_shape), str(name), cmap=cmap, norm=norm)
    if colorbar:
        figure = axes[0].figure
        bar = figure.colorbar(
            axes[0].images[0],
            ax=list(axes),
            location="bottom",
            shrink=0.6,
            aspect=40,
            pad=0.04,
        )
        bar.set_label(_WEIGHT_MEANING if colorbar_label is None else colorbar_label)
    return axes


# Words of skorch's history columns: who was scored (the prefix) and what.
_ROLE_WORDS = {"train": "training", "valid": "validation", "test": "test"}
_MEASURE_WORDS = {"acc": "accuracy", "loss": "loss"}
_COLUMN_NAMES = {
    "lr": "learning rate",
    "dur": "epoch duration (s)",
    "epoch": "epoch",
    "n_samples_seen": "samples seen",
}
# One colour per role, the same in every panel: training loss and training
# accuracy share a colour. Other roles take the next unused colours.
_ROLE_COLORS = {"train": "tab:blue", "valid": "tab:orange", "test": "tab:green"}
_OTHER_COLORS = ("tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan")


def _curve_label(key):
    """The human name of a column of a training history, for legends and axes.

    skorch's columns read as words: ``train_loss`` is "training loss",
    ``valid_acc`` "validation accuracy", ``test_acc`` "test accuracy" and
    ``lr`` "learning rate". Other names keep their words, with the prefixes
    ``train``/``valid`` and the words ``acc``/``loss`` spelt out.

    Parameters
    ----------
    key : str
        Name of the column, e.g. ``"valid_acc"``.

    Returns
    -------
    label : str
        The name to show.

    Examples
    --------
    >>> from sk_softmax.plotting import _curve_label
    >>> [_curve_label(key) for key in ["train_loss", "valid_acc", "lr", "test_f1_macro"]]
    ['training loss', 'validation accuracy', 'learning rate', 'test f1 macro']
    """
    if key in _COLUMN_NAMES:
        return _COLUMN_NAMES[key]
    first, *rest = key.split("_")
    words = [_ROLE_WORDS.get(first, first)] + [_MEASURE_WORDS.get(word, word) for word in rest]
    if not rest:
        words = [_MEASURE_WORDS.get(first, first)]
    return " ".join(word for word in words if word)


def _role(key):
    """Who a column scores: ``valid_acc`` -> ``valid``, ``my_data_loss`` -> ``my_data``."""
    return key.rsplit("_", 1)[0] if "_" in key else ""


def _epoch_columns(history, select):
    """Names of the numeric columns of ``history`` that ``select`` accepts, in order.

    Flags such as skorch's ``valid_acc_best`` (booleans) are not curves.
    """
    names = {}
    for row in history:
        for key, value in row.items():
            numeric = isinstance(value, int | float | np.number)
            if select(key) and numeric and not isinstance(value, bool | np.bool_):
                names.setdefault(key, None)
    return list(names)


def plot_learning_curves(history, *, labels=None, ax=None):
    """Plot the per-epoch losses and accuracies recorded during training.

    Read more in the :ref:`User Guide <chapter>`.

    Columns of the history whose name ends in ``loss`` (``train_loss``,
    ``valid_loss``, ...) go in one panel, those whose name contains ``acc``
    (``valid_acc``, or a callback's ``train_acc``, ``test_acc``, ...) in a
    second panel, each as one line over the epochs; a panel without any such
    column is left out. Legends name the curves in words ("training loss",
    "validation accuracy", from the column names), and each data set keeps
    one colour in both panels: training blue, validation orange, test green.

    Parameters
    ----------
    history : skorch History, list of dict, or fitted SoftmaxClassifier
        One dict per epoch, like ``estimator.history_``. An estimator is
        replaced by its ``history_``.
    labels : dict of str to str, default=None
        Legend entries for some columns, e.g. ``{"test_acc": "accuracy on
        the 10,000 test images"}``; the others are named in words:
        ``train_loss`` is "training loss", ``valid_acc`` "validation
        accuracy", ``test_acc`` "test accuracy", ``my_data_acc`` "my data accuracy".
    ax : matplotlib Axes or array-like of Axes, default=None
        One Axes per panel (loss first); None makes a new figure.

    Returns
    -------
    axes : ndarray of matplotlib Axes
        The loss panel and/or the accuracy panel.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sk_softmax.plotting import plot_learning_curves
    >>> history = [{"epoch": 1, "train_loss": 0.9, "test_acc": 0.7},
    ...            {"epoch": 2, "train_loss": 0.6, "test_acc": 0.8}]
    >>> loss_ax, acc_ax = plot_learning_curves(history)
    >>> acc_ax.get_lines()[0].get_ydata()
    array([0.7, 0.8])
    >>> acc_ax.get_legend().get_texts()[0].get_text()
    'test accuracy'
    >>> plt.close("all")
    """
    from matplotlib.ticker import MaxNLocator

    history = getattr(history, "history_", history)
    labels = {} if labels is None else labels
    panels = [
        ("loss", "Loss per epoch", _epoch_columns(history, lambda key: key.endswith("loss"))),
        ("accuracy", "Accuracy per epoch", _epoch_columns(history, lambda key: "acc" in key)),
    ]
    panels = [panel for panel in panels if panel[2]]
    if not panels:
        raise ValueError("history has no column named *loss or *acc* to plot.")
    colors = dict(_ROLE_COLORS)
    spare = iter(_OTHER_COLORS)  # then matplotlib's cycle
    axes = _axes_grid(len(panels), n_cols=2, ax=ax, panel_size=(4.2, 3.3))
    for panel, (ylabel, title, columns) in zip(axes, panels, strict=True):
        for column in columns:
            rows = [(i + 1, row) for i, row in enumerate(history) if column in row]
            epochs = [row.get("epoch", i) for i, row in rows]
            role = _role(column)
            if role not in colors:
                colors[role] = next(spare, None)
            panel.plot(
                epochs,
                [row[column] for _, row in rows],
                label=labels.get(column, _curve_label(column)),
                color=colors[role],
            )
        panel.set_xlabel("epoch")
        panel.set_ylabel(ylabel)
        panel.set_title(title)
        panel.xaxis.set_major_locator(MaxNLocator(integer=True))
        panel.grid(alpha=0.3)
        panel.legend()
    return axes


def plot_predictions(
    images,
    y_true,
    y_pred,
    *,
    class_names=None,
    image_shape=(28, 28),
    n_cols=6,
    title=None,
    ax=None,
):
    """Show images titled with their true and predicted labels (d2l's ``predict_ch3``).

    Read more in the :ref:`User Guide <chapter>`.

    Each panel is titled ``true: ...`` over ``predicted: ...``; a wrong
    prediction has its title and frame in red.

    Parameters
    ----------
    images : array-like of shape (n_images, height, width) or (n_images, n_pixels)
        The images, one flattened row each or already shaped.
    y_true, y_pred : array-like of shape (n_images,)
        True and predicted labels.
    class_names : array-like of str, default=None
        Names indexed by the labels (``class_names[label]``), e.g. a data set's
        ``target_names`` with integer targets. None shows the labels.
    image_shape : tuple of int, default=(28, 28)
        Shape of one image.
    n_cols : int, default=6
        Columns of a new grid.
    title : str, default=None
        Title of the figure, above the panels: say there how the images were
        chosen (say, "the first 6 test images, then the first 6
        misclassified ones"). None leaves the figure's title as it is.
    ax : array-like of matplotlib Axes, default=None
        One Axes per image (extra ones are switched off); None makes a new
        figure.

    Returns
    -------
    axes : ndarray of matplotlib Axes of shape (n_images,)
        The panel of each image.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from sk_softmax.plotting import plot_predictions
    >>> axes = plot_predictions(np.zeros((2, 4)), [0, 1], [0, 0],
    ...                         class_names=["cat", "dog"], image_shape=(2, 2))
    >>> [ax.get_title() for ax in axes]
    ['true: cat\\npredicted: cat', 'true: dog\\npredicted: cat']
    >>> plt.close("all")
    """
    images = np.asarray(images)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if not len(images) == len(y_true) == len(y_pred):
        raise ValueError(
            f"images, y_true and y_pred must have the same length, got "
            f"{len(images)}, {len(y_true)} and {len(y_pred)}."
        )
    images = images.reshape(len(images), *image_shape)
    axes = _axes_grid(len(images), n_cols=n_cols, ax=ax, panel_size=(1.45, 1.8))
    for panel, image, true, pred in zip(axes, images, y_true, y_pred, strict=True):
        wrong = true != pred
        if class_names is not None:
            true, pred = class_names[true], class_names[pred]
        _show_image(panel, image, f"true: {true}\npredicted: {pred}", cmap="gray_r")
        if wrong:
            panel.title.set_color(_WRONG)
            for spine in panel.spines.values():
                spine.set_edgecolor(_WRONG)
                spine.set_linewidth(2.5)
    if title is not None:
        axes[0].figure.suptitle(title)
    return axes


def plot_confusion_matrix(
    y_true, y_pred, *, display_labels=None, normalize=None, ax=None, **kwargs
):
    """Plot the confusion matrix of predictions through scikit-learn.

    Read more in the :ref:`User Guide <chapter>`.

    A thin wrapper of :meth:`sklearn.metrics.ConfusionMatrixDisplay.from_predictions`
    with long class names written vertically.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    display_labels : array-like of str, default=None
        Names of the classes, in sorted label order; None shows the labels.
    normalize : {"true", "pred", "all"}, default=None
        Normalise counts over the true (rows) or predicted (columns) labels,
        or over all samples; None shows counts.
    ax : matplotlib Axes, default=None
        Axes to draw into; None makes a new figure.
    **kwargs
        Passed on to ``from_predictions`` (``cmap``, ``values_format``,
        ``colorbar``, ...).

    Returns
    -------
    display : sklearn.metrics.ConfusionMatrixDisplay
        The display; ``display.ax_`` is the Axes and ``display.confusion_matrix``
        the matrix.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sk_softmax.plotting import plot_confusion_matrix
    >>> display = plot_confusion_matrix([0, 1, 1], [0, 1, 0])
    >>> display.confusion_matrix
    array([[1, 0],
           [1, 1]])
    >>> plt.close("all")
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    kwargs.setdefault("xticks_rotation", "vertical")
    return ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, display_labels=display_labels, normalize=normalize, ax=ax, **kwargs
    )


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
