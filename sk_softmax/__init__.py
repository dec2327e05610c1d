"""Softmax regression as a scikit-learn classifier, trained in PyTorch through skorch."""

from ._batches import TensorBatchIterator
from ._estimator import SoftmaxClassifier
from ._module import SoftmaxRegression
from ._persistence import dump, load
from ._version import __version__
from .exceptions import DivergenceError
from .search import SoftmaxSearchCV

__all__ = [
    "DivergenceError",
    "SoftmaxClassifier",
    "SoftmaxRegression",
    "SoftmaxSearchCV",
    "TensorBatchIterator",
    "__version__",
    "dump",
    "load",
]
