"""Building and driving the skorch net: batch sizes, splits, callbacks, carrying training over."""

import copy
import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import EpochScoring

from sk_softmax import SoftmaxClassifier
from sk_softmax._batches import ArrayDataset
from sk_softmax._optim import SoftmaxOptimizer
from sk_softmax._recipe import DataSize, auto_batch_size, data_size, recipe
from sk_softmax._training import build_net, stop_reason, train, warn_if_not_converged


def params(**changes):
    return {**SoftmaxClassifier(random_state=0).get_params(deep=False), **changes}


def net_for(X, y, incremental=False, size=None, n_samples_seen=None, **changes):
    p = params(**changes)
    size = size or data_size(X, 3)
    fit = recipe(p, [p], size, [n_samples_seen or len(y)], incremental=incremental)
    return build_net(p, fit, size.n_features, size.n_classes, "cpu")


def previous(net):
    linear = net.module_.linear
    weights = linear.weight.detach().numpy().copy(), linear.bias.detach().numpy().copy()
    return (*weights, list(net.history), net)


@pytest.fixture
def data(blobs):
    X, y = blobs
    return ArrayDataset(X.astype(np.float32), y, device="cpu"), X, y


def test_batch_size_is_clipped_in_the_net_only(data):
    _, X, y = data
    p = params(batch_size=1000, optimizer="adam")
    net = net_for(X, y, **p)
    assert net.batch_size == len(y) and p["batch_size"] == 1000
    assert net_for(X, y, optimizer="lbfgs", batch_size=8).batch_size == len(y)
    assert net_for(X, y, optimizer="adam", batch_size=8).batch_size == 8


def test_only_fit_with_early_stopping_holds_out_data(data):
    _, X, y = data
    assert net_for(X, y).train_split is None
    assert net_for(X, y, early_stopping=True).train_split is not None
    assert net_for(X, y, incremental=True, early_stopping=True).train_split is None


def test_skorch_default_callback_names_are_reserved(data):
    _, X, y = data
    names = ("epoch_timer", "train_loss", "valid_acc", "print_log", "progress_bar")
    for name in names:
        with pytest.raises(ValueError, match=f"'{name}' is taken"):
            net_for(X, y, callbacks=[(name, EpochScoring("accuracy"))])
    with pytest.raises(ValueError, match="skorch callbacks"):
        net_for(X, y, callbacks=["not a callback"])


def test_user_callbacks_are_copied(data):
    _, X, y = data
    scoring = EpochScoring("accuracy", name="acc")
    net = net_for(X, y, callbacks=[scoring])
    assert all(cb is not scoring for cb in net.callbacks if not isinstance(cb, tuple))


def test_going_on_leaves_the_previous_net_untouched(data):
    dataset, X, y = data
    first = net_for(X, y, optimizer="adam", batch_size=1000)
    train(first, dataset, y, epochs=2)
    weights = first.module_.linear.weight.detach().clone()
    state = copy.deepcopy(first.optimizer_.state_dict()["state"][0])
    second = net_for(X, y, optimizer="adam", batch_size=1000)
    assert train(second, dataset, y, previous=previous(first), epochs=3) == 3
    assert len(second.history) == 5
    assert torch.equal(first.module_.linear.weight, weights)
    for key, value in first.optimizer_.state_dict()["state"][0].items():
        assert torch.equal(torch.as_tensor(value), torch.as_tensor(state[key]))
    # partial_fit (epochs given) carries Adam's moments over; a warm start does not.
    assert second.optimizer_.state_dict()["state"][0]["step"] == 2 + 3  # one batch an epoch
    third = net_for(X, y, optimizer="adam", batch_size=1000)
    train(third, dataset, y, previous=previous(first))
    assert third.optimizer_.state_dict()["state"][0]["step"] == len(third.history) - 2


def test_stop_reasons_and_the_convergence_warning(data):
    dataset, X, y = data
    p = params(max_epochs=3, optimizer="adam")
    net = net_for(X, y, max_epochs=3, optimizer="adam")
    train(net, dataset, y)
    with pytest.warns(ConvergenceWarning, match="max_epochs=3"):
        warn_if_not_converged(net, p)
    assert stop_reason(net, p, 3) == (
        "Training stopped after epoch 3: max_epochs=3 epochs ran out (3 in this call)."
    )
    # No epoch can beat the first one's loss by 1000 %: plateaus from there on.
    p = params(tol=10.0, n_iter_no_change=2, lr_schedule="constant", optimizer="adam")
    net = net_for(X, y, **p)
    epochs = train(net, dataset, y)
    assert epochs == 3  # the first epoch sets the best loss; two more fail to beat it
    assert stop_reason(net, p, epochs).startswith(
        "Training stopped after epoch 3: train_loss did not improve by a relative tol=10.0 "
        "for n_iter_no_change=2 epochs (best: epoch "
    )
    p = params(tol=10.0, n_iter_no_change=2, lr_schedule="adaptive", optimizer="adam")
    net = net_for(X, y, **p)
    epochs = train(net, dataset, y)
    assert epochs == 7  # two plateaus lower lr, the third one stops
    assert net.history[:, "lr"] == pytest.approx([0.03] * 3 + [0.003] * 2 + [0.0003] * 2)
    reason = stop_reason(net, p, epochs)
    assert "epochs (lr divided by 10 after epoch(s) [3, 5]; best: epoch" in reason
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_if_not_converged(net, p)


def test_lbfgs_evaluates_the_full_batch_once_an_epoch_and_ends_on_its_own_test(data):
    dataset, X, y = data
    p = params(n_iter_no_change=1, lr_schedule="adaptive")
    net = net_for(X, y, **p)  # small data, lr="auto": L-BFGS
    assert net.initialize().optimizer_.param_groups[0]["kind"] == "lbfgs"
    epochs = train(net, dataset, y)
    assert epochs > 3  # not the plateau rule (patience 1): L-BFGS's own tests
    assert net.history[:, "train_batch_count"] == [1] * epochs
    assert net.history[:, "lr"] == [1.0] * epochs
    reason = stop_reason(net, p, epochs)
    assert reason.startswith(f"Training stopped after epoch {epochs}: L-BFGS converged (")


@pytest.mark.parametrize(
    ("n_samples", "expected"),
    # n / 8 below 1,024 rows, 4 * sqrt(n) above, within [16, 4096].
    [(10, 16), (112, 16), (400, 50), (1_347, 147), (60_000, 980), (150_000, 1549), (10**7, 4096)],
)
def test_auto_batch_size(n_samples, expected):
    assert auto_batch_size(n_samples) == expected


def test_auto_values_are_resolved_in_the_net_only(data):
    _, X, y = data
    p = params()
    size = DataSize(150, X.shape[1], 3, 150 * X.shape[1])
    net = net_for(X, y, incremental=True, size=size, n_samples_seen=600)
    assert net.batch_size == auto_batch_size(150) and net.recipe.models[0].alpha == 1 / 600
    assert net.optimizer is SoftmaxOptimizer and net.optimizer__kind == "adam"
    assert p["batch_size"] == "auto" and p["alpha"] == "auto" and p["lr"] == "auto"
