"""Errors and warnings raised by sk_softmax."""

from sklearn.exceptions import ConvergenceWarning


class DivergenceError(ValueError, FloatingPointError):
    """Training produced a non-finite loss and was stopped.

    Read more in the :ref:`User Guide <errors>`.

    Raised as soon as a minibatch loss becomes NaN or infinite. The usual
    causes are a learning rate that is too high or features on a very large
    scale; lower ``lr`` or standardise ``X`` (e.g. with ``StandardScaler``).
    """


class MaxEpochsWarning(ConvergenceWarning):
    """``max_epochs`` ran out before training converged: a ``ConvergenceWarning``.

    Read more in the :ref:`User Guide <errors>`.

    Its ``max_epochs`` attribute is the budget that ran out. A search counts
    its candidates' in one warning instead of one per fit.
    """

    def __init__(self, message, max_epochs):
        super().__init__(message)
        self.max_epochs = max_epochs
