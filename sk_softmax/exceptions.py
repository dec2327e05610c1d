"""Errors and warnings raised by sk_softmax."""

from sklearn.exceptions import ConvergenceWarning


class DivergenceError(ValueError, FloatingPointError):
    """Training produced a non-finite loss and was stopped.

    Read more in the :ref:`User Guide <errors>`.

    Raised at the end of an epoch whose loss is NaN or infinite. The usual
    causes are a learning rate that is too high or features on a very large
    scale; lower ``lr`` or standardise ``X`` (e.g. with ``StandardScaler``).
    """


class MaxEpochsWarning(ConvergenceWarning):
    """``max_epochs`` ran out before training converged: a ``ConvergenceWarning``.

    Read more in the :ref:`User Guide <errors>`.

    A fit raises one when its ``max_epochs`` ran out; a search counts its
    candidates' and raises one for all of them instead of one per fit. Filter
    it by this class where stopping early is the point.

    Attributes
    ----------
    max_epochs : tuple of int
        The budgets that ran out: one for a fit, each distinct one for a search.
    fits : int
        How many fits ran out: 1 for a fit, the count for a search.
    """

    def __init__(self, message, max_epochs, fits=1):
        super().__init__(message)
        self.max_epochs = (
            tuple(max_epochs) if isinstance(max_epochs, (tuple, list)) else (max_epochs,)
        )
        self.fits = fits
