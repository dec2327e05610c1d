"""Errors raised by sk_softmax."""


class DivergenceError(ValueError, FloatingPointError):
    """Training produced a non-finite loss and was stopped.

    Read more in the :ref:`User Guide <errors>`.

    Raised as soon as a minibatch loss becomes NaN or infinite. The usual
    causes are a learning rate that is too high or features on a very large
    scale; lower ``lr`` or standardise ``X`` (e.g. with ``StandardScaler``).
    """
