"""Stacked runs: a model in a stack learns what a separate fit on its rows learns."""

import numpy as np
import pytest
import scipy.sparse as sp

from sk_softmax import SoftmaxClassifier
from sk_softmax._recipe import data_size
from sk_softmax.search._candidates import stackable
from sk_softmax.search._stacked import train_stacked


def stack(X, y, settings, rows, checkpoints, sample_weight=None):
    base = SoftmaxClassifier(optimizer="adam", random_state=0).get_params()
    settings = [{**base, "max_epochs": checkpoints[-1], **setting} for setting in settings]
    models, seconds = train_stacked(
        X.astype(np.float32),
        y,
        np.arange(3),
        sample_weight,
        rows,
        settings,
        settings[0],
        checkpoints,
    )
    assert seconds > 0
    return models


@pytest.mark.parametrize(
    "setting",
    [
        dict(lr=0.05),
        dict(lr=0.05, optimizer="sgd", momentum=0.9, alpha=0.01),
        dict(lr=0.05, class_weight="balanced", batch_size=32),
    ],
)
def test_a_model_alone_is_its_separate_fit_bit_for_bit(blobs, setting):
    # The same seeds, batch size, row order, kernel and optimizer update: a model
    # alone in a run is the separate fit on its rows (repeats count, as in X[rows]).
    X, y = blobs
    weights = np.linspace(0.5, 2.0, len(y))
    rows = np.random.RandomState(0).choice(len(y), 200)
    [model] = stack(X, y, [setting], rows, [7], sample_weight=weights)
    fit = SoftmaxClassifier(**{"optimizer": "adam", "random_state": 0, "max_epochs": 7, **setting})
    fit.fit(X[rows], y[rows], sample_weight=weights[rows])
    coef, intercept, history = model.at(7)
    np.testing.assert_array_equal(coef, fit.coef_)
    np.testing.assert_array_equal(intercept, fit.intercept_)
    assert [e["train_loss"] for e in history] == fit.loss_curve_
    assert model.n_samples_seen == pytest.approx(fit.n_samples_seen_)


def test_models_with_their_own_settings_each_match_their_separate_fit(blobs):
    # One stack, four settings on the same rows: own learning rates, penalty,
    # stopping (the third stops after epoch 2 and leaves the stack) and lr drops.
    # Side by side, only the width of the products differs from a separate fit.
    X, y = blobs
    settings = [
        dict(lr=0.05),
        dict(lr=0.2, alpha=0.01),
        dict(lr=0.05, tol=10.0, n_iter_no_change=1, lr_schedule="constant"),
        dict(lr=0.1, tol=0.05, n_iter_no_change=1),
    ]
    models = stack(X, y, settings, np.arange(len(y)), [3, 8])
    for setting, model in zip(settings, models, strict=True):
        for epochs in (3, 8):
            fit = SoftmaxClassifier(
                optimizer="adam", random_state=0, max_epochs=epochs, **setting
            ).fit(X, y)
            coef, intercept, history = model.at(epochs)
            np.testing.assert_allclose(coef, fit.coef_, rtol=1e-4, atol=1e-5)
            np.testing.assert_allclose(intercept, fit.intercept_, rtol=1e-4, atol=1e-5)
            assert [e["lr"] for e in history] == list(fit.history_[:, "lr"])
    assert models[2].stopped_at == 2
    assert min(e["lr"] for e in models[3].history) < 0.1  # it did lower its lr


def test_checkpoints_hold_the_weights_of_each_epoch_count(blobs):
    X, y = blobs
    setting = dict(lr=0.05, tol=0.0, n_iter_no_change=100)
    [model] = stack(X, y, [setting], np.arange(150), [2, 5])
    for epochs in (2, 5):
        fit = SoftmaxClassifier(optimizer="adam", random_state=0, max_epochs=epochs, **setting).fit(
            X, y
        )
        coef, _, history = model.at(epochs)
        np.testing.assert_array_equal(coef, fit.coef_)
        assert len(history) == epochs


def test_a_model_stops_and_stays_as_its_separate_fit_would(blobs):
    X, y = blobs
    setting = dict(lr=0.05, tol=10.0, n_iter_no_change=1, lr_schedule="constant")
    [model] = stack(X, y, [setting], np.arange(150), [3, 10])
    fit = SoftmaxClassifier(optimizer="adam", random_state=0, max_epochs=10, **setting).fit(X, y)
    assert model.stopped_at == fit.n_iter_ == 2
    coef, _, history = model.at(10)
    np.testing.assert_array_equal(coef, fit.coef_)
    assert len(history) == 2


def test_sparse_rows_stack_too(blobs):
    # Two settings (one stops after epoch 2 and leaves), two training sets: the
    # same models from a CSR matrix as from the dense array.
    X, y = blobs
    settings = [dict(lr=0.05), dict(lr=0.05, tol=10.0, n_iter_no_change=1, lr_schedule="constant")]
    for rows in (np.arange(0, 150, 2), np.arange(150)):
        dense = stack(X, y, settings, rows, [3, 6])
        sparse = stack(sp.csr_matrix(X), y, settings, rows, [3, 6])
        for a, b in zip(dense, sparse, strict=True):
            assert a.stopped_at == b.stopped_at
            for epochs in (3, 6):
                np.testing.assert_allclose(a.at(epochs)[0], b.at(epochs)[0], rtol=1e-4, atol=1e-5)
        assert dense[1].stopped_at == 2


def test_a_diverging_model_is_marked_and_the_others_go_on(blobs):
    X, y = blobs
    settings = [dict(lr=1e30, optimizer="sgd"), dict(lr=1e-3)]
    models = stack(X * 1e20, y, settings, np.arange(150), [3])
    assert models[0].diverged
    assert not models[1].diverged and np.isfinite(models[1].at(3)[0]).all()


def test_what_cannot_stack():
    base = SoftmaxClassifier(optimizer="adam").get_params()
    sizes = [data_size(np.zeros((150, 4)), 3)]
    assert stackable(base, sizes) and stackable({**base, "optimizer": "sgd"}, sizes)
    assert not stackable({**base, "optimizer": "lbfgs"}, sizes)
    assert not stackable({**base, "early_stopping": True}, sizes)
    assert not stackable({**base, "callbacks": [object()]}, sizes)


def test_a_model_leaves_the_stack_at_its_own_max_epochs(blobs):
    X, y = blobs
    settings = [dict(lr=0.05, max_epochs=2, tol=0.0), dict(lr=0.1, max_epochs=6, tol=0.0)]
    short, long = stack(X, y, settings, np.arange(len(y)), [2, 6])
    assert len(short.history) == 2 and short.stopped_at is None and set(short.weights) == {2}
    assert len(long.history) == 6 and set(long.weights) == {2, 6}
