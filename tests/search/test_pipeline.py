"""SoftmaxSearchCV over a Pipeline: GridSearchCV's answers, transformers fitted once per split."""

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV

CV = StratifiedKFold(3, shuffle=True, random_state=0)


def both(estimator, grid, X, y, **fit_params):
    ours = SoftmaxSearchCV(estimator, grid, cv=CV).fit(X, y, **fit_params)
    theirs = GridSearchCV(estimator, grid, cv=CV).fit(X, y, **fit_params)
    return ours, theirs


def assert_same_search(ours, theirs, X, y):
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    assert set(ours.cv_results_) == set(theirs.cv_results_)
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], atol=0.02
    )
    assert type(ours.best_estimator_) is Pipeline
    assert ours.best_params_ == theirs.best_params_
    np.testing.assert_allclose(
        ours.best_estimator_.predict_proba(X), theirs.best_estimator_.predict_proba(X), atol=1e-4
    )


class CountingScaler(StandardScaler):
    """A StandardScaler that records each fit's ``with_mean`` (clones share the record)."""

    fits = []

    def fit(self, X, y=None, sample_weight=None):
        CountingScaler.fits.append(self.with_mean)
        return super().fit(X, y, sample_weight)


def test_a_pipeline_search_is_grid_searchs(digits_split):
    X, _, y, _ = digits_split
    pipe = Pipeline(
        [("scale", StandardScaler()), ("clf", SoftmaxClassifier(optimizer="adam", random_state=0))]
    )
    grid = {"clf__lr": [0.01, 0.1], "clf__max_epochs": [3, 10]}
    ours, theirs = both(pipe, grid, X, y)
    assert_same_search(ours, theirs, X, y)
    assert ours.n_stacked_runs_ == 3 and ours.n_separate_fits_ == 0
    assert (ours.stacked_time_ > 0).all()


def test_each_transformer_setting_is_fitted_once_per_split(digits_split):
    X, _, y, _ = digits_split
    fits = CountingScaler.fits
    fits.clear()
    pipe = Pipeline(
        [("scale", CountingScaler()), ("clf", SoftmaxClassifier(optimizer="adam", random_state=0))]
    )
    grid = {"scale__with_mean": [True, False], "clf__lr": [0.01, 0.1], "clf__max_epochs": [3, 10]}
    search = SoftmaxSearchCV(pipe, grid, cv=CV).fit(X, y)
    # 2 settings x 3 splits for the stacked runs, and the refit's one; none per candidate
    assert sorted(fits) == sorted(
        [True] * 3 + [False] * 3 + [search.best_params_["scale__with_mean"]]
    )
    assert search.n_stacked_runs_ == 6
    theirs = GridSearchCV(pipe, grid, cv=CV).fit(X, y)
    assert_same_search(search, theirs, X, y)


def test_steps_in_the_grid_and_column_transformers(digits_split):
    X, _, y, _ = digits_split
    columns = ColumnTransformer(
        [("left", StandardScaler(), slice(0, 32))], remainder=MinMaxScaler()
    )
    pipe = Pipeline(
        [("prep", columns), ("clf", SoftmaxClassifier(optimizer="adam", random_state=0))]
    )
    grid = {
        "prep__left": [StandardScaler(), MinMaxScaler()],
        "clf__lr": [0.03, 0.1],
        "clf__max_epochs": [5],
    }
    ours, theirs = both(pipe, grid, X, y)
    assert_same_search(ours, theirs, X, y)
    assert ours.n_stacked_runs_ == 6


def test_candidates_that_swap_the_classifier_are_fitted_separately(digits_split):
    X, _, y, _ = digits_split
    pipe = Pipeline(
        [("scale", StandardScaler()), ("clf", SoftmaxClassifier(optimizer="adam", random_state=0))]
    )
    grid = [
        {"clf__lr": [0.05]},
        {"clf": [SoftmaxClassifier(optimizer="adam", lr=0.2, random_state=1)]},
    ]
    ours, theirs = both(pipe, grid, X, y)
    assert_same_search(ours, theirs, X, y)
    assert ours.n_stacked_runs_ == 3 and ours.n_separate_fits_ == 3
    assert ours.stacked_time_[1] == 0


