"""SoftmaxRandomizedSearchCV: RandomizedSearchCV's candidates and answers from stacked runs."""

import pickle

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_softmax import SoftmaxClassifier, SoftmaxRandomizedSearchCV

CV = StratifiedKFold(3, shuffle=True, random_state=0)
DISTRIBUTIONS = {
    "lr": loguniform(1e-3, 3e-1),
    "alpha": loguniform(1e-6, 1e-2),
    "max_epochs": [3, 10],
}


def both(estimator, distributions, X, y, **kwargs):
    ours = SoftmaxRandomizedSearchCV(estimator, distributions, cv=CV, **kwargs).fit(X, y)
    theirs = RandomizedSearchCV(estimator, distributions, cv=CV, **kwargs).fit(X, y)
    return ours, theirs


def test_the_same_candidates_and_answers_as_randomized_search(digits_split):
    X, X_test, y, y_test = digits_split
    ours, theirs = both(
        SoftmaxClassifier(optimizer="adam", random_state=0),
        DISTRIBUTIONS,
        X,
        y,
        n_iter=8,
        random_state=3,
    )
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    assert set(ours.cv_results_) == set(theirs.cv_results_)
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], atol=0.02
    )
    assert ours.best_params_ == theirs.best_params_
    assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) < 0.01
    # continuous lr and alpha are per-model values: one stacked run per split
    assert ours.n_stacked_runs_ == 3 and ours.n_separate_fits_ == 0


def test_the_draw_follows_random_state(digits_split):
    X, _, y, _ = digits_split
    search = SoftmaxRandomizedSearchCV(
        SoftmaxClassifier(optimizer="adam", random_state=0),
        DISTRIBUTIONS,
        n_iter=4,
        cv=CV,
        random_state=1,
    )
    first = search.fit(X, y).cv_results_["params"]
    assert search.fit(X, y).cv_results_["params"] == first
    other = clone(search).set_params(random_state=2).fit(X, y).cv_results_["params"]
    assert other != first


def test_a_pipeline_and_pickling(digits_split):
    X, _, y, _ = digits_split
    pipe = make_pipeline(StandardScaler(), SoftmaxClassifier(optimizer="adam", random_state=0))
    distributions = {"softmaxclassifier__lr": loguniform(1e-3, 1e-1)}
    ours, theirs = both(pipe, distributions, X, y, n_iter=4, random_state=0)
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    assert ours.best_params_ == theirs.best_params_ and ours.n_stacked_runs_ == 3
    again = pickle.loads(pickle.dumps(ours))
    np.testing.assert_array_equal(again.predict_proba(X), ours.predict_proba(X))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"n_iter": 0}, "n_iter"), ({"param_distributions": {"C": [1.0]}}, "Invalid parameter 'C'")],
)
def test_bad_arguments_are_refused(blobs, kwargs, message):
    X, y = blobs
    arguments = {"param_distributions": DISTRIBUTIONS, **kwargs}
    with pytest.raises(ValueError, match=message):
        SoftmaxRandomizedSearchCV(SoftmaxClassifier(optimizer="adam"), cv=3, **arguments).fit(X, y)
