"""Softmax regression as a scikit-learn classifier, trained in PyTorch through skorch."""

from ._estimator import SoftmaxClassifier
from ._iterator import TensorBatchIterator
from ._module import SoftmaxRegression
from ._persistence import dump, load
from .exceptions import DivergenceError

__version__ = "0.1.0"

__all__ = [
    "DivergenceError",
    "SoftmaxClassifier",
    "SoftmaxRegression",
    "TensorBatchIterator",
    "__version__",
    "dump",
    "load",
]