def test_classifier_sample_weights_are_routed_as_in_a_pipeline(digits_split):
    X, _, y, _ = digits_split
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    pipe = Pipeline(
        [("scale", StandardScaler()), ("clf", SoftmaxClassifier(optimizer="adam", random_state=0))]
    )
    grid = {"clf__lr": [0.03, 0.1]}
    ours, theirs = both(pipe, grid, X, y, clf__sample_weight=weights)
    assert_same_search(ours, theirs, X, y)
    assert ours.n_stacked_runs_ == 3
    unweighted = SoftmaxSearchCV(pipe, grid, cv=CV).fit(X, y)
    assert not np.array_equal(
        unweighted.cv_results_["mean_test_score"], ours.cv_results_["mean_test_score"]
    ) or not np.array_equal(unweighted.best_estimator_[-1].coef_, ours.best_estimator_[-1].coef_)


def test_transformer_fit_parameters_make_separate_fits(digits_split):
    X, _, y, _ = digits_split
    weights = np.ones(len(y))
    pipe = Pipeline(
        [("scale", StandardScaler()), ("clf", SoftmaxClassifier(optimizer="adam", random_state=0))]
    )
    ours, theirs = both(pipe, {"clf__lr": [0.1]}, X, y, scale__sample_weight=weights)
    assert_same_search(ours, theirs, X, y)
    assert ours.n_stacked_runs_ == 0 and ours.n_separate_fits_ == 3


def test_a_pipeline_that_does_not_end_in_the_classifier_fails_as_in_grid_search(digits_split):
    X, _, y, _ = digits_split
    pipe = Pipeline(
        [("clf", SoftmaxClassifier(optimizer="adam", random_state=0)), ("last", "passthrough")]
    )
    grid = {"clf__lr": [0.01, 0.1]}
    for search in (SoftmaxSearchCV, GridSearchCV):
        with pytest.raises(TypeError, match="should have a 'score' method"):
            search(pipe, grid, cv=CV).fit(X, y)


def test_a_pipeline_search_with_metadata_routing(digits_split):
    from sklearn import config_context
    from sklearn.metrics import get_scorer

    X, _, y, _ = digits_split
    weights = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    with config_context(enable_metadata_routing=True):
        clf = SoftmaxClassifier(optimizer="adam", random_state=0).set_fit_request(
            sample_weight=True
        )
        clf.set_score_request(sample_weight=False)
        scaler = StandardScaler().set_fit_request(sample_weight=False)
        pipe = Pipeline([("scale", scaler), ("clf", clf)])
        grid = {"clf__lr": [0.03, 0.1]}
        scoring = get_scorer("accuracy").set_score_request(sample_weight=False)
        ours = SoftmaxSearchCV(pipe, grid, cv=CV, scoring=scoring)
        theirs = GridSearchCV(pipe, grid, cv=CV, scoring=scoring)
        ours.fit(X, y, sample_weight=weights)
        theirs.fit(X, y, sample_weight=weights)
        assert ours.n_stacked_runs_ == 3
    assert np.isfinite(ours.cv_results_["mean_test_score"]).all()
    assert_same_search(ours, theirs, X, y)


@pytest.mark.parametrize("scoring", [None, "neg_log_loss"])
def test_row_indices_stand_in_for_a_numpy_X_and_change_no_result(
    digits_split, stand_ins, assert_same_scores, scoring
):
    from sklearn.linear_model import LogisticRegression

    X, _, y, _ = digits_split
    pipe = Pipeline(
        [("scale", StandardScaler()), ("clf", SoftmaxClassifier(optimizer="adam", random_state=0))]
    )
    grid = [
        {"scale": [StandardScaler(), MinMaxScaler()], "clf__max_epochs": [2, 5]},
        {"clf": [LogisticRegression(max_iter=50)]},  # fitted separately
    ]

    def search(X):
        searched = SoftmaxSearchCV(pipe, grid, cv=CV, scoring=scoring, return_train_score=True)
        return searched.fit(X, y)

    rows, listed = search(X), search(X.tolist())
    assert stand_ins == [1]  # for the array only
    assert rows.n_separate_fits_ == listed.n_separate_fits_ == 3
    assert_same_scores(rows, listed)
    np.testing.assert_array_equal(rows.predict_proba(X), listed.predict_proba(X))


def test_a_looked_up_pipeline_offers_what_its_final_step_offers():
    from sklearn.svm import LinearSVC

    from sk_softmax.search._lookup import LookedUpPipeline

    svc = LookedUpPipeline([("scale", StandardScaler()), ("clf", LinearSVC())])
    assert hasattr(svc, "decision_function") and not hasattr(svc, "predict_proba")
    softmax = LookedUpPipeline([("scale", StandardScaler()), ("clf", SoftmaxClassifier())])
    assert all(
        hasattr(softmax, name)
        for name in ("predict", "predict_proba", "predict_log_proba", "decision_function", "score")
    )
