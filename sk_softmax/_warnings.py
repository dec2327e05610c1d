"""The warning a fit raises when ``max_epochs`` runs out, and a search's one summary of them."""

import warnings
from contextlib import contextmanager

from .exceptions import MaxEpochsWarning


def warn_not_converged(params, stopping, *, stacklevel):
    """The warning of a fit whose ``max_epochs`` ran out before ``stopping`` ended it
    (``"train_loss"``, ``"valid_acc"``: the plateau rule on it; ``"L-BFGS"``)."""
    if stopping == "L-BFGS":
        test = f"L-BFGS converged (no gradient entry above tol / 10 = {params['tol'] / 10:g})"
        advice = "Raise max_epochs (each epoch is one evaluation of the loss), or scale X."
    else:
        test = f"the {stopping} stopped improving by a relative tol={params['tol']}"
        advice = "Raise max_epochs or lr to train to convergence."
    message = (
        f"SoftmaxClassifier stopped after max_epochs={params['max_epochs']} epochs before {test}. "
        f"{advice}"
    )
    warnings.warn(MaxEpochsWarning(message, params["max_epochs"]), stacklevel=stacklevel + 1)


@contextmanager
def one_warning_for_max_epochs():
    """Within the block, the fits whose ``max_epochs`` ran out are counted, not each
    warned about; at its end one :class:`MaxEpochsWarning` (a ``ConvergenceWarning``)
    says how many and which ``max_epochs``. Every other warning passes as it is."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MaxEpochsWarning)
        yield
    ran_out, fits = [], 0
    for warning in caught:
        if isinstance(warning.message, MaxEpochsWarning):
            ran_out += warning.message.max_epochs
            fits += warning.message.fits
            continue
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    if ran_out:
        values = sorted(set(ran_out))
        message = (
            f"{fits} candidate fit(s) of the search stopped at their max_epochs "
            f"({', '.join(map(str, values))}) before converging, as their separate fits would "
            "(GridSearchCV warns once per fit). Expected where a search tries few epochs; "
            "raise max_epochs where a candidate that matters needs more."
        )
        # warn <- here <- contextlib's __exit__ <- the search loop
        warnings.warn(MaxEpochsWarning(message, values, fits), stacklevel=3)
