"""The warnings a fit raises, shared by the skorch fit and the stacked runs."""

import warnings

from sklearn.exceptions import ConvergenceWarning


def warn_not_converged(params, monitor, *, stacklevel):
    """The ``ConvergenceWarning`` of a fit whose ``max_epochs`` ran out before ``tol`` was met."""
    warnings.warn(
        f"SoftmaxClassifier stopped after max_epochs={params['max_epochs']} epochs "
        f"before the {monitor} stopped improving by a relative "
        f"tol={params['tol']}. Raise max_epochs or lr to train to convergence.",
        ConvergenceWarning,
        stacklevel=stacklevel,
    )
