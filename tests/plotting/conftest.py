"""What the plotting tests share: matplotlib without a screen, a small fitted model."""

import matplotlib
import pytest
from sklearn.datasets import load_digits

from sk_softmax import SoftmaxClassifier

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
