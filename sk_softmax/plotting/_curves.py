"""Learning curves: each epoch's losses and accuracies from a fitted model's history."""

import numpy as np

from ._images import _axes_grid

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
    >>> from sk_softmax.plotting._curves import _curve_label
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
