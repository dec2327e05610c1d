import subprocess
import sys

import matplotlib
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.metrics import confusion_matrix

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV
from sk_softmax.plotting import (
    plot_confusion_matrix,
    plot_learning_curves,
    plot_predictions,
    plot_search_scores,
    plot_weights,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits_model():
    X, y = load_digits(return_X_y=True)
    X = X[:300] / 16
    y = y[:300]
    return SoftmaxClassifier(max_epochs=3, random_state=0).fit(X, y), X, y


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


def test_learning_curves_from_a_fitted_model(digits_model):
    clf, _, _ = digits_model
    axes = plot_learning_curves(clf)
    assert len(axes) == 1
    (line,) = axes[0].get_lines()
    assert line.get_label() == "training loss"
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(line.get_ydata(), clf.loss_curve_)
    assert axes[0].get_xlabel() == "epoch" and axes[0].get_ylabel() == "loss"
    assert axes[0].get_title() == "Loss per epoch"
    assert [t.get_text() for t in axes[0].get_legend().get_texts()] == ["training loss"]


def test_learning_curves_split_losses_and_accuracies():
    history = [
        {
            "epoch": 1,
            "train_loss": 1.0,
            "valid_loss": 1.1,
            "valid_acc": 0.5,
            "dur": 0.1,
            "valid_acc_best": True,
            "train_loss_best": True,
            "batches": [{"train_loss": 1.0}],
        },
        {"epoch": 2, "train_loss": 0.5, "valid_loss": 0.7, "valid_acc": 0.7, "test_acc": 0.6},
        {"epoch": 3, "train_loss": 0.4, "valid_loss": 0.8, "valid_acc": 0.8, "test_acc": 0.7},
    ]
    loss_ax, acc_ax = plot_learning_curves(history)
    assert [line.get_label() for line in loss_ax.get_lines()] == [
        "training loss",
        "validation loss",
    ]
    valid, test = acc_ax.get_lines()
    assert (valid.get_label(), test.get_label()) == ("validation accuracy", "test accuracy")
    assert [t.get_text() for t in acc_ax.get_legend().get_texts()] == [
        "validation accuracy",
        "test accuracy",
    ]
    np.testing.assert_array_equal(test.get_xdata(), [2, 3])
    np.testing.assert_array_equal(test.get_ydata(), [0.6, 0.7])
    assert acc_ax.get_ylabel() == "accuracy" and acc_ax.get_title() == "Accuracy per epoch"
    # one colour per data set, the same in both panels, different between data sets
    assert matplotlib.colors.same_color(valid.get_color(), loss_ax.get_lines()[1].get_color())
    colors = [line.get_color() for line in [*loss_ax.get_lines()[:1], valid, test]]
    assert len({matplotlib.colors.to_hex(c) for c in colors}) == 3
    with pytest.raises(ValueError, match="no column"):
        plot_learning_curves([{"epoch": 1, "dur": 0.1}])


def test_learning_curves_name_unknown_columns_in_words_or_as_asked():
    history = [
        {"epoch": 1, "my_data_acc": 0.5, "train_acc": 0.6, "lr": 0.1},
        {"epoch": 2, "my_data_acc": 0.6, "train_acc": 0.7, "lr": 0.1},
    ]
    (acc_ax,) = plot_learning_curves(history)
    assert [line.get_label() for line in acc_ax.get_lines()] == [
        "my data accuracy",
        "training accuracy",
    ]
    plt.close("all")
    (acc_ax,) = plot_learning_curves(history, labels={"my_data_acc": "held-out accuracy"})
    assert acc_ax.get_lines()[0].get_label() == "held-out accuracy"
    assert acc_ax.get_lines()[1].get_label() == "training accuracy"


def test_learning_curves_into_one_given_axes():
    _, ax = plt.subplots()
    (drawn,) = plot_learning_curves([{"train_loss": 1.0}, {"train_loss": 0.5}], ax=ax)
    assert drawn is ax
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [1, 2])


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


@pytest.fixture(scope="module")
def search():
    X, y = load_digits(return_X_y=True)
    grid = {"lr": [0.01, 0.1], "max_epochs": [2, 4], "batch_size": [32, 64]}
    return SoftmaxSearchCV(SoftmaxClassifier(random_state=0), grid, cv=2).fit(X[:300] / 16, y[:300])


def test_search_scores_name_parameters_in_words(search):
    ax = plot_search_scores(search)
    assert ax.get_xlabel() == "max epochs"
    assert "accuracy" in ax.get_ylabel()
    assert ax.get_title().startswith("Cross-validated accuracy by max epochs and learning rate")
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["2", "4"]
    assert "best over batch size" in ax.get_title()
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:2] == ["learning rate 0.01", "learning rate 0.1"]
    assert texts[2].startswith("best: learning rate")
    # ordered values, ordered colours: the two lines differ
    first, second = ax.get_lines()[:2]
    assert not matplotlib.colors.same_color(first.get_color(), second.get_color())
    # the legend sits outside the data area
    fig = ax.figure
    fig.canvas.draw()
    legend_box = ax.get_legend().get_window_extent()
    assert legend_box.x0 >= ax.get_window_extent().x1


def test_search_scores_name_the_search_metric():
    X, y = load_digits(return_X_y=True)
    grid = {"lr": [0.1], "max_epochs": [2, 4], "batch_size": [32]}  # one batch size
    search = SoftmaxSearchCV(
        SoftmaxClassifier(random_state=0), grid, cv=2, scoring="balanced_accuracy"
    ).fit(X[:200] / 16, y[:200])
    ax = plot_search_scores(search)
    assert ax.get_ylabel() == "mean CV balanced_accuracy (band: ±1 std)"
    assert ax.get_title() == "Cross-validated balanced_accuracy by max epochs and learning rate"


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
