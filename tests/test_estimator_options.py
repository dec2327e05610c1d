"""SoftmaxClassifier's LogisticRegression / MLPClassifier options: weights, solvers,
convergence, early stopping, incremental training and sparse input."""

import io
import sys
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
import torch
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer, recall_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback, Checkpoint, EpochScoring, LRScheduler

from sk_softmax import DivergenceError, SoftmaxClassifier
from sk_softmax._batches import ArrayDataset

FULL_BATCH = dict(batch_size=10_000, lr=0.05, max_epochs=40, random_state=0)


def imbalanced(n_major=270, n_minor=30, seed=0):
    rng = np.random.RandomState(seed)
    X = np.vstack([rng.normal(0.0, 1.0, (n_major, 2)), rng.normal(1.2, 1.0, (n_minor, 2))])
    y = np.r_[np.zeros(n_major, int), np.ones(n_minor, int)]
    return X, y


# -------------------------------------------------------------- weights


def test_zero_weight_equals_dropping_the_sample(blobs):
    X, y = blobs
    weights = np.ones(len(y))
    weights[::3] = 0
    weighted = SoftmaxClassifier(**FULL_BATCH).fit(X, y, sample_weight=weights)
    dropped = SoftmaxClassifier(**FULL_BATCH).fit(X[weights > 0], y[weights > 0])
    np.testing.assert_allclose(weighted.coef_, dropped.coef_, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(weighted.predict_proba(X), dropped.predict_proba(X), atol=1e-5)


def test_integer_weights_equal_repeated_samples(blobs):
    X, y = blobs
    weights = np.tile([1, 2, 3], len(y) // 3)
    weighted = SoftmaxClassifier(**FULL_BATCH).fit(X, y, sample_weight=weights)
    repeated = SoftmaxClassifier(**FULL_BATCH).fit(np.repeat(X, weights, 0), np.repeat(y, weights))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-4, atol=1e-6)


def test_sample_weight_changes_the_model(blobs):
    X, y = blobs
    plain = SoftmaxClassifier(**FULL_BATCH).fit(X, y)
    weighted = SoftmaxClassifier(**FULL_BATCH).fit(X, y, sample_weight=np.where(y == 0, 5.0, 1.0))
    assert weighted.predict_proba(X)[:, 0].mean() > plain.predict_proba(X)[:, 0].mean()


def test_balanced_class_weight_raises_minority_recall():
    X, y = imbalanced()
    params = dict(lr=0.05, max_epochs=60, random_state=0)
    plain = SoftmaxClassifier(**params).fit(X, y)
    balanced = SoftmaxClassifier(class_weight="balanced", **params).fit(X, y)
    assert recall_score(y, balanced.predict(X)) > recall_score(y, plain.predict(X)) + 0.2


def test_class_weight_dict_and_sample_weight_multiply():
    X, y = imbalanced()
    by_dict = SoftmaxClassifier(class_weight={0: 1.0, 1: 4.0}, **FULL_BATCH).fit(
        X, y, sample_weight=np.full(len(y), 0.5)
    )
    by_sample = SoftmaxClassifier(**FULL_BATCH).fit(X, y, sample_weight=np.where(y == 1, 2.0, 0.5))
    np.testing.assert_allclose(by_dict.coef_, by_sample.coef_, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    ("sample_weight", "message"),
    [(-np.ones(150), "(?i)negative"), (np.zeros(150), "zero"), (np.ones(3), "shape")],
)
def test_bad_sample_weight_is_a_clear_error(blobs, sample_weight, message):
    X, y = blobs
    with pytest.raises(ValueError, match=message):
        SoftmaxClassifier().fit(X, y, sample_weight=sample_weight)


def test_sample_weight_is_routed_through_pipeline_and_grid_search(blobs):
    X, y = blobs
    weights = np.where(y == 0, 0.0, 1.0)
    with sklearn.config_context(enable_metadata_routing=True):
        clf = SoftmaxClassifier(**FULL_BATCH).set_fit_request(sample_weight=True)
        scaler = StandardScaler().set_fit_request(sample_weight=False)
        scoring = get_scorer("accuracy").set_score_request(sample_weight=True)
        grid = GridSearchCV(
            make_pipeline(scaler, clf), {"softmaxclassifier__lr": [0.05]}, cv=2, scoring=scoring
        )
        grid.fit(X, y, sample_weight=weights)
    model = grid.best_estimator_[-1]
    # Class 0 had weight 0 everywhere: the model never learns to predict it.
    assert 0 not in set(model.predict(grid.best_estimator_[0].transform(X)))


# -------------------------------------------------------------- solvers


def test_lbfgs_reaches_logistic_regressions_optimum(digits_split, objective):
    # Judged by the objective in float64, as no CPU's float32 rounding can fail it.
    X_train, X_test, y_train, _ = digits_split
    C, n = 1.0, len(y_train)
    reference = LogisticRegression(C=C, max_iter=5000, tol=1e-8).fit(X_train, y_train)
    ours = SoftmaxClassifier(optimizer="lbfgs", alpha=1.0 / (C * n), tol=1e-6, random_state=0)
    ours.fit(X_train, y_train)
    agreement = np.mean(ours.predict(X_test) == reference.predict(X_test))
    assert agreement >= 0.97
    best = objective(reference.coef_, reference.intercept_, X_train, y_train, 1 / (C * n))
    reached = objective(ours.coef_, ours.intercept_, X_train, y_train, 1 / (C * n))
    assert best <= reached <= best * (1 + 1e-4)


@pytest.mark.parametrize("loader", [load_iris, load_wine, load_breast_cancer, load_digits])
def test_both_paths_of_auto_reach_logistic_regressions_accuracy(loader):
    X, y = loader(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        StandardScaler().fit_transform(X), y, stratify=y, random_state=0
    )
    reference = LogisticRegression(max_iter=1000).fit(X_train, y_train).score(X_test, y_test)
    auto = SoftmaxClassifier(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        auto.fit(X_train, y_train)
    assert auto.net_.optimizer_.param_groups[0]["kind"] == "lbfgs"  # small data
    assert auto.score(X_test, y_test) >= reference - 0.005
    adam = SoftmaxClassifier(optimizer="adam", random_state=0).fit(X_train, y_train)
    assert adam.net_.optimizer_.param_groups[0]["kind"] == "adam"
    assert adam.score(X_test, y_test) >= reference - 0.02


def test_auto_trains_large_wide_data_and_streams_with_adam():
    rng = np.random.RandomState(0)
    X = rng.rand(1_300, 800).astype(np.float32)  # 1,040,000 values, 1.6 rows per feature
    y = (X[:, 0] > 0.5).astype(int)
    clf = SoftmaxClassifier(max_epochs=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.net_.optimizer_.param_groups[0]["kind"] == "adam" and clf.net_.lr == 0.03
    small = SoftmaxClassifier(random_state=0).fit(X[:100, :10], y[:100])
    assert small.net_.optimizer_.param_groups[0]["kind"] == "lbfgs" and small.net_.lr == 1.0
    small.partial_fit(X[:100, :10], y[:100])  # a stream: Adam, from the L-BFGS weights
    assert small.net_.optimizer_.param_groups[0]["kind"] == "adam"


def test_larger_alpha_shrinks_coef_under_lbfgs(blobs):
    X, y = blobs
    norms = [
        np.linalg.norm(SoftmaxClassifier(optimizer="lbfgs", lr=1.0, alpha=a).fit(X, y).coef_)
        for a in (1e-3, 1e-2, 1e-1)
    ]
    assert norms[0] > norms[1] > norms[2]


# --------------------------------------------------- convergence, early stop


class RecordWeights(Callback):
    """Keep a copy of the weights at the end of every epoch."""

    def initialize(self):
        self.weights_ = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.weights_.append(net.module_.linear.weight.detach().clone().numpy())


def test_early_stopping_stops_and_restores_the_best_epoch(digits_split):
    X_train, _, y_train, _ = digits_split
    clf = SoftmaxClassifier(
        early_stopping=True,
        n_iter_no_change=3,
        lr_schedule="constant",
        tol=0.0,
        lr=0.5,
        optimizer="sgd",
        max_epochs=200,
        callbacks=[("record", RecordWeights())],
        random_state=0,
    ).fit(X_train, y_train)
    assert clf.n_iter_ < 200
    scores = clf.validation_scores_
    assert len(scores) == clf.n_iter_
    assert clf.best_validation_score_ == max(scores)
    assert clf.best_loss_ == min(clf.loss_curve_)
    best_epoch = int(np.argmax(scores))
    assert best_epoch == clf.n_iter_ - 1 - 3
    weights = dict(clf.net_.callbacks_)["record"].weights_
    np.testing.assert_array_equal(clf.coef_, weights[best_epoch])
    assert not np.array_equal(clf.coef_, weights[-1])
    # The held-out rows, as the net's splitter draws them again from its seed.
    dataset = ArrayDataset(X_train.astype(np.float32), y_train, device="cpu")
    _, valid = clf.net_.train_split(dataset, y_train)
    held_out = np.asarray(valid.indices)
    assert clf.score(X_train[held_out], y_train[held_out]) == pytest.approx(max(scores))


def test_early_stopping_holds_out_a_stratified_fraction(digits_split):
    X_train, _, y_train, _ = digits_split
    clf = SoftmaxClassifier(early_stopping=True, validation_fraction=0.2, max_epochs=2)
    clf.fit(X_train, y_train)
    epoch = clf.history_[0]
    n_train = sum(batch.get("train_batch_size", 0) for batch in epoch["batches"])
    n_valid = sum(batch.get("valid_batch_size", 0) for batch in epoch["batches"])
    assert n_train + n_valid == len(y_train)
    assert n_valid == pytest.approx(0.2 * len(y_train), abs=1)


def test_without_early_stopping_there_are_no_validation_scores(blobs):
    X, y = blobs
    clf = SoftmaxClassifier(max_epochs=2).fit(X, y)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None


def test_convergence_warning_names_the_budget(blobs):
    X, y = blobs
    with pytest.warns(ConvergenceWarning, match="max_epochs=2"):
        SoftmaxClassifier(max_epochs=2).fit(X, y)


# -------------------------------------------------- incremental training


def test_partial_fit_over_chunks_improves_the_score(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    clf = SoftmaxClassifier(lr=0.01, random_state=0)
    classes = np.unique(y_train)
    scores = []
    for epoch in range(8):
        for chunk in np.array_split(np.arange(len(y_train)), 4):
            clf.partial_fit(X_train[chunk], y_train[chunk], classes=classes if epoch == 0 else None)
        scores.append(clf.score(X_test, y_test))
    assert clf.n_iter_ == 32
    assert scores[-1] > scores[0] and scores[-1] > 0.9


class _FailOnBatch(Callback):
    """Raise ``error`` at the end of the ``batch``-th training batch."""

    def __init__(self, error, batch=2):
        self.error, self.batch = error, batch

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history[-1]["batches"]) == self.batch:
            raise self.error


def _diverging_chunk(clf, X, y):
    lr = clf.lr
    clf.set_params(lr=1e30)  # the first step's weights overflow the next logits
    try:
        with pytest.raises(DivergenceError):
            clf.partial_fit(X * 1e10, y)
    finally:
        clf.set_params(lr=lr)
    raise ValueError("diverged")


def _failing_callback(clf, X, y):
    clf.set_params(callbacks=[_FailOnBatch(RuntimeError("boom"))])
    try:
        clf.partial_fit(X, y)
    finally:
        clf.set_params(callbacks=None)


def _interrupted_chunk(clf, X, y):
    clf.set_params(callbacks=[_FailOnBatch(KeyboardInterrupt())])
    try:
        clf.partial_fit(X, y)
    finally:
        clf.set_params(callbacks=None)


@pytest.mark.parametrize("fail", [_diverging_chunk, _failing_callback, _interrupted_chunk])
def test_failed_partial_fit_leaves_the_stream_exactly_as_it_was(digits_split, fail):
    X_train, _, y_train, _ = digits_split
    chunks = np.array_split(np.arange(len(y_train)), 4)
    params = dict(lr=0.01, batch_size=64, random_state=0)

    def stream(failing_chunk=None):
        clf = SoftmaxClassifier(**params)
        for i, rows in enumerate(chunks):
            if i == failing_chunk:
                with pytest.raises((ValueError, RuntimeError, KeyboardInterrupt)):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", UserWarning)
                        fail(clf, X_train[rows], y_train[rows])
            clf.partial_fit(X_train[rows], y_train[rows], classes=np.arange(10))
        return clf

    clean, failed = stream(), stream(failing_chunk=2)
    np.testing.assert_array_equal(failed.coef_, clean.coef_)
    np.testing.assert_array_equal(failed.intercept_, clean.intercept_)
    assert failed.loss_curve_ == clean.loss_curve_
    for param, state in clean.net_.optimizer_.state.items():
        other = failed.net_.optimizer_.state[
            dict(failed.net_.module_.named_parameters())[
                {id(p): n for n, p in clean.net_.module_.named_parameters()}[id(param)]
            ]
        ]
        for key, value in state.items():
            assert torch.equal(torch.as_tensor(other[key]), torch.as_tensor(value)), key


def test_partial_fit_needs_classes_first_and_refuses_unseen_labels(blobs):
    X, y = blobs
    clf = SoftmaxClassifier()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"not in classes_"):
        clf.partial_fit(X, np.where(y == 2, 7, y))
    with pytest.raises(ValueError, match="is not the same as on last call to partial_fit"):
        clf.partial_fit(X, y, classes=[0, 1, 2, 3])
    assert clf.n_iter_ == 1


def test_partial_fit_refuses_balanced_class_weight(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="balanced"):
        SoftmaxClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])


