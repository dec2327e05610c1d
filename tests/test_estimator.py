import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import EpochScoring

from sk_softmax import DivergenceError, SoftmaxClassifier

FAST = dict(lr=0.05, max_epochs=30, random_state=0)


def assert_same_model(a, b):
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.intercept_, b.intercept_)
    np.testing.assert_array_equal(a.classes_, b.classes_)


# ------------------------------------------------------------- training


def test_defaults_match_logistic_regression_on_digits(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    ours = SoftmaxClassifier(random_state=0).fit(X_train, y_train).score(X_test, y_test)
    reference = LogisticRegression(max_iter=1000).fit(X_train, y_train).score(X_test, y_test)
    assert ours >= reference - 0.02


def test_seed_settings_are_one_call_away(blobs):
    X, y = blobs
    chapter = dict(lr=0.1, max_epochs=10, batch_size=256, optimizer="sgd")
    clf = SoftmaxClassifier(**chapter, alpha=0.0, lr_schedule="constant", random_state=0)
    params = clf.get_params()
    assert params["momentum"] == 0 and params["init_std"] == 0.01
    with pytest.warns(ConvergenceWarning):  # ten epochs, no stopping rule reached
        clf.fit(X, y)
    assert clf.n_iter_ == 10 and set(clf.history_[:, "lr"]) == {0.1}
    assert clf.net_.recipe.models[0].alpha == 0 and clf.net_.batch_size == min(256, len(y))


def test_fitted_attributes(iris):
    X, y = iris
    clf = SoftmaxClassifier(**FAST).fit(X, y)
    assert clf.n_features_in_ == 4
    assert clf.coef_.shape == (3, 4) and clf.intercept_.shape == (3,)
    assert isinstance(clf.coef_, np.ndarray)
    assert clf.n_iter_ == len(clf.history_) == len(clf.loss_curve_)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    np.testing.assert_allclose(
        clf.decision_function(X), X @ clf.coef_.T + clf.intercept_, rtol=1e-4, atol=1e-4
    )
    assert type(clf.net_).__mro__[1].__name__ == "NeuralNetClassifier"


def test_probabilities_are_softmax_of_logits(iris):
    X, y = iris
    clf = SoftmaxClassifier(**FAST).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.log(proba), clf.predict_log_proba(X), atol=1e-10)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))


def test_predictions_are_the_float64_affine_map_of_coef(iris):
    X, y = iris
    clf = SoftmaxClassifier(**FAST).fit(X, y)
    assert clf.coef_.dtype == clf.intercept_.dtype == np.float64
    expected = X @ clf.coef_.T + clf.intercept_
    np.testing.assert_allclose(clf.decision_function(X), expected, rtol=1e-12)
    np.testing.assert_allclose(
        clf.decision_function(sp.csr_matrix(X)), expected, rtol=1e-12, atol=1e-12
    )
    # The weights are the trained float32 ones, exactly.
    np.testing.assert_array_equal(
        clf.coef_, clf.net_.module_.linear.weight.detach().numpy().astype(np.float64)
    )


def test_predictions_do_not_depend_on_the_batch(digits_split):
    X_train, X_test, y_train, _ = digits_split
    clf = SoftmaxClassifier(**FAST).fit(X_train, y_train)
    batch = clf.predict_proba(X_test)
    rows = np.vstack([clf.predict_proba(X_test[i : i + 1]) for i in range(len(X_test))])
    halves = np.vstack([clf.predict_proba(X_test[::2]), clf.predict_proba(X_test[1::2])])
    np.testing.assert_allclose(rows, batch, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        halves[np.argsort(np.r_[0 : len(X_test) : 2, 1 : len(X_test) : 2])],
        batch,
        rtol=1e-12,
        atol=1e-15,
    )


def test_stops_when_converged_and_warns_when_not(blobs):
    X, y = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = SoftmaxClassifier(lr=0.1, max_epochs=500, tol=1e-2, random_state=0).fit(X, y)
    assert clf.n_iter_ < 500
    with pytest.warns(ConvergenceWarning, match="max_epochs=3") as record:
        clf = SoftmaxClassifier(max_epochs=3, random_state=0).fit(X, y)
    assert clf.n_iter_ == 3
    # The warning points at the caller's line, not into scikit-learn.
    assert record[0].filename == __file__


def test_batch_size_larger_than_data_trains_full_batch(blobs):
    X, y = blobs
    clf = SoftmaxClassifier(batch_size=10_000, **FAST).fit(X, y)
    assert clf.get_params()["batch_size"] == 10_000
    assert clf.history_[-1, "train_batch_count"] == 1
    assert clf.score(X, y) > 0.9


