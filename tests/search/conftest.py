"""Fixtures of the search tests."""

import numpy as np
import pytest

from sk_softmax.search._trained import StandsIn


@pytest.fixture
def stand_ins(monkeypatch):
    """The searches of a test that had scikit-learn's loop take row indices for ``X``."""
    calls = []
    stand_in = StandsIn.stand_in
    monkeypatch.setattr(
        StandsIn, "stand_in", lambda self, *args: calls.append(1) or stand_in(self, *args)
    )
    return calls


@pytest.fixture
def assert_same_scores():
    """A check that two fitted searches hold the same scores, bit for bit, and best candidate."""

    def check(a, b):
        for key, value in a.cv_results_.items():
            if "score" in key and "time" not in key:
                np.testing.assert_array_equal(value, b.cv_results_[key], err_msg=key)
        assert a.best_params_ == b.best_params_

    return check
