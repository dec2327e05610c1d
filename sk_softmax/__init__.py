"""Softmax regression as a scikit-learn classifier, trained in PyTorch through skorch."""

from ._estimator import SoftmaxClassifier
from ._persistence import dump, load
from ._version import __version__
from .exceptions import DivergenceError, MaxEpochsWarning
from .search import SoftmaxHalvingSearchCV, SoftmaxRandomizedSearchCV, SoftmaxSearchCV

__all__ = [
    "DivergenceError",
    "MaxEpochsWarning",
    "SoftmaxClassifier",
    "SoftmaxHalvingSearchCV",
    "SoftmaxRandomizedSearchCV",
    "SoftmaxRegression",
    "SoftmaxSearchCV",
    "TensorBatchIterator",
    "__version__",
    "dump",
    "load",
]

# torch and skorch are imported when a model first trains, or when one of
# these torch building blocks is first asked for (as scikit-learn defers its
# heavy imports): importing sk_softmax, or loading a model and predicting
# with it, needs neither.
_TORCH_BUILDING_BLOCKS = {"SoftmaxRegression": "._module", "TensorBatchIterator": "._batches"}


def __getattr__(name):
    if name in _TORCH_BUILDING_BLOCKS:
        from importlib import import_module

        return getattr(import_module(_TORCH_BUILDING_BLOCKS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_TORCH_BUILDING_BLOCKS))