def test_optimizer_class_and_momentum(blobs):
    X, y = blobs
    clf = SoftmaxClassifier(optimizer=torch.optim.RMSprop, **FAST).fit(X, y)
    assert isinstance(clf.net_.optimizer_, torch.optim.RMSprop)
    sgd = SoftmaxClassifier(optimizer="sgd", momentum=0.9, **FAST).fit(X, y)
    assert sgd.net_.optimizer_.param_groups[0]["momentum"] == 0.9
    assert sgd.score(X, y) > 0.9


def test_alpha_shrinks_the_weights(blobs):
    X, y = blobs
    norms = [
        np.linalg.norm(SoftmaxClassifier(alpha=alpha, **FAST).fit(X, y).coef_)
        for alpha in (0.0, 0.1, 1.0)
    ]
    assert norms[0] > norms[1] > norms[2]


# ------------------------------------------------------------------ data


@pytest.mark.parametrize(
    "labels", [np.array(["cat", "dog", "emu"]), np.array([3, 7, 42]), np.array([1.0, 2.0, 3.0])]
)
def test_predict_returns_original_labels(blobs, labels):
    X, y = blobs
    clf = SoftmaxClassifier(**FAST).fit(X, labels[y])
    np.testing.assert_array_equal(clf.classes_, np.sort(labels))
    pred = clf.predict(X)
    assert pred.dtype == labels.dtype
    assert np.mean(pred == labels[y]) > 0.9


def test_binary_shapes(blobs):
    X, y = blobs
    mask = y < 2
    clf = SoftmaxClassifier(**FAST).fit(X[mask], np.where(y[mask] == 1, "yes", "no"))
    assert clf.decision_function(X).shape == (len(X),)
    assert clf.predict_proba(X).shape == (len(X), 2)
    assert clf.coef_.shape == (2, 2)
    positive = clf.decision_function(X) > 0
    np.testing.assert_array_equal(clf.predict(X) == "yes", positive)


def test_pandas_and_list_input(iris):
    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = SoftmaxClassifier(**FAST).fit(frame, pd.Series(y))
    np.testing.assert_array_equal(clf.feature_names_in_, ["a", "b", "c", "d"])
    from_lists = SoftmaxClassifier(**FAST).fit(X.tolist(), y.tolist())
    assert_same_model(clf, from_lists)


def test_float64_and_float32_train_the_same_model(iris):
    X, y = iris
    a = SoftmaxClassifier(**FAST).fit(X, y)
    b = SoftmaxClassifier(**FAST).fit(X.astype(np.float32), y)
    assert_same_model(a, b)


def test_read_only_memmap(tmp_path, iris):
    X, y = iris
    path = tmp_path / "X.npy"
    np.save(path, X.astype(np.float32))
    X_map = np.load(path, mmap_mode="r")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*not writable")
        clf = SoftmaxClassifier(**FAST).fit(X_map, y)
        assert clf.score(X_map, y) > 0.9


# ------------------------------------------------------ reproducibility


def test_same_seed_gives_bit_identical_models(blobs):
    X, y = blobs
    a = SoftmaxClassifier(**FAST).fit(X, y)
    b = SoftmaxClassifier(**FAST).fit(X, y)
    assert_same_model(a, b)
    c = SoftmaxClassifier(**{**FAST, "random_state": 1}).fit(X, y)
    assert not np.array_equal(a.coef_, c.coef_)


def test_global_random_state_is_left_alone(blobs):
    X, y = blobs
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()
    SoftmaxClassifier(**FAST).fit(X, y)
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)


# ------------------------------------------------- scikit-learn tooling


