"""The stopping rule and learning-rate schedule, driven by a scripted loss curve."""

import numpy as np
import pytest
import torch
from skorch.history import History

from sk_softmax._convergence import LR_FACTOR, Convergence


class ScriptedNet:
    """Just what Convergence reads and writes: a history, an optimizer, a module."""

    def __init__(self, lr=1.0):
        self.history = History()
        self.module_ = torch.nn.Linear(2, 2)
        self.optimizer_ = torch.optim.SGD(self.module_.parameters(), lr=lr)


def run(callback, scores, monitor="train_loss"):
    """Feed ``scores`` one epoch at a time; return the epochs run before the stop."""
    net = ScriptedNet()
    callback.on_train_begin(net)
    for epoch, score in enumerate(scores, start=1):
        net.history.new_epoch()
        callback.on_epoch_begin(net)
        net.history.record(monitor, score)
        with torch.no_grad():
            net.module_.weight.fill_(epoch)
        try:
            callback.on_epoch_end(net)
        except KeyboardInterrupt:
            break
    callback.on_train_end(net)
    return net


def rule(**changes):
    settings = dict(lower_is_better=True, tol=0.01, patience=2, lr_drops=0)
    return Convergence("train_loss", **{**settings, **changes})


def test_improvement_is_relative_to_the_best_loss():
    # 1 % of the best loss counts, whatever its scale: 1000 -> 995 is no improvement.
    for scale in (1e-3, 1.0, 1e3):
        net = run(rule(), np.array([1.0, 0.98, 0.995, 0.975, 0.9, 0.8]) * scale)
        assert len(net.history) == 4  # 0.995 and 0.975 do not beat 0.98 by 1 %


def test_a_small_gain_moves_the_best_but_does_not_reset_the_count():
    callback = rule()
    net = run(callback, [1.0, 0.999, 0.998, 0.5])
    assert len(net.history) == 3
    assert callback.best_score_ == 0.998 and callback.best_epoch_ == 3


def test_plateaus_lower_the_learning_rate_before_one_stops_training():
    callback = rule(lr_drops=2)
    net = run(callback, [1.0] * 20)
    assert callback.lr_dropped_at_ == [3, 5]
    assert len(net.history) == 7
    assert net.history[:, "lr"] == pytest.approx([1.0] * 3 + [1 / LR_FACTOR] * 2 + [0.01] * 2)
    assert net.optimizer_.param_groups[0]["lr"] == pytest.approx(1 / LR_FACTOR**2)


def test_an_improvement_restarts_the_count():
    net = run(rule(), [1.0, 1.0, 0.9, 0.9, 0.8, 0.8, 0.8, 0.1])
    assert len(net.history) == 7


def test_accuracy_is_higher_is_better_and_best_weights_come_back():
    callback = Convergence(
        "valid_acc", lower_is_better=False, tol=0.0, patience=2, lr_drops=0, load_best=True
    )
    net = run(callback, [0.5, 0.7, 0.6, 0.7], monitor="valid_acc")
    assert len(net.history) == 4 and callback.best_epoch_ == 2
    assert torch.all(net.module_.weight == 2)  # epoch 2's weights, restored


def test_each_fit_starts_afresh():
    callback = rule(lr_drops=1)
    run(callback, [1.0] * 10)
    net = run(callback, [1.0, 0.5, 0.25])
    assert callback.lr_dropped_at_ == [] and len(net.history) == 3
