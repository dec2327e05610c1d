"""How training ends: a callback's stop at an epoch's end, an interrupt in mid-epoch."""

import warnings

import numpy as np
import pytest
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


PARAMS = dict(lr=0.05, batch_size=16, max_epochs=20, random_state=0)


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
    with pytest.warns(UserWarning, match=f"interrupted in epoch {epoch}, after 3 batch"):
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