def test_warm_start_continues_from_current_weights(blobs):
    X, y = blobs
    clf = SoftmaxClassifier(warm_start=True, max_epochs=3, tol=0.0, random_state=0)
    clf.fit(X, y)
    first = clf.loss_curve_
    clf.fit(X, y)
    assert clf.n_iter_ == 6
    assert clf.loss_curve_[:3] == first
    assert clf.loss_curve_[3] < first[0]
    cold = SoftmaxClassifier(warm_start=False, max_epochs=3, tol=0.0, random_state=0)
    assert cold.fit(X, y).fit(X, y).n_iter_ == 3


def test_warm_start_refuses_new_labels(blobs):
    X, y = blobs
    clf = SoftmaxClassifier(warm_start=True, max_epochs=2).fit(X, y)
    with pytest.raises(ValueError, match="not in classes_"):
        clf.fit(X, np.where(y == 0, 9, y))
    assert clf.n_iter_ == 2


# ------------------------------------------------------------- sparse


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_and_dense_fits_agree(blobs, fmt):
    X, y = blobs
    X = np.hstack([X, np.zeros((len(X), 3))])
    dense = SoftmaxClassifier(**FULL_BATCH).fit(X, y)
    sparse = SoftmaxClassifier(**FULL_BATCH).fit(sp.csr_matrix(X).asformat(fmt), y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), atol=1e-6
    )