def test_pipeline_with_scaler(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    pipe = make_pipeline(StandardScaler(), SoftmaxClassifier(**FAST))
    assert pipe.fit(X_train * 16, y_train).score(X_test * 16, y_test) > 0.93


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_grid_search_over_lr_and_max_epochs(blobs, n_jobs):
    X, y = blobs
    grid = GridSearchCV(
        SoftmaxClassifier(optimizer="adam", batch_size=256, random_state=0),
        {"lr": [1e-4, 0.1], "max_epochs": [1, 20]},
        cv=3,
        n_jobs=n_jobs,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    assert grid.best_params_ == {"lr": 0.1, "max_epochs": 20}
    assert grid.best_estimator_.n_iter_ <= 20
    assert grid.score(X, y) > 0.9


def test_grid_search_inside_pipeline(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    pipe = make_pipeline(StandardScaler(), SoftmaxClassifier(optimizer="adam", random_state=0))
    grid = GridSearchCV(
        pipe,
        {"softmaxclassifier__lr": [1e-5, 0.05], "softmaxclassifier__max_epochs": [2, 15]},
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X_train, y_train)
    assert grid.best_params_["softmaxclassifier__lr"] == 0.05
    assert grid.score(X_test, y_test) > 0.9


def test_cross_val_score(blobs):
    X, y = blobs
    scores = cross_val_score(SoftmaxClassifier(**FAST), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.9


def test_clone_and_pickle_round_trip(iris):
    X, y = iris
    clf = SoftmaxClassifier(**FAST).fit(X, y)
    copy = clone(clf)
    assert copy.get_params() == clf.get_params() and not hasattr(copy, "net_")
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.get_params() == clf.get_params()


# -------------------------------------------------------------- output


def test_history_records_the_optimizer_of_every_epoch(digits_split):
    X_train, _, y_train, _ = digits_split
    clf = SoftmaxClassifier(max_epochs=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)  # lr "auto" on small data: L-BFGS
    clf.partial_fit(X_train, y_train)  # a stream goes on with Adam
    assert clf.history_[:, "optimizer"] == ["lbfgs"] * 5 + ["adam"]
    given = SoftmaxClassifier(lr=0.01, max_epochs=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        given.fit(X_train, y_train)
    assert given.history_[:, "optimizer"] == ["adam", "adam"]


def test_verbose_zero_prints_nothing(blobs, capsys):
    X, y = blobs
    SoftmaxClassifier(**FAST).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_verbose_one_prints_an_epoch_table(blobs, capsys):
    X, y = blobs
    SoftmaxClassifier(verbose=1, **{**FAST, "max_epochs": 2}).fit(X, y)
    out = capsys.readouterr().out
    assert "epoch" in out and "train_loss" in out
    assert "Training stopped after epoch 2: max_epochs=2 epochs ran out" in out


def test_verbose_table_shows_the_epoch_where_training_stopped_itself(blobs, capsys):
    X, y = blobs
    clf = SoftmaxClassifier(
        verbose=1,
        optimizer="adam",
        lr=0.1,
        tol=0.5,
        n_iter_no_change=2,
        max_epochs=100,
        random_state=0,
    ).fit(X, y)
    out = capsys.readouterr().out
    assert clf.n_iter_ < 100
    rows = [line.split()[0] for line in out.splitlines() if line.split()[:1] != []]
    assert [int(r) for r in rows if r.isdigit()] == list(range(1, clf.n_iter_ + 1))
    (rule,) = clf.net_.stack_.rules
    assert (
        f"Training stopped after epoch {clf.n_iter_}: train_loss did not improve by a relative "
        f"tol=0.5 for n_iter_no_change=2 epochs (lr divided by 10 after epoch(s) "
        f"{rule.dropped_at}; best: epoch {rule.best_epoch})." in out
    )
    assert len(rule.dropped_at) == 2
    assert "progress_bar" not in dict(clf.net_.callbacks_)  # captured output: no bar


def test_user_callbacks_pass_through_and_stay_untouched(blobs):
    X, y = blobs
    scoring = EpochScoring("accuracy", on_train=True, name="train_acc")
    clf = SoftmaxClassifier(callbacks=[scoring], **FAST).fit(X, y)
    assert 0.0 <= clf.history_[-1, "train_acc"] <= 1.0
    assert not hasattr(scoring, "best_score_")
    assert clf.get_params()["callbacks"][0] is scoring


# ------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        ([[np.nan, 1.0], [1.0, 2.0]], [0, 1], "NaN"),
        ([[np.inf, 1.0], [1.0, 2.0]], [0, 1], "infinity"),
        ([[0.0, 1.0], [1.0, 2.0]], [0.0, np.nan], "NaN"),
        ([[0.0, 1.0], [1.0, 2.0]], [1, 1], "at least 2 classes"),
        ([[0.0, 1.0], [1.0, 2.0], [2.0, 3.0]], [0.1, 0.7, 0.3], "Unknown label type"),
        (np.empty((0, 2)), [], "0 sample"),
        ([0.0, 1.0, 2.0], [0, 1, 0], "Expected 2D array"),
        ([[0.0, 1.0], [1.0, 2.0]], [0, 1, 0], "inconsistent numbers of samples"),
    ],
)
def test_bad_training_data_is_a_clear_error(X, y, message):
    with pytest.raises(ValueError, match=message):
        SoftmaxClassifier().fit(X, y)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lr": -0.1}, "'lr' parameter"),
        ({"max_epochs": 0}, "'max_epochs' parameter"),
        ({"batch_size": 0}, "'batch_size' parameter"),
        ({"optimizer": "adagrad"}, "'optimizer' parameter"),
        ({"optimizer": int}, "subclass of torch.optim.Optimizer"),
        ({"device": "gpu"}, "not a device torch knows"),
        ({"callbacks": ["not a callback"]}, "skorch callbacks"),
    ],
)
def test_bad_hyperparameters_are_a_clear_error(blobs, params, message):
    X, y = blobs
    with pytest.raises(ValueError, match=message):
        SoftmaxClassifier(**params).fit(X, y)


def test_predict_before_fit():
    with pytest.raises(NotFittedError):
        SoftmaxClassifier().predict([[0.0, 1.0]])


def test_wrong_feature_count_at_predict(iris):
    X, y = iris
    clf = SoftmaxClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="4 features"):
        clf.predict(X[:, :3])


