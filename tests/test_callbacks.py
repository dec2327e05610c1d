"""The divergence checks: a non-finite batch loss, non-finite weights after training."""

import numpy as np
import pytest
import torch

from sk_softmax import DivergenceError, SoftmaxClassifier
from sk_softmax._callbacks import check_finite_weights


def test_a_non_finite_batch_loss_stops_training_at_once(blobs):
    X, y = blobs
    clf = SoftmaxClassifier(lr=1e30, optimizer="sgd", batch_size=10, random_state=0)
    with pytest.raises(DivergenceError, match=r"training loss became (nan|inf) in epoch 1"):
        clf.fit(X * 1e10, y)


def test_non_finite_weights_are_a_divergence(blobs):
    X, y = blobs
    net = SoftmaxClassifier(max_epochs=1, optimizer="adam", random_state=0).fit(X, y).net_
    check_finite_weights(net)  # finite: nothing happens
    with torch.no_grad():
        net.module_.linear.bias[1] = np.inf
    with pytest.raises(DivergenceError, match="linear.bias infinite or NaN.*lr=0.03"):
        check_finite_weights(net)
