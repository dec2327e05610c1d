"""The package's own error and warning classes."""

from sklearn.exceptions import ConvergenceWarning

from sk_softmax import DivergenceError, MaxEpochsWarning


def test_they_are_what_scikit_learn_users_catch():
    assert issubclass(DivergenceError, ValueError) and issubclass(
        DivergenceError, FloatingPointError
    )
    warning = MaxEpochsWarning("ran out", 7)
    assert isinstance(warning, ConvergenceWarning) and warning.max_epochs == (7,)
    assert MaxEpochsWarning("ran out", [3, 10], fits=4).max_epochs == (3, 10)
