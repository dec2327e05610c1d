"""Pictures of images: the weights as templates, predictions, the confusion matrix."""

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
