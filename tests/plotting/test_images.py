"""Pictures of images: weights, predictions, the confusion matrix."""

import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import confusion_matrix

from sk_softmax import SoftmaxClassifier
from sk_softmax.plotting import (
    plot_confusion_matrix,
    plot_learning_curves,
    plot_predictions,
    plot_weights,
)


def figure_texts(figure):
    """Texts on the figure itself, e.g. its suptitle (matplotlib 3.7 lacks get_suptitle)."""
    return [text.get_text() for text in figure.texts]


def test_weights_show_one_template_per_class(digits_model):
    clf, _, _ = digits_model
    names = [f"digit {i}" for i in range(10)]
    axes = plot_weights(clf, image_shape=(8, 8), class_names=names, n_cols=5)
    assert len(axes) == 10
    assert [ax.get_title() for ax in axes] == names
    for ax, row in zip(axes, clf.coef_, strict=True):
        assert len(ax.images) == 1
        np.testing.assert_array_equal(ax.images[0].get_array(), row.reshape(8, 8))
    limit = np.abs(clf.coef_).max()
    assert {ax.images[0].get_clim() for ax in axes} == {(-limit, limit)}
    assert axes[0].figure.axes[:10] == list(axes)


def test_weights_share_one_scale_centred_on_zero_with_a_colour_bar(digits_model):
    clf, _, _ = digits_model
    axes = plot_weights(clf, image_shape=(8, 8))
    norms = {id(ax.images[0].norm) for ax in axes}
    assert len(norms) == 1, "every template must use the same colour scale"
    vmin, vmax = axes[0].images[0].get_clim()
    assert vmin == -vmax == -np.abs(clf.coef_).max()
    cmap = axes[0].images[0].get_cmap()
    assert np.allclose(cmap(0.5)[:3], [1, 1, 1], atol=0.1), "weight 0 must be near white"
    bar = axes[0].images[0].colorbar
    assert bar is not None
    assert bar.ax in axes[0].figure.axes and bar.ax not in list(axes)
    assert tuple(bar.mappable.get_clim()) == (vmin, vmax)
    label = bar.ax.get_xlabel()
    assert "red" in label and "blue" in label and "towards" in label


def test_weights_colour_bar_can_be_relabelled_or_left_out(digits_model):
    clf, _, _ = digits_model
    axes = plot_weights(clf, image_shape=(8, 8), colorbar_label="weight")
    assert axes[0].images[0].colorbar.ax.get_xlabel() == "weight"
    plt.close("all")
    axes = plot_weights(clf, image_shape=(8, 8), colorbar=False)
    assert axes[0].images[0].colorbar is None
    assert len(axes[0].figure.axes) == 10


def test_weights_default_titles_are_the_classes(digits_model):
    clf, _, _ = digits_model
    axes = plot_weights(clf, image_shape=(8, 8))
    assert [ax.get_title() for ax in axes] == [str(c) for c in clf.classes_]


def test_weights_into_given_axes_switch_off_the_extra(digits_model):
    clf, _, _ = digits_model
    fig, grid = plt.subplots(3, 4)
    axes = plot_weights(clf, image_shape=(8, 8), ax=grid)
    assert list(axes) == list(grid.ravel()[:10])
    assert not grid.ravel()[10].axison and not grid.ravel()[11].axison
    with pytest.raises(ValueError, match="ax holds 4 Axes but 10"):
        plot_weights(clf, image_shape=(8, 8), ax=grid[0])


def test_weights_need_the_right_image_shape_and_a_fitted_model(digits_model):
    clf, _, _ = digits_model
    with pytest.raises(ValueError, match="image_shape"):
        plot_weights(clf)
    with pytest.raises(NotFittedError):
        plot_weights(SoftmaxClassifier())


def test_predictions_grid_titles_true_over_predicted(digits_model):
    clf, X, y = digits_model
    names = np.array([f"d{i}" for i in range(10)])
    y_pred = y[:8].copy()
    y_pred[2] = (y[2] + 1) % 10
    axes = plot_predictions(
        X[:8], y[:8], y_pred, class_names=names, image_shape=(8, 8), title="the first 8"
    )
    assert len(axes) == 8
    assert sum(len(ax.images) for ax in axes[0].figure.axes) == 8
    assert axes[0].images[0].get_array().shape == (8, 8)
    np.testing.assert_array_equal(axes[1].images[0].get_array(), X[1].reshape(8, 8))
    assert axes[2].get_title() == f"true: {names[y[2]]}\npredicted: {names[y_pred[2]]}"
    assert matplotlib.colors.same_color(axes[2].title.get_color(), "tab:red")
    assert not matplotlib.colors.same_color(axes[0].title.get_color(), "tab:red")
    # the error is framed in red, the right predictions are not
    assert all(
        matplotlib.colors.same_color(spine.get_edgecolor(), "tab:red")
        for spine in axes[2].spines.values()
    )
    assert not matplotlib.colors.same_color(axes[0].spines["left"].get_edgecolor(), "tab:red")
    assert figure_texts(axes[0].figure) == ["the first 8"]  # the figure's title
    assert len(axes[0].figure.axes) == 12
    assert sum(ax.axison for ax in axes[0].figure.axes) == 8


def test_predictions_compare_labels_not_names():
    # two classes with the same name are still two classes
    axes = plot_predictions(
        np.zeros((2, 4)), [0, 1], [0, 0], class_names=["bag", "bag"], image_shape=(2, 2)
    )
    assert not matplotlib.colors.same_color(axes[0].title.get_color(), "tab:red")
    assert matplotlib.colors.same_color(axes[1].title.get_color(), "tab:red")
    assert figure_texts(axes[0].figure) == []  # no figure title unless asked for


def test_predictions_need_matching_lengths():
    with pytest.raises(ValueError, match="same length"):
        plot_predictions(np.zeros((3, 784)), [0, 1, 2], [0, 1])


def test_confusion_matrix_is_sklearns(digits_model):
    clf, X, y = digits_model
    y_pred = clf.predict(X)
    names = [f"d{i}" for i in range(10)]
    display = plot_confusion_matrix(y, y_pred, display_labels=names)
    np.testing.assert_array_equal(display.confusion_matrix, confusion_matrix(y, y_pred))
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == names
    assert display.ax_.get_xticklabels()[0].get_rotation() == 90
    assert display.text_.shape == (10, 10)


def test_confusion_matrix_into_given_axes_normalized():
    _, ax = plt.subplots()
    display = plot_confusion_matrix([0, 0, 1, 1], [0, 1, 1, 1], normalize="true", ax=ax)
    assert display.ax_ is ax
    np.testing.assert_allclose(display.confusion_matrix, [[0.5, 0.5], [0.0, 1.0]])


def test_import_does_not_load_matplotlib():
    code = (
        "import sys, sk_softmax.plotting; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_plotting_never_shows(digits_model, monkeypatch):
    def fail():
        raise AssertionError("plt.show() called")

    monkeypatch.setattr(plt, "show", fail)
    clf, X, y = digits_model
    plot_weights(clf, image_shape=(8, 8))
    plot_learning_curves(clf)
    plot_predictions(X[:2], y[:2], y[:2], image_shape=(8, 8))
    plot_confusion_matrix(y, y)
