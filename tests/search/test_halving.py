"""SoftmaxHalvingSearchCV: HalvingGridSearchCV over epochs, each rung training on from the last."""

import pickle

import numpy as np
import pytest
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV, StratifiedKFold

from sk_softmax import SoftmaxClassifier, SoftmaxHalvingSearchCV, SoftmaxSearchCV

CV = StratifiedKFold(3, shuffle=True, random_state=0)
GRID = {"lr": [0.001, 0.003, 0.01, 0.03, 0.1, 0.3], "alpha": [0.0, 1e-3]}
RUNGS = (
    "n_resources_",
    "n_candidates_",
    "n_remaining_candidates_",
    "max_resources_",
    "min_resources_",
    "n_iterations_",
    "n_possible_iterations_",
    "n_required_iterations_",
)


@pytest.fixture(scope="module")
def both(digits_split):
    X, _, y, _ = digits_split
    estimator = SoftmaxClassifier(optimizer="adam", random_state=0)
    ours = SoftmaxHalvingSearchCV(estimator, GRID, max_resources=27, cv=CV).fit(X, y)
    theirs = HalvingGridSearchCV(
        estimator, GRID, resource="max_epochs", max_resources=27, cv=CV
    ).fit(X, y)
    return ours, theirs


def test_the_rungs_are_halving_grid_searchs(both):
    ours, theirs = both
    for name in RUNGS:
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.n_resources_ == [3, 9, 27] and ours.n_candidates_ == [12, 4, 2]
    assert set(ours.cv_results_) == set(theirs.cv_results_)
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    np.testing.assert_array_equal(ours.cv_results_["iter"], theirs.cv_results_["iter"])
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], atol=0.02
    )
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_score_ == pytest.approx(theirs.best_score_, abs=0.02)


def test_a_rungs_score_is_the_separate_fits_at_that_epoch_count(both, digits_split):
    ours, _ = both
    X, _, y, _ = digits_split
    results = ours.cv_results_
    last = np.flatnonzero(results["iter"] == results["iter"].max())
    params = [results["params"][i] for i in last]
    full = SoftmaxSearchCV(
        SoftmaxClassifier(optimizer="adam", random_state=0),
        [{k: [v] for k, v in p.items()} for p in params],
        cv=CV,
    ).fit(X, y)
    np.testing.assert_allclose(
        results["mean_test_score"][last], full.cv_results_["mean_test_score"], atol=0.02
    )


def test_survivors_train_on_and_losers_leave(both):
    ours, _ = both
    assert ours.n_stacked_runs_ == 3 and ours.n_separate_fits_ == 0
    assert type(ours.best_estimator_) is SoftmaxClassifier
    assert ours.best_estimator_.max_epochs == 27
    # the winner trained all rungs, a loser of the first rung only that one
    params = ours.cv_results_["params"]
    winner = params.index(ours.best_params_)
    loser = next(
        i
        for i, p in enumerate(params)
        if p["max_epochs"] == 3 and {**p, "max_epochs": 27} not in params
    )
    assert ours.stacked_time_[winner] > ours.stacked_time_[loser] > 0
    assert pickle.loads(pickle.dumps(ours)).best_params_ == ours.best_params_


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ({"lr": [0.1], "max_epochs": [3]}, "part of the searched parameters"),
        ({"C": [1]}, "Invalid"),
    ],
)
def test_bad_grids_are_refused(blobs, grid, message):
    X, y = blobs
    with pytest.raises(ValueError, match=message):
        SoftmaxHalvingSearchCV(SoftmaxClassifier(optimizer="adam"), grid, cv=3).fit(X, y)


def test_a_pipeline_is_halving_grid_searchs(blobs):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = blobs
    pipe = make_pipeline(StandardScaler(), SoftmaxClassifier(optimizer="adam", random_state=0))
    grid = {"softmaxclassifier__lr": [0.01, 0.1, 0.3]}
    settings = dict(resource="softmaxclassifier__max_epochs", max_resources=9, cv=3)
    ours = SoftmaxHalvingSearchCV(pipe, grid, **settings).fit(X, y)
    theirs = HalvingGridSearchCV(pipe, grid, **settings).fit(X, y)
    assert (
        ours.n_stacked_runs_ == 0 and ours.n_separate_fits_ == len(theirs.cv_results_["params"]) * 3
    )
    np.testing.assert_array_equal(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )
    with pytest.raises(ValueError, match="not supported by estimator Pipeline"):
        SoftmaxHalvingSearchCV(pipe, grid, cv=3).fit(X, y)