@pytest.mark.parametrize(
    "bad_fit",
    [
        lambda clf, X, y: clf.fit(np.full_like(X, np.nan), y),
        lambda clf, X, y: clf.fit(X, np.zeros_like(y)),
        lambda clf, X, y: clf.set_params(lr=-1).fit(X, y),
        lambda clf, X, y: clf.fit(pd.DataFrame(X[:, :2], columns=["p", "q"]), y[:-1]),
        lambda clf, X, y: clf.set_params(lr=1e30, optimizer="sgd").fit(X * 1e10, y),
    ],
)
def test_rejected_fit_leaves_fitted_model_as_it_was(iris, bad_fit):
    X, y = iris
    clf = SoftmaxClassifier(**FAST).fit(X, y)
    net, coef, history = clf.net_, clf.coef_, list(clf.history_)
    attrs = dict(vars(clf))
    with pytest.raises(ValueError):
        bad_fit(clf, X, y)
    clf.set_params(**FAST, optimizer="auto")
    assert vars(clf).keys() == attrs.keys()
    assert all(vars(clf)[key] is value for key, value in attrs.items())
    assert clf.net_ is net and clf.n_features_in_ == 4 and list(clf.history_) == history
    np.testing.assert_array_equal(clf.coef_, coef)


def test_divergence_raises_instead_of_returning_nan_weights(blobs):
    X, y = blobs
    clf = SoftmaxClassifier(lr=1e30, optimizer="sgd", random_state=0)
    with pytest.raises(DivergenceError, match="lr=1e\\+30"):
        clf.fit(X * 1e10, y)
    assert not hasattr(clf, "net_")


def test_huge_inputs_give_finite_probabilities(iris):
    X, y = iris
    clf = SoftmaxClassifier(**FAST).fit(X, y)
    huge = np.array([[3e38, -3e38, 3e38, 1.0], [1e30, 1e30, -1e30, -1e30]])
    proba = clf.predict_proba(huge)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.isfinite(clf.predict_log_proba(huge)).all()
    assert set(clf.predict(huge)) <= set(clf.classes_)


@pytest.mark.parametrize("optimizer", ["lbfgs", "sgd", "adam"])
def test_an_epoch_is_one_pass_over_the_data_for_every_optimizer(digits_split, optimizer):
    X, _, y, _ = digits_split
    three = SoftmaxClassifier(optimizer=optimizer, max_epochs=3, random_state=0)
    with pytest.warns(ConvergenceWarning, match="max_epochs=3"):
        three.fit(X, y)
    assert three.n_iter_ == len(three.history_) == len(three.loss_curve_) == 3
    assert three.history_[:, "epoch"] == [1, 2, 3]
    for epoch in three.history_:  # every row once, in one batch for L-BFGS
        assert sum(batch["train_batch_size"] for batch in epoch["batches"]) == len(y)
        assert (epoch["train_batch_count"] == 1) == (optimizer == "lbfgs")
    converged = SoftmaxClassifier(optimizer=optimizer, max_epochs=1000, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        converged.fit(X, y)
    assert converged.n_iter_ == len(converged.history_) < 1000


def test_more_epochs_train_further_under_the_defaults(digits_split):
    from sklearn.model_selection import validation_curve

    X, _, y, _ = digits_split
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        train, _ = validation_curve(
            SoftmaxClassifier(random_state=0),
            X,
            y,
            param_name="max_epochs",
            param_range=[1, 3, 30],
            cv=3,
        )
    means = train.mean(axis=1)
    assert means[2] >= means[0] + 0.01 and means[2] >= means[1] + 0.01
