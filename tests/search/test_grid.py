"""SoftmaxSearchCV: GridSearchCV's answers and attributes from stacked runs."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    ShuffleSplit,
    StratifiedKFold,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV

GRID = {"lr": [0.01, 0.1], "max_epochs": [3, 20]}


def both(X, y, grid=GRID, fit_params=None, **kwargs):
    estimator = kwargs.pop("estimator", SoftmaxClassifier(optimizer="adam", random_state=0))
    ours = SoftmaxSearchCV(estimator, grid, **kwargs).fit(X, y, **(fit_params or {}))
    theirs = GridSearchCV(estimator, grid, **kwargs).fit(X, y, **(fit_params or {}))
    return ours, theirs


def test_same_answers_as_grid_search_within_noise(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    ours, theirs = both(X_train, y_train, cv=cv)
    delta = ours.cv_results_["mean_test_score"] - theirs.cv_results_["mean_test_score"]
    assert np.abs(delta).mean() < 0.02 and np.abs(delta).max() < 0.04
    assert theirs.cv_results_["mean_test_score"][ours.best_index_] > theirs.best_score_ - 0.02
    assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) < 0.02
    assert ours.n_stacked_runs_ == 3 and ours.n_separate_fits_ == 0  # one run per split
    assert set(ours.cv_results_) == set(theirs.cv_results_)
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]


def test_fitted_attributes_and_methods(blobs):
    X, y = blobs
    search = SoftmaxSearchCV(SoftmaxClassifier(optimizer="adam", random_state=0), GRID, cv=3).fit(
        X, y
    )
    best = search.best_estimator_
    assert type(best) is SoftmaxClassifier
    assert (
        best.get_params()
        == clone(SoftmaxClassifier(optimizer="adam", random_state=0))
        .set_params(**search.best_params_)
        .get_params()
    )
    assert best.n_iter_ <= search.best_params_["max_epochs"]
    assert best.n_samples_seen_ == len(y)
    assert search.n_splits_ == 3 and search.refit_time_ > 0
    assert (search.cv_results_["mean_fit_time"] > 0).all()
    # lr 0.01 at 3 and 20 epochs is one model, and shares its time; so does lr 0.1
    shares = dict(zip(map(str, search.cv_results_["params"]), search.stacked_time_, strict=True))
    assert shares[str({"lr": 0.01, "max_epochs": 3})] == shares[str({"lr": 0.01, "max_epochs": 20})]
    assert (search.stacked_time_ > 0).all()
    np.testing.assert_array_equal(search.classes_, [0, 1, 2])
    np.testing.assert_array_equal(search.predict(X), best.predict(X))
    np.testing.assert_allclose(search.predict_proba(X), best.predict_proba(X))
    assert search.score(X, y) == best.score(X, y) > 0.9


@pytest.mark.parametrize(
    "cv",
    [
        3,
        KFold(4, shuffle=True, random_state=1),
        ShuffleSplit(3, test_size=0.3, random_state=0),  # rows may be in no test set
        "iterable",
    ],
)
def test_every_kind_of_cv(blobs, cv):
    X, y = blobs
    if cv == "iterable":
        even, odd = np.arange(0, 150, 2), np.arange(1, 150, 2)
        cv = [(even, odd), (odd, even)]
    ours, theirs = both(X, y, cv=cv)
    assert ours.n_separate_fits_ == 0 and ours.n_splits_ == theirs.n_splits_
    assert set(ours.cv_results_) == set(theirs.cv_results_)
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], atol=0.05
    )


def test_group_splitters_get_the_groups(blobs):
    X, y = blobs
    groups = np.arange(len(y)) % 5
    ours = SoftmaxSearchCV(
        SoftmaxClassifier(optimizer="adam", random_state=0), GRID, cv=GroupKFold(5)
    )
    ours.fit(X, y, groups=groups)
    assert ours.n_splits_ == 5 and ours.n_separate_fits_ == 0


def test_multi_metric_scoring_refits_on_the_named_metric(blobs):
    X, y = blobs
    scoring = {"acc": "accuracy", "nll": "neg_log_loss"}
    ours, theirs = both(X, y, cv=3, scoring=scoring, refit="nll", return_train_score=True)
    assert set(ours.cv_results_) == set(theirs.cv_results_)
    assert "mean_test_nll" in ours.cv_results_ and "mean_train_acc" in ours.cv_results_
    assert ours.best_score_ == ours.cv_results_["mean_test_nll"][ours.best_index_]
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_nll"], theirs.cv_results_["mean_test_nll"], atol=0.1
    )


def test_sample_weight_reaches_every_model(blobs):
    X, y = blobs
    weights = np.where(y == 0, 20.0, 1.0)
    grid = {"lr": [0.05], "max_epochs": [10]}
    ours, theirs = both(X, y, grid=grid, cv=3, fit_params={"sample_weight": weights})
    plain = SoftmaxSearchCV(SoftmaxClassifier(optimizer="adam", random_state=0), grid, cv=3).fit(
        X, y
    )
    assert ours.n_separate_fits_ == 0
    # Class 0 weighs 20 times more: it gets more probability, in both searches.
    mass = [search.predict_proba(X)[:, 0].mean() for search in (ours, theirs, plain)]
    assert mass[0] > mass[2] + 0.01 and mass[1] > mass[2] + 0.01
    assert ours.best_estimator_.n_samples_seen_ == weights.sum()
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], atol=0.05
    )


def test_what_cannot_stack_is_fitted_as_grid_search_would(blobs):
    X, y = blobs
    grid = {"early_stopping": [True, False], "lr": [0.5], "max_epochs": [5]}
    ours, theirs = both(X, y, grid=grid, cv=3)
    assert ours.n_stacked_runs_ == 3 and ours.n_separate_fits_ == 3
    held_out = [i for i, p in enumerate(ours.cv_results_["params"]) if p["early_stopping"]]
    for key in ("split0_test_score", "split1_test_score", "split2_test_score"):
        assert ours.cv_results_[key][held_out] == theirs.cv_results_[key][held_out]


def test_lbfgs_stacks_and_gives_the_separate_fits_scores(blobs):
    X, y = blobs
    grid = {"optimizer": ["lbfgs", "adam"], "lr": [0.5], "max_epochs": [2, 5, 30]}
    ours, theirs = both(X, y, grid=grid, cv=3)
    assert ours.n_stacked_runs_ == 6 and ours.n_separate_fits_ == 0
    lbfgs = [i for i, p in enumerate(ours.cv_results_["params"]) if p["optimizer"] == "lbfgs"]
    for key in ("split0_test_score", "split1_test_score", "split2_test_score"):
        np.testing.assert_array_equal(ours.cv_results_[key][lbfgs], theirs.cv_results_[key][lbfgs])


def test_runs_with_different_batch_sizes_are_separate_runs(blobs):
    X, y = blobs
    grid = {"batch_size": [16, 64], "lr": [0.01, 0.1], "max_epochs": [2, 4]}
    search = SoftmaxSearchCV(
        SoftmaxClassifier(optimizer="adam", random_state=0), grid, cv=3, n_jobs=2
    ).fit(X, y)
    assert search.n_stacked_runs_ == 2 * 3 and search.n_separate_fits_ == 0


def test_invalid_values_get_the_error_score(blobs):
    X, y = blobs
    grid = {"lr": [-1.0, 0.1], "max_epochs": [3]}
    with pytest.warns(FitFailedWarning, match="fits failed"):
        search = SoftmaxSearchCV(
            SoftmaxClassifier(optimizer="adam", random_state=0), grid, cv=3
        ).fit(X, y)
    assert np.isnan(search.cv_results_["mean_test_score"][0])
    assert search.best_params_ == {"lr": 0.1, "max_epochs": 3}


@pytest.mark.parametrize(
    ("estimator", "grid"),
    [
        (SoftmaxClassifier(optimizer="adam"), {"learning_rate": [0.1]}),
        (SoftmaxClassifier(optimizer="adam"), []),
        (SoftmaxClassifier(optimizer="adam"), {"lr": []}),
        (SoftmaxClassifier(optimizer="adam"), [{"lr": [0.1]}, 0]),
        (SoftmaxClassifier(optimizer="adam"), {"lr": 0.1}),
        (make_pipeline(StandardScaler(), SoftmaxClassifier(optimizer="adam")), {"lr": [0.1]}),
        (make_pipeline(SoftmaxClassifier(optimizer="adam"), StandardScaler()), {"lr": [0.1]}),
    ],
)
def test_bad_grids_and_estimators_raise_what_grid_search_raises(blobs, estimator, grid):
    X, y = blobs
    with pytest.raises(Exception) as theirs:
        GridSearchCV(estimator, grid, cv=3).fit(X, y)
    with pytest.raises(type(theirs.value)) as ours:
        SoftmaxSearchCV(estimator, grid, cv=3).fit(X, y)
    assert str(ours.value).split("(")[0] == str(theirs.value).split("(")[0]


def test_an_empty_grid_evaluates_the_estimator_as_given(blobs):
    X, y = blobs
    ours, theirs = both(X, y, grid={}, cv=3)
    assert ours.cv_results_["params"] == theirs.cv_results_["params"] == [{}]
    np.testing.assert_array_equal(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )
    assert ours.n_stacked_runs_ == 3


def test_reproducible_with_random_state(blobs):
    X, y = blobs
    first, second = (
        SoftmaxSearchCV(SoftmaxClassifier(optimizer="adam", random_state=7), GRID, cv=3).fit(X, y)
        for _ in range(2)
    )
    for key in ("split0_test_score", "split1_test_score", "split2_test_score"):
        np.testing.assert_array_equal(first.cv_results_[key], second.cv_results_[key])
    np.testing.assert_array_equal(first.best_estimator_.coef_, second.best_estimator_.coef_)


def test_clone_and_a_pipeline_around_it(blobs):
    X, y = blobs
    search = SoftmaxSearchCV(SoftmaxClassifier(optimizer="adam", random_state=0), GRID, cv=3)
    assert clone(search).get_params()["param_grid"] == GRID
    pipe = make_pipeline(StandardScaler(), search).fit(X, y)
    assert pipe.score(X, y) > 0.9
    assert pipe[-1].best_params_["lr"] in GRID["lr"]


def test_with_metadata_routing_weights_go_where_requested(blobs):
    import sklearn

    X, y = blobs
    weights = np.where(y == 0, 20.0, 1.0)
    grid = {"lr": [0.05], "max_epochs": [10]}
    with sklearn.config_context(enable_metadata_routing=True):
        asking = SoftmaxClassifier(optimizer="adam", random_state=0).set_fit_request(
            sample_weight=True
        )
        asking.set_score_request(sample_weight=False)
        weighted = SoftmaxSearchCV(asking, grid, cv=3).fit(X, y, sample_weight=weights)
        assert weighted.best_estimator_.n_samples_seen_ == weights.sum()
        # weights for the scores only: the models train without them
        not_asking = SoftmaxClassifier(optimizer="adam", random_state=0).set_fit_request(
            sample_weight=False
        )
        not_asking.set_score_request(sample_weight=True)
        plain = SoftmaxSearchCV(not_asking, grid, cv=3).fit(X, y, sample_weight=weights)
        assert plain.best_estimator_.n_samples_seen_ == len(y)
        assert weighted.n_separate_fits_ == plain.n_separate_fits_ == 0


def test_device_auto_stacks_too(blobs):
    X, y = blobs
    estimator = SoftmaxClassifier(optimizer="adam", device="auto", random_state=0)
    search = SoftmaxSearchCV(estimator, GRID, cv=3).fit(X, y)
    assert search.n_stacked_runs_ == 3 and search.n_separate_fits_ == 0


def test_class_weight_dicts_are_keyed_by_the_labels(blobs):
    X, y = blobs
    labels = np.array([10, 20, 30])[y]
    grid = {"class_weight": [None, {10: 20.0}], "max_epochs": [20]}
    ours, theirs = both(X, labels, grid=grid, cv=KFold(3))
    assert ours.n_separate_fits_ == 0
    delta = ours.cv_results_["mean_test_score"] - theirs.cv_results_["mean_test_score"]
    assert np.abs(delta).max() < 0.05
    weighted = ours.best_estimator_.set_params(class_weight={10: 20.0}).fit(X, labels)
    plain = SoftmaxClassifier(optimizer="adam", random_state=0, max_epochs=20).fit(X, labels)
    assert (weighted.predict(X) == 10).sum() >= (plain.predict(X) == 10).sum()


def test_a_model_that_diverges_late_still_scores_its_earlier_checkpoints(blobs):
    from sk_softmax.exceptions import DivergenceError

    X, y = blobs
    grid = {"lr": [1e3], "max_epochs": [1, 200]}  # SGD at lr 1000 overflows in epoch 3
    estimator = SoftmaxClassifier(optimizer="sgd", lr_schedule="constant", random_state=0)
    with pytest.warns(FitFailedWarning, match="DivergenceError"):
        ours = SoftmaxSearchCV(estimator, grid, cv=3).fit(X, y)
    with pytest.raises(DivergenceError, match="epoch 3"):
        clone(estimator).set_params(lr=1e3).fit(X, y)
    scores = ours.cv_results_["mean_test_score"]
    assert np.isfinite(scores[0]) and np.isnan(scores[1])
    assert ours.n_separate_fits_ == 0


@pytest.mark.parametrize(
    "cv",
    [
        lambda X, y: (split for split in KFold(3).split(X)),  # a generator: read once
        lambda X, y: ShuffleSplit(3, test_size=0.3),  # unseeded: other splits on each call
    ],
)
def test_splits_are_drawn_once_and_stacked(blobs, cv):
    X, y = blobs
    search = SoftmaxSearchCV(
        SoftmaxClassifier(optimizer="adam", random_state=0), GRID, cv=cv(X, y)
    ).fit(X, y)
    assert search.n_splits_ == 3 and search.n_separate_fits_ == 0
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_bad_scoring_is_refused_before_training(blobs, monkeypatch):
    import sk_softmax.search._runs

    def no_training(*args, **kwargs):
        raise AssertionError("trained before checking scoring")

    monkeypatch.setattr(sk_softmax.search._runs, "train_runs", no_training)
    X, y = blobs
    search = SoftmaxSearchCV(
        SoftmaxClassifier(optimizer="adam"), GRID, scoring=["accuracy", "neg_log_loss"], refit=True
    )
    with pytest.raises(ValueError, match="refit"):
        search.fit(X, y)


def test_candidates_that_run_out_of_epochs_are_counted_in_one_warning(blobs):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    X, y = blobs
    grid = {"lr": [0.01, 0.1], "max_epochs": [1, 200]}
    caught = {}
    for search in (SoftmaxSearchCV, GridSearchCV):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always", ConvergenceWarning)
            search(
                SoftmaxClassifier(optimizer="adam", random_state=0), grid, cv=3, refit=False
            ).fit(X, y)
        caught[search] = [
            str(w.message) for w in record if issubclass(w.category, ConvergenceWarning)
        ]
    theirs = caught[GridSearchCV]
    assert len(theirs) == 2 * 3 and all("max_epochs=1 " in m for m in theirs)
    (ours,) = caught[SoftmaxSearchCV]  # one warning: every 1-epoch candidate on every split
    assert "6 candidate fit(s)" in ours and "max_epochs (1)" in ours


def test_the_search_never_changes_its_own_parameters(blobs):
    X, y = blobs
    estimator, cv = SoftmaxClassifier(optimizer="adam", random_state=0), KFold(3)
    seen = []

    def scorer(fitted, X_test, y_test):
        seen.append((search.estimator, search.n_jobs, search.cv))
        return float(np.mean(fitted.predict(X_test) == y_test))

    search = SoftmaxSearchCV(estimator, GRID, cv=cv, n_jobs=1, scoring=scorer)
    params = search.get_params(deep=False)
    search.fit(X, y)
    assert seen and all(s[0] is estimator and s[1] == 1 and s[2] is cv for s in seen)
    assert search.get_params(deep=False) == params


def test_candidates_that_do_not_stack_cost_no_stacked_time(blobs):
    X, y = blobs
    grid = [{"lr": [0.05], "max_epochs": [5]}, {"early_stopping": [True], "max_epochs": [5]}]
    search = SoftmaxSearchCV(SoftmaxClassifier(optimizer="adam", random_state=0), grid, cv=3).fit(
        X, y
    )
    assert search.n_separate_fits_ == 3 and search.n_stacked_runs_ == 3
    assert search.stacked_time_[0] > 0 and search.stacked_time_[1] == 0


def test_auto_stacks_where_it_takes_lbfgs_and_where_adam(iris):
    X, y = iris
    grid = {"alpha": [1e-4, 1e-2], "max_epochs": [1, 5, 100]}
    ours, theirs = both(X, y, grid, estimator=SoftmaxClassifier(random_state=0), cv=3)
    assert ours.n_stacked_runs_ == 3 and ours.n_separate_fits_ == 0  # L-BFGS, stacked
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], atol=0.01
    )
    rng = np.random.RandomState(0)
    X = rng.rand(3_000, 700).astype(np.float32)  # 1,500 x 700 training values per split: Adam
    y = (X[:, :5].sum(1) > 2.5).astype(int)
    grid = {"max_epochs": [2]}
    ours = SoftmaxSearchCV(SoftmaxClassifier(random_state=0), grid, cv=2).fit(X, y)
    assert ours.n_stacked_runs_ == 2 and ours.n_separate_fits_ == 0
    separate = SoftmaxClassifier(random_state=0, max_epochs=2)
    np.testing.assert_array_equal(ours.best_estimator_.coef_, separate.fit(X, y).coef_)


@pytest.mark.parametrize("scaled", [False, True])
def test_the_cards_idiom_on_the_default_estimator(digits_split, scaled):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    X, _, y, _ = digits_split
    grid = {"lr": [0.001, 0.01, 0.1], "max_epochs": [3, 10, 30]}
    estimator = SoftmaxClassifier(random_state=0)
    if scaled:
        estimator = make_pipeline(StandardScaler(), estimator)
        grid = {f"softmaxclassifier__{name}": values for name, values in grid.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = GridSearchCV(estimator, grid, cv=3).fit(X, y)
        ours = SoftmaxSearchCV(estimator, grid, cv=3).fit(X, y)
    # Every value changes the model: lr and max_epochs mean what they say.
    assert len(np.unique(theirs.cv_results_["mean_test_score"])) >= 6
    assert ours.n_separate_fits_ == 0 and ours.n_stacked_runs_ == 3
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], atol=0.01
    )
    assert ours.best_params_ == theirs.best_params_
