"""The search loop's fits: a trained model adopted, or an ordinary fit."""

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV
from sk_softmax.search._lookup import (
    LookedUp,
    LookedUpPipeline,
    looked_up,
    plain,
    rows_of,
    scores_from_predictions,
)


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


def test_rows_of_gives_the_rows_and_x_itself_for_all_rows_in_order():
    X = np.arange(12.0).reshape(6, 2)
    assert rows_of(X, np.arange(6)) is X  # the refit: no copy
    np.testing.assert_array_equal(rows_of(X, np.array([4, 1])), X[[4, 1]])
    np.testing.assert_array_equal(rows_of(X, np.arange(6)[::-1]), X[::-1])


@pytest.mark.parametrize(
    "scoring, reads_predictions_only",
    [
        (None, True),
        ("accuracy", True),
        (["accuracy", "neg_log_loss"], True),
        ({"a": "accuracy", "b": "f1_macro"}, True),
        (lambda estimator, X, y: 0.0, False),
        (["accuracy", lambda estimator, X, y: 0.0], False),
        ({"a": lambda estimator, X, y: 0.0}, False),
    ],
)
def test_which_scorings_read_only_predictions(scoring, reads_predictions_only):
    assert scores_from_predictions(scoring) is reads_predictions_only


def test_a_fit_on_row_indices_takes_its_rows_from_the_source(blobs):
    X, y = blobs
    splits = list(StratifiedKFold(3).split(X, y))
    search = SoftmaxSearchCV(SoftmaxClassifier(random_state=0), {"lr": [0.1]}, cv=3)
    trained = search._train(X, y, splits, [{"lr": 0.1, "max_epochs": 4}], {})
    ids = trained.stand_in(X, [test for _, test in splits])
    (train, test), params = splits[0], dict(random_state=0, lr=0.1, max_epochs=4)
    adopted = LookedUp(**params).fit(ids[train], y[train], row_ids=train, trained=trained)
    separate = LookedUp(**params, early_stopping=True, validation_fraction=0.2)  # not stacked
    separate.fit(ids[train], y[train], row_ids=train, trained=trained)
    direct = SoftmaxClassifier(**params, early_stopping=True, validation_fraction=0.2)
    direct.fit(X[train], y[train])
    assert adopted.n_features_in_ == separate.n_features_in_ == 2
    np.testing.assert_array_equal(separate.coef_, direct.coef_)
    np.testing.assert_array_equal(separate.predict_proba(ids[test]), direct.predict_proba(X[test]))
    np.testing.assert_array_equal(
        adopted.decision_function(ids[test]),
        SoftmaxClassifier(**params).fit(X[train], y[train]).decision_function(X[test]),
    )
