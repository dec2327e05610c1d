import os

# Lets scikit-learn's array-API check run (with numpy) instead of skipping.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from sklearn.datasets import load_digits, load_iris  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402


@pytest.fixture(scope="session")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, y


@pytest.fixture(scope="session")
def digits_split():
    """load_digits scaled to [0, 1], stratified 75/25 split, seed 0."""
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)


@pytest.fixture
def blobs():
    rng = np.random.RandomState(0)
    centers = np.array([[0.0, 3.0], [3.0, 0.0], [-3.0, -3.0]])
    y = rng.randint(3, size=150)
    X = centers[y] + rng.normal(scale=0.7, size=(150, 2))
    return X, y


@pytest.fixture
def two_threads():
    """torch at two intra-op threads for the test (a machine with one core still runs two)."""
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def objective():
    """The float64 objective of a fit (:func:`softmax_objective`)."""
    return softmax_objective


def softmax_objective(coef, intercept, X, y, alpha, sample_weight=None):
    """The objective a fit minimises, in float64: the (weighted) mean cross-entropy of
    ``X @ coef.T + intercept`` plus ``alpha / 2 * ||coef||^2``; ``y`` holds class indices."""
    from scipy.special import logsumexp

    coef, intercept = np.asarray(coef, np.float64), np.asarray(intercept, np.float64)
    logits = np.asarray(X, np.float64) @ coef.T + intercept
    losses = logsumexp(logits, axis=1) - logits[np.arange(len(y)), y]
    weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    return np.average(losses, weights=weights) + alpha / 2 * np.square(coef).sum()
