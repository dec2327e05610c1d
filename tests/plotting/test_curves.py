"""Learning curves from a fitted model's history."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from sk_softmax.plotting import (
    plot_learning_curves,
)


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
