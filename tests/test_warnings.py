"""The warning of a fit whose max_epochs ran out, and a search's one summary of them."""

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning

from sk_softmax import MaxEpochsWarning, SoftmaxClassifier
from sk_softmax._warnings import one_warning_for_max_epochs, warn_not_converged


def test_the_warning_names_the_budget_and_what_would_have_ended_training():
    params = SoftmaxClassifier(max_epochs=7).get_params()
    with pytest.warns(MaxEpochsWarning, match="max_epochs=7 epochs before the train_loss") as w:
        warn_not_converged(params, "train_loss", stacklevel=1)
    assert w[0].message.max_epochs == (7,) and w[0].message.fits == 1
    assert issubclass(w[0].category, ConvergenceWarning)
    with pytest.warns(MaxEpochsWarning, match="before L-BFGS converged .* tol / 10 = 0.0001"):
        warn_not_converged(params, "L-BFGS", stacklevel=1)


def test_a_search_gives_one_warning_for_all_and_lets_others_pass():
    params = SoftmaxClassifier(max_epochs=3).get_params()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with one_warning_for_max_epochs():
            for max_epochs in (3, 3, 10):
                warn_not_converged({**params, "max_epochs": max_epochs}, "train_loss", stacklevel=1)
            warnings.warn("something else", UserWarning, stacklevel=1)
    messages = [(w.category, str(w.message)) for w in caught]
    assert (UserWarning, "something else") in messages
    (summary,) = [w.message for w in caught if w.category is MaxEpochsWarning]
    assert "3 candidate fit(s)" in str(summary) and "max_epochs (3, 10)" in str(summary)
    assert summary.max_epochs == (3, 10) and summary.fits == 3
    assert len(caught) == 2  # the summary and the other warning, no fit's own


def test_nested_searches_count_the_fits_of_the_inner_summary():
    params = SoftmaxClassifier(max_epochs=3).get_params()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with one_warning_for_max_epochs():
            with one_warning_for_max_epochs():
                for max_epochs in (3, 5):
                    warn_not_converged(
                        {**params, "max_epochs": max_epochs}, "train_loss", stacklevel=1
                    )
            warn_not_converged(params, "train_loss", stacklevel=1)
    (summary,) = [w.message for w in caught]
    assert summary.fits == 3 and summary.max_epochs == (3, 5)


def test_filtering_the_class_silences_a_fit_and_a_search_alike():
    params = SoftmaxClassifier(max_epochs=3).get_params()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", MaxEpochsWarning)
        warn_not_converged(params, "train_loss", stacklevel=1)
        with one_warning_for_max_epochs():
            warn_not_converged(params, "train_loss", stacklevel=1)
    assert caught == []