def test_large_sparse_matrix_is_never_densified():
    n_samples, n_features = 20_000, 200_000
    rng = np.random.RandomState(0)
    nnz = int(n_samples * n_features * 5e-5)
    rows, cols = rng.randint(n_samples, size=nnz), rng.randint(n_features, size=nnz)
    values = rng.rand(nnz).astype(np.float32)
    X = sp.csr_matrix((values, (rows, cols)), shape=(n_samples, n_features))
    y = rng.randint(3, size=n_samples)
    dense_bytes = n_samples * n_features * 4
    tracemalloc.start()
    clf = SoftmaxClassifier(max_epochs=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    proba = clf.predict_proba(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert proba.shape == (n_samples, 3)
    assert peak < dense_bytes / 100


# ------------------------------------------------------ progress, callbacks


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_verbose_shows_the_progress_bar_on_a_terminal_only(blobs, capsys, monkeypatch):
    X, y = blobs
    SoftmaxClassifier(verbose=1, max_epochs=2).fit(X, y)
    captured = capsys.readouterr()
    assert "train_loss" in captured.out and "dur" in captured.out
    assert captured.err == ""  # captured output is no terminal: no bar fragments
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    clf = SoftmaxClassifier(verbose=1, max_epochs=2).fit(X, y)
    assert "it/s" in terminal.getvalue() or "batches" in terminal.getvalue()
    assert dict(clf.net_.callbacks_)["progress_bar"].pbar_.disable  # closed


def test_standard_skorch_callbacks_pass_through(tmp_path, blobs):
    X, y = blobs
    callbacks = [
        EpochScoring("accuracy", on_train=True, name="train_acc"),
        ("lr_schedule", LRScheduler(policy="StepLR", step_size=1, gamma=0.5)),
        Checkpoint(monitor="train_loss_best", dirname=str(tmp_path), load_best=False),
    ]
    clf = SoftmaxClassifier(callbacks=callbacks, lr=0.1, optimizer="sgd", max_epochs=3).fit(X, y)
    assert "train_acc" in clf.history_[-1]
    assert clf.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5**3)
    assert (tmp_path / "params.pt").exists()


def test_partial_fit_after_early_stopping_trains_on_every_row(iris):
    X, y = iris
    clf = SoftmaxClassifier(early_stopping=True, max_epochs=3, random_state=0).fit(X, y)
    clf.partial_fit(X, y)
    last = clf.history_[-1]
    assert sum(batch.get("train_batch_size", 0) for batch in last["batches"]) == len(y)
    assert "valid_acc" not in last
    clf.partial_fit(X[[0, 50, 100]], y[[0, 50, 100]])
    assert clf.n_iter_ == 5
    assert len(clf.validation_scores_) == 5 and np.isnan(clf.validation_scores_[-1])


def test_partial_fit_uses_the_current_parameters(iris):
    X, y = iris
    clf = SoftmaxClassifier(lr=0.01, batch_size=1000, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    clf.set_params(lr=0.5, alpha=0.1)
    clf.partial_fit(X, y)
    assert clf.net_.lr == 0.5 and clf.net_.recipe.models[0].alpha == 0.1
    assert clf.net_.optimizer_.param_groups[0]["lr"] == 0.5
    # Adam's moments carried over from the first call.
    assert all(state["step"] == 2 * 1 for state in clf.net_.optimizer_.state.values())


def test_partial_fit_takes_weights_as_they_are(iris):
    X, y = iris
    params = dict(optimizer="sgd", lr=0.01, init_std=0.0, random_state=0)
    plain = SoftmaxClassifier(**params).partial_fit(X, y, classes=[0, 1, 2])
    heavy = SoftmaxClassifier(**params).partial_fit(
        X, y, classes=[0, 1, 2], sample_weight=np.full(len(y), 10.0)
    )
    assert np.linalg.norm(heavy.coef_) > 5 * np.linalg.norm(plain.coef_)


def test_lbfgs_given_as_a_class_also_trains_full_batch(blobs):
    X, y = blobs
    clf = SoftmaxClassifier(optimizer=torch.optim.LBFGS, lr=1.0, batch_size=16, max_epochs=2)
    assert clf.fit(X, y).history_[-1, "train_batch_count"] == 1


def test_interrupted_training_is_not_reported_as_unconverged(blobs):
    X, y = blobs

    class Stop(Callback):
        def on_epoch_end(self, net, **kwargs):
            if len(net.history) == 2:
                raise KeyboardInterrupt

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = SoftmaxClassifier(callbacks=[Stop()], random_state=0).fit(X, y)
    assert clf.n_iter_ == 2


def test_reserved_callback_names_are_refused(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="'print_log' is taken"):
        SoftmaxClassifier(callbacks=[("print_log", EpochScoring("accuracy"))]).fit(X, y)


# ------------------------------------------------------- automatic values


def test_auto_alpha_is_logistic_regressions_objective(iris, objective):
    X, y = iris
    X = StandardScaler().fit_transform(X)
    ours = SoftmaxClassifier(optimizer="lbfgs", tol=1e-7, max_epochs=500, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X, y)
    reference = LogisticRegression(tol=1e-8, max_iter=10_000).fit(X, y)
    assert ours.net_.recipe.models[0].alpha == 1 / len(y)
    # The same objective: LogisticRegression's optimum is ours, in float64.
    best = objective(reference.coef_, reference.intercept_, X, y, 1 / len(y))
    reached = objective(ours.coef_, ours.intercept_, X, y, 1 / len(y))
    assert best <= reached <= best * (1 + 1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=5e-3)


def test_auto_alpha_counts_weighted_rows_in_fit_and_all_rows_in_partial_fit(iris):
    X, y = iris
    clf = SoftmaxClassifier(max_epochs=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y, sample_weight=np.where(y == 0, 3.0, 1.0))

    def alpha(model):
        return model.net_.recipe.models[0].alpha

    assert clf.n_samples_seen_ == pytest.approx(250) and alpha(clf) == pytest.approx(1 / 250)
    clf.partial_fit(X[:30], y[:30])
    assert clf.n_samples_seen_ == pytest.approx(280) and alpha(clf) == pytest.approx(1 / 280)
    fresh = SoftmaxClassifier().partial_fit(X[:30], y[:30], classes=[0, 1, 2])
    assert fresh.n_samples_seen_ == 30 and alpha(fresh) == 1 / 30
