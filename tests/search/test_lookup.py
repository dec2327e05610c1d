"""The search loop's fits: a trained model adopted, or an ordinary fit."""

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV
from sk_softmax.search._lookup import LookedUp, LookedUpPipeline, looked_up, plain


def test_a_fit_adopts_its_trained_model_or_trains_as_the_classifier_would(blobs):
    X, y = blobs
    splits = list(StratifiedKFold(3).split(X, y))
    search = SoftmaxSearchCV(SoftmaxClassifier(random_state=0), {"lr": [0.1]}, cv=3)
    trained = search._train(X, y, splits, [{"lr": 0.1, "max_epochs": 4}], {})
    train = splits[0][0]
    lookup = LookedUp(random_state=0, lr=0.1, max_epochs=4)
    lookup.fit(X[train], y[train], row_ids=train, trained=trained)
    assert not hasattr(lookup, "net_") and lookup.n_iter_ == 4  # adopted: no net trained
    ordinary = LookedUp(random_state=0, lr=0.1, max_epochs=4).fit(X[train], y[train])
    assert hasattr(ordinary, "net_")
    np.testing.assert_array_equal(lookup.coef_, ordinary.coef_)
    with pytest.raises(ValueError, match="max_epochs"):  # refused as the separate fit would
        LookedUp(max_epochs=0).fit(X[train], y[train], row_ids=train, trained=trained)


def test_the_loop_fits_look_ups_and_the_result_is_the_users_estimator(blobs):
    X, y = blobs
    clf = SoftmaxClassifier(random_state=0)
    assert type(looked_up(clf)) is LookedUp and looked_up(clf).get_params() == clf.get_params()
    pipe = make_pipeline(StandardScaler(), clf)
    assert type(looked_up(pipe)) is LookedUpPipeline
    scaler = StandardScaler()
    assert looked_up(scaler) is scaler  # nothing to look up
    fitted = looked_up(clf).fit(X, y)
    copy = plain(fitted, clf)
    assert type(copy) is SoftmaxClassifier and copy.n_iter_ == fitted.n_iter_
    np.testing.assert_array_equal(copy.predict_proba(X), fitted.predict_proba(X))
