"""How training ends: a callback's stop at an epoch's end, an interrupt in mid-epoch."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

from sk_softmax import SoftmaxClassifier


class _InterruptAt(Callback):
    """Raise ``KeyboardInterrupt`` in ``epoch``: after ``batch`` batches, or at its end."""

    def __init__(self, epoch, batch=None):
        self.epoch, self.batch = epoch, batch

    def on_batch_end(self, net, training=False, **kwargs):
        batches = len(net.history[-1]["batches"])
        if training and len(net.history) == self.epoch and batches == self.batch:
            raise KeyboardInterrupt

    def on_epoch_end(self, net, **kwargs):
        if self.batch is None and len(net.history) == self.epoch:
            raise KeyboardInterrupt


PARAMS = dict(lr=0.05, batch_size=16, max_epochs=20, optimizer="adam", random_state=0)


def test_a_callback_stop_at_an_epoch_end_keeps_a_consistent_model(blobs, capsys):
    X, y = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = SoftmaxClassifier(callbacks=[("stop", _InterruptAt(3))], verbose=1, **PARAMS)
        clf.fit(X, y)
    assert clf.n_iter_ == len(clf.loss_curve_) == 3
    assert clf.best_loss_ == min(clf.loss_curve_)
    out = capsys.readouterr().out
    assert "Training stopped after epoch 3: the callback 'stop' ended training." in out


@pytest.mark.parametrize("warm", [False, True])
def test_an_interrupt_in_mid_epoch_propagates_and_changes_nothing(blobs, warm):
    X, y = blobs
    clf = SoftmaxClassifier(warm_start=warm, **PARAMS)
    if warm:
        clf.fit(X, y)
    before = dict(vars(clf))
    coef = clf.coef_.copy() if warm else None
    epoch = 22 if warm else 2  # a warm start goes on counting the epochs
    clf.set_params(callbacks=[_InterruptAt(epoch=epoch, batch=3)])
    with pytest.warns(UserWarning, match=f"interrupted in epoch {epoch}, after 3 training batch"):
        with pytest.raises(KeyboardInterrupt):
            clf.fit(X, y)
    after = dict(vars(clf))
    after.pop("callbacks"), before.pop("callbacks")
    assert after.keys() == before.keys()
    assert all(after[key] is value for key, value in before.items())
    if warm:
        np.testing.assert_array_equal(clf.coef_, coef)
        assert clf.n_iter_ == len(clf.loss_curve_) == 20


def test_an_interrupt_is_not_a_convergence_failure(blobs):
    X, y = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = SoftmaxClassifier(callbacks=[_InterruptAt(2)], **PARAMS).fit(X, y)
    assert clf.n_iter_ == 2


def _nets(X, y, **kwargs):
    """A SoftmaxNet and a stock skorch NeuralNetClassifier, configured alike: SGD at a
    constant lr, no penalty, four epochs."""
    import torch
    from skorch import NeuralNetClassifier

    from sk_softmax import SoftmaxRegression, TensorBatchIterator
    from sk_softmax._net import SoftmaxNet
    from sk_softmax._optim import SoftmaxOptimizer
    from sk_softmax._recipe import data_size, recipe

    params = SoftmaxClassifier(
        optimizer="sgd", lr=0.05, alpha=0.0, max_epochs=4, batch_size=16, n_iter_no_change=100
    ).get_params()
    common = dict(
        module=SoftmaxRegression,
        module__n_features=X.shape[1],
        module__n_classes=3,
        module__random_state=0,
        criterion=torch.nn.CrossEntropyLoss,
        lr=0.05,
        max_epochs=4,
        batch_size=16,
        iterator_train=TensorBatchIterator,
        iterator_train__shuffle=True,
        train_split=None,
        verbose=0,
        **kwargs,
    )
    generator = lambda: torch.Generator().manual_seed(0)  # noqa: E731
    ours = SoftmaxNet(
        **common,
        optimizer=SoftmaxOptimizer,
        optimizer__kind="sgd",
        recipe=recipe(params, [params], data_size(X, 3), [len(y)]),
        iterator_train__generator=generator(),
    )
    stock = NeuralNetClassifier(
        **common, optimizer=torch.optim.SGD, iterator_train__generator=generator()
    )
    return ours, stock


class _ClosureSGD(torch.optim.SGD):
    """An optimizer from outside torch.optim whose ``step`` insists on a closure."""

    def step(self, closure):
        return super().step(closure)


def test_an_optimizer_that_needs_a_closure_gets_one(blobs):
    X, y = blobs
    clf = SoftmaxClassifier(optimizer=_ClosureSGD, lr=0.1, max_epochs=3, random_state=0)
    assert clf.fit(X, y).n_iter_ == 3


def test_an_interrupt_still_propagates_where_warnings_are_errors(blobs):
    X, y = blobs
    clf = SoftmaxClassifier(callbacks=[_InterruptAt(epoch=1, batch=2)], **PARAMS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(KeyboardInterrupt):
            clf.fit(X, y)
    assert not hasattr(clf, "net_")


class _GradNorms(Callback):
    """Listens to ``on_grad_computed``, which makes the net build skorch's closure."""

    def on_grad_computed(self, net, named_parameters, **kwargs):
        self.calls_ = getattr(self, "calls_", 0) + 1


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"callbacks": "disable"},
        {"callbacks": [_GradNorms()]},  # one instance in both nets: it counts both
        {"optimizer__momentum": 0.9},
    ],
    ids=["defaults", "callbacks-disabled", "grad-listener", "momentum"],
)
def test_a_fit_trains_the_same_weights_as_stock_skorch(blobs, config):
    import torch

    from sk_softmax._batches import ArrayDataset

    X, y = blobs
    dataset = ArrayDataset(X.astype(np.float32), y, device="cpu")
    ours, stock = _nets(X, y, **config)
    ours.fit(dataset, y)
    stock.fit(dataset, y)
    # The same loss and gradient; ours sums them in fixed chunks (sk_softmax._kernel),
    # autograd in whatever order BLAS takes, so the last float32 bits may differ.
    for a, b in zip(ours.module_.parameters(), stock.module_.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    if config.get("callbacks") != "disable":
        np.testing.assert_allclose(
            ours.history[:, "train_loss"], stock.history[:, "train_loss"], rtol=1e-5
        )
    if "callbacks" in config and config["callbacks"] != "disable":
        assert dict(ours.callbacks_)["_GradNorms"].calls_ == 2 * 4 * 10  # 2 nets, 4 epochs
