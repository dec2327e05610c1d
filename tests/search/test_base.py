"""What every stacked search shares: scikit-learn's inputs, signature and errors."""

import inspect

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, RandomizedSearchCV

from sk_softmax import (
    SoftmaxClassifier,
    SoftmaxHalvingSearchCV,
    SoftmaxRandomizedSearchCV,
    SoftmaxSearchCV,
)

ESTIMATOR = SoftmaxClassifier(optimizer="adam", random_state=0)
GRID = {"lr": [0.01, 0.1], "max_epochs": [2, 10]}
TWINS = {
    "grid": (
        lambda e: SoftmaxSearchCV(e, GRID, cv=3),
        lambda e: GridSearchCV(e, GRID, cv=3),
    ),
    "randomized": (
        lambda e: SoftmaxRandomizedSearchCV(e, GRID, n_iter=3, cv=3, random_state=0),
        lambda e: RandomizedSearchCV(e, GRID, n_iter=3, cv=3, random_state=0),
    ),
    "halving": (
        lambda e: SoftmaxHalvingSearchCV(e, {"lr": [0.01, 0.03, 0.1]}, max_resources=9, cv=3),
        lambda e: HalvingGridSearchCV(
            e, {"lr": [0.01, 0.03, 0.1]}, resource="max_epochs", max_resources=9, cv=3
        ),
    ),
}


def _inputs(X, tmp_path):
    memmapped = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+", shape=X.shape)
    memmapped[:] = X
    memmapped.flush()
    read_only = X.copy()
    read_only.flags.writeable = False
    columns = [f"f{i}" for i in range(X.shape[1])]
    return {
        "float64": X,
        "float32": X.astype(np.float32),
        "int": np.round(X * 4).astype(int),
        "read-only": read_only,
        "memmap": np.load(tmp_path / "X.npy", mmap_mode="r"),
        "list": X.tolist(),
        "DataFrame": pd.DataFrame(X, columns=columns),
        "csr": sp.csr_matrix(X),
        "csc": sp.csc_matrix(X),
    }


@pytest.mark.parametrize("search", TWINS)
@pytest.mark.parametrize(
    "kind", ["float64", "float32", "int", "read-only", "memmap", "list", "DataFrame", "csr", "csc"]
)
def test_every_input_its_twin_takes_gives_its_twins_results(blobs, tmp_path, search, kind):
    X, y = blobs
    X = _inputs(X, tmp_path)[kind]
    ours_of, theirs_of = TWINS[search]
    ours, theirs = ours_of(ESTIMATOR).fit(X, y), theirs_of(ESTIMATOR).fit(X, y)
    assert ours.n_separate_fits_ == 0 and ours.n_stacked_runs_ == 3
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], atol=0.02
    )
    assert ours.best_params_ == theirs.best_params_
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    if kind == "DataFrame":
        np.testing.assert_array_equal(ours.feature_names_in_, X.columns)
        np.testing.assert_array_equal(ours.best_estimator_.feature_names_in_, X.columns)


def test_a_random_state_instance_stacks_the_models_the_separate_fits_train(blobs):
    X, y = blobs
    estimator = SoftmaxClassifier(optimizer="adam", random_state=np.random.RandomState(0))
    ours = SoftmaxSearchCV(estimator, GRID, cv=3).fit(X, y)
    theirs = GridSearchCV(estimator, GRID, cv=3).fit(X, y)
    assert ours.n_stacked_runs_ == 3 and ours.n_separate_fits_ == 0
    assert (ours.stacked_time_ > 0).all()
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], atol=0.02
    )
    # The searched estimator's own RandomState is copied for every fit, never drawn from.
    np.testing.assert_array_equal(
        estimator.random_state.get_state()[1], np.random.RandomState(0).get_state()[1]
    )
    np.testing.assert_array_equal(ours.best_estimator_.coef_, theirs.best_estimator_.coef_)


@pytest.mark.parametrize("search", TWINS)
def test_the_signature_is_the_twins(search):
    ours_of, theirs_of = TWINS[search]
    ours, theirs = type(ours_of(ESTIMATOR)), type(theirs_of(ESTIMATOR))
    mine = inspect.signature(ours.__init__).parameters
    twins = inspect.signature(theirs.__init__).parameters
    assert list(mine) == list(twins)
    different = {
        name
        for name in mine
        if mine[name].default is not twins[name].default
        and mine[name].default != twins[name].default
    }
    # Deliberate and documented: halving over epochs by default.
    assert different == ({"resource"} if search == "halving" else set())


@pytest.mark.parametrize("search", TWINS)
def test_weights_of_the_wrong_length_raise_what_the_twin_raises(blobs, search):
    X, y = blobs
    ours_of, theirs_of = TWINS[search]
    with pytest.raises(ValueError) as theirs:
        theirs_of(ESTIMATOR).fit(X, y, sample_weight=np.ones(len(y) - 1))
    with pytest.raises(type(theirs.value)):
        ours_of(ESTIMATOR).fit(X, y, sample_weight=np.ones(len(y) - 1))


def test_a_grid_may_put_any_estimator_in_the_classifiers_place(digits_split):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X, _, y, _ = digits_split
    pipe = Pipeline(
        [("scale", StandardScaler()), ("clf", SoftmaxClassifier(lr=1e-5, random_state=0))]
    )
    grid = [{"clf__max_epochs": [1, 2]}, {"clf": [LogisticRegression()]}]  # it wins
    ours = SoftmaxSearchCV(pipe, grid, cv=3).fit(X, y)
    theirs = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    assert ours.best_params_ == theirs.best_params_
    assert isinstance(ours.best_estimator_[-1], LogisticRegression)
    assert ours.n_stacked_runs_ == 3 and ours.n_separate_fits_ == 3
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize(
    "scoring, refit",
    [(None, True), ("accuracy", True), (["accuracy", "neg_log_loss"], "neg_log_loss")],
)
def test_row_indices_stand_in_for_a_numpy_X_and_change_no_result(
    blobs, stand_ins, assert_same_scores, scoring, refit
):
    X, y = blobs
    grid = {**GRID, "early_stopping": [False, True]}  # early stopping: fitted separately

    def search():
        return SoftmaxSearchCV(
            ESTIMATOR, grid, cv=3, scoring=scoring, refit=refit, return_train_score=True
        )

    rows, listed = search().fit(X, y), search().fit(X.tolist(), y)
    assert stand_ins == [1]  # for the array only
    assert rows.n_separate_fits_ == listed.n_separate_fits_ == 12
    assert_same_scores(rows, listed)
    np.testing.assert_array_equal(rows.best_estimator_.coef_, listed.best_estimator_.coef_)
    assert rows.n_features_in_ == 2


def test_a_callable_scorer_reads_the_rows_themselves(blobs):
    from sklearn.model_selection import StratifiedKFold

    X, y = blobs
    seen = []

    def scorer(estimator, X_test, y_test):
        seen.append(X_test)
        return float(np.mean(estimator.predict(X_test) == y_test))

    ours = SoftmaxSearchCV(ESTIMATOR, GRID, cv=3, scoring=scorer).fit(X, y)
    theirs = GridSearchCV(ESTIMATOR, GRID, cv=3, scoring=scorer).fit(X, y)
    tests = [X[test] for _, test in StratifiedKFold(3).split(X, y)]
    assert len(seen) == 2 * len(GRID["lr"]) * len(GRID["max_epochs"]) * 3  # ours, then theirs
    assert all(any(np.array_equal(rows, test) for test in tests) for rows in seen)
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], atol=0.02
    )
