"""A search's scores by epochs and learning rate."""

import matplotlib
import pytest
from sklearn.datasets import load_digits

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV
from sk_softmax.plotting import (
    plot_search_scores,
)


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
