"""Runs: the trained models SoftmaxSearchCV's scoring loop looks up, and their held-out logits."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold, ParameterGrid, ShuffleSplit

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV
from sk_softmax.search._runs import Runs

GRID = {"lr": [0.01, 0.1], "max_epochs": [3, 20]}


def test_each_splits_test_rows_are_scored_once_for_all_its_models(digits_split):
    X, _, y, _ = digits_split
    splits = list(KFold(3, shuffle=True, random_state=0).split(X))
    search = SoftmaxSearchCV(SoftmaxClassifier(optimizer="adam", random_state=0), GRID)
    runs, _ = search._train_stacked(X, y, splits, list(ParameterGrid(search.param_grid)), {})
    runs.score_held_out()
    assert runs.score_seconds > 0
    checked, held = 0, set()
    for _, per_split, _ in runs.entries:
        for index, model in enumerate(per_split):
            for coef, intercept in model.weights.values():
                if runs.held_out(index, coef) is None:
                    continue  # beyond the budget of one copy of X
                held.add(index)
                rows, logits = runs.held_out(index, coef)
                np.testing.assert_array_equal(rows, X[splits[index][1]])
                own = rows @ coef.astype(np.float64).T + intercept  # what predict computes
                np.testing.assert_allclose(logits, own, rtol=1e-12, atol=1e-12)
                checked += 1
    assert held and checked == len(GRID["lr"]) * len(held) * len(GRID["max_epochs"])


def test_held_out_logits_larger_than_X_are_not_kept(blobs):
    X, y = blobs  # 2 features: 10 candidates' logits of a test fold outgrow X
    grid = {"lr": list(np.geomspace(0.003, 0.3, 10)), "max_epochs": [3]}
    splits = list(KFold(3).split(X))
    search = SoftmaxSearchCV(SoftmaxClassifier(optimizer="adam", random_state=0), grid, cv=KFold(3))
    runs, _ = search._train_stacked(X, y, splits, list(ParameterGrid(search.param_grid)), {})
    runs.score_held_out()
    coef = runs.entries[0][1][0].weights[3][0]
    assert runs.held_out(0, coef) is None
    search.fit(X, y)  # scored by each model's own prediction instead
    theirs = GridSearchCV(
        SoftmaxClassifier(optimizer="adam", random_state=0), grid, cv=KFold(3)
    ).fit(X, y)
    delta = search.cv_results_["mean_test_score"] - theirs.cv_results_["mean_test_score"]
    assert np.abs(delta).max() < 0.05


@pytest.mark.parametrize(
    "cv, scoring, classes",
    [
        (KFold(3, shuffle=True, random_state=0), None, 3),
        (ShuffleSplit(4, test_size=0.2, random_state=0), ["accuracy", "neg_log_loss"], 3),
        (KFold(3), ["roc_auc", "average_precision", "neg_log_loss"], 2),
    ],
)
def test_scores_from_held_out_logits_equal_each_models_own(
    blobs, monkeypatch, cv, scoring, classes
):
    X, y = blobs
    X, y = X[y < classes], y[y < classes]
    refit = "neg_log_loss" if scoring else True

    def search():
        return SoftmaxSearchCV(
            SoftmaxClassifier(optimizer="adam", random_state=0),
            GRID,
            cv=cv,
            scoring=scoring,
            refit=refit,
            return_train_score=True,
        ).fit(X, y)

    shared = search()
    monkeypatch.setattr(Runs, "score_held_out", lambda self: None)
    own = search()
    names = [k for k in shared.cv_results_ if k.startswith(("split", "mean_t", "rank"))]
    assert any("_test_" in k for k in names) and any("_train_" in k for k in names)
    for name in names:
        if "time" not in name:
            np.testing.assert_allclose(shared.cv_results_[name], own.cv_results_[name], rtol=1e-9)


def test_the_held_out_logits_of_all_splits_fit_in_one_copy_of_X(digits_split):
    X, _, y, _ = digits_split
    splits = list(KFold(3).split(X))
    grid = {"lr": [0.001, 0.01, 0.1, 0.3], "max_epochs": [2, 4]}
    search = SoftmaxSearchCV(SoftmaxClassifier(optimizer="adam", random_state=0), grid)
    runs, _ = search._train_stacked(X, y, splits, list(ParameterGrid(grid)), {})
    runs.score_held_out()
    held = [runs.held_out(i, runs.entries[0][1][i].weights[2][0]) for i in range(3)]
    # one split's test rows and logits, float64: a third of X and 4 settings x
    # 2 checkpoints x 10 classes for them (75 % of X): one split fits in one X
    assert [h is not None for h in held] == [True, False, False]


def test_held_out_scoring_uses_the_estimators_blas_threads(digits_split, monkeypatch):
    from threadpoolctl import threadpool_info

    import sk_softmax.search._runs

    seen = []
    affine = sk_softmax.search._runs._affine

    def recording(*args):
        seen.extend(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
        return affine(*args)

    monkeypatch.setattr(sk_softmax.search._runs, "_affine", recording)
    X, _, y, _ = digits_split
    SoftmaxSearchCV(
        SoftmaxClassifier(optimizer="adam", n_threads=1, random_state=0), GRID, cv=3
    ).fit(X, y)
    assert seen and all(n == 1 for n in seen)


class _Model:
    """A trained model as Runs sees one: its epoch history and checkpoint weights."""

    def __init__(self, epochs):
        self.history = [{"epoch": e} for e in range(1, epochs + 1)]
        self.weights = {}


def test_a_setting_stacked_on_some_splits_only_is_fitted_separately_on_the_others():
    splits = [(np.arange(0, 5), np.arange(5, 10)), (np.arange(5, 10), np.arange(0, 5))]
    runs = Runs(splits)
    params = SoftmaxClassifier(lr=0.1).get_params()
    runs.add_on(0, [params], [_Model(4)], seconds=10.0)  # split 1: L-BFGS, say
    assert runs.find(params, splits[0][0])[0] is not None
    assert runs.find(params, splits[1][0]) == (None, 0.0, None)
    seconds, separate = runs.costs(SoftmaxClassifier(), [{"lr": 0.1}])
    assert seconds.tolist() == [5.0]  # 10 s on one of two splits: 5 s a split
    assert separate == 1  # one fit, on the other split
    runs.add_on(1, [params], [_Model(4)], seconds=10.0)
    assert runs.costs(SoftmaxClassifier(), [{"lr": 0.1}]) == ([10.0], 0)
