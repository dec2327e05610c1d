"""What a fit refuses, with a message that says what to do."""

import numpy as np
import pytest

from sk_softmax import SoftmaxClassifier
from sk_softmax._checks import (
    TorchDevice,
    check_object_labels,
    check_partial_fit,
    check_validation_split,
    encode,
)


def test_object_labels_must_be_strings_of_one_type():
    check_object_labels(np.array(["a", "b"], dtype=object))
    with pytest.raises(ValueError, match="mixes string and non-string"):
        check_object_labels(np.array(["a", 1], dtype=object))
    with pytest.raises(ValueError, match="Unknown label type"):
        check_object_labels(np.array([1.5, None], dtype=object))


def test_labels_are_encoded_by_the_known_classes_only():
    np.testing.assert_array_equal(encode(np.array([3, 7]), np.array([3, 7, 9])), [0, 1])
    with pytest.raises(ValueError, match=r"not in classes_=\[3, 7\]: \[5\]"):
        encode(np.array([5]), np.array([3, 7]))


def test_partial_fit_needs_classes_and_a_minibatch_optimizer():
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        check_partial_fit(SoftmaxClassifier(), None)
    with pytest.raises(ValueError, match="compute_class_weight"):
        check_partial_fit(SoftmaxClassifier(class_weight="balanced"), [0, 1])
    with pytest.raises(ValueError, match="a line search cannot span chunks"):
        check_partial_fit(SoftmaxClassifier(optimizer="lbfgs"), [0, 1])


def test_early_stopping_needs_every_class_on_both_sides():
    check_validation_split(0.5, np.array([0, 0, 1, 1]), 2)
    with pytest.raises(ValueError, match="the smallest class has 1"):
        check_validation_split(0.5, np.array([0, 0, 0, 1]), 2)


def test_a_torch_device_is_recognised_without_importing_torch():
    import torch

    assert isinstance(torch.device("cpu"), TorchDevice) and not isinstance("cpu", TorchDevice)
