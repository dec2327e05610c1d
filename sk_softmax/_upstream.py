"""Every private name of scikit-learn, skorch and skl2onnx that this package uses, and why.

A private name can change in any release; keeping them here makes the list
short and visible, and a new release's breakage a one-module fix. Each is
used only where no public name does the job.

scikit-learn
    ``BaseSearchCV`` (``sklearn.model_selection._search``)
        The base of GridSearchCV, RandomizedSearchCV and the halving searches:
        their arguments, ``cv_results_``, ``best_*`` attributes, refit and
        methods. scikit-learn documents subclassing it (``_run_search``) but
        exports it from no public module.
    ``_fit_context`` (``sklearn.base``)
        The decorator scikit-learn's own estimators put on ``fit`` and
        ``partial_fit``: parameter validation once per call, and the
        configuration those calls run under.
    ``Interval``, ``StrOptions``, ``validate_params`` (``sklearn.utils._param_validation``)
        The constraint types of ``_parameter_constraints``, which scikit-learn's
        parameter validation reads; no public module has them.
    ``_check_partial_fit_first_call`` (``sklearn.utils.multiclass``)
        ``classes`` on the first ``partial_fit`` call and its checks later, as
        SGDClassifier and the naive Bayes models do.
    ``_safe_indexing`` (``sklearn.utils``)
        Rows of an array, sparse matrix or DataFrame, as scikit-learn's own
        searches take a split's rows (documented in scikit-learn's API
        reference despite its name).
    ``_check_sample_weight`` (``sklearn.utils.validation``)
        ``sample_weight`` validated and converted as every scikit-learn
        estimator does (length, finiteness, non-negativity).

skorch (methods of ``NeuralNet`` that ``SoftmaxNet`` overrides or calls)
    ``_set_training``, ``_zero_grad_optimizer``, ``_optimizers``
        A training step written out (``SoftmaxNet.train_step``) has to do what
        skorch's own step does between its public hooks: set the training
        mode, zero the gradients, and step each registered optimizer.

torch
    ``__wrapped__`` and ``__dynamo_disable`` of ``torch.optim.Optimizer``'s
    ``add_param_group``, ``state_dict``, ``load_state_dict`` and ``zero_grad``
        torch wraps these so that ``torch.compile`` never traces into them;
        the wrapper imports ``torch._dynamo`` (about a second) on its first
        call, and keeps what it built under ``__dynamo_disable``. Where
        nothing has imported ``torch._dynamo``, nothing is being compiled:
        :func:`optimizers_without_dynamo` gives the wrappers the plain method
        for the duration of a fit, and takes it back after (no public switch
        exists). L-BFGS then steps without it; Adam's and SGD's ``step``
        import it on their first call whatever the wrappers hold.

skl2onnx (imported only by :mod:`sk_softmax.onnx`, the optional extra)
    ``_parse_sklearn_classifier`` (``skl2onnx._parse``)
        The parser skl2onnx registers for its own classifiers (the label and
        probability outputs); a custom classifier's parser calls it, as
        skl2onnx's documentation for custom classifiers does.
"""

import sys
from contextlib import contextmanager

from sklearn.base import _fit_context
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "BaseSearchCV",
    "Interval",
    "StrOptions",
    "_check_partial_fit_first_call",
    "_check_sample_weight",
    "_fit_context",
    "_safe_indexing",
    "optimizers_without_dynamo",
    "skl2onnx_classifier_parser",
    "validate_params",
]


def skl2onnx_classifier_parser():
    """skl2onnx's parser for classifiers (imported on call: skl2onnx is an optional extra)."""
    from skl2onnx._parse import _parse_sklearn_classifier

    return _parse_sklearn_classifier


_DYNAMO_WRAPPED = ("add_param_group", "state_dict", "load_state_dict", "zero_grad")


@contextmanager
def optimizers_without_dynamo():
    """Within the block, torch optimizers are built and stepped without importing
    ``torch._dynamo``, where nothing else has imported it (see above)."""
    import torch

    if "torch._dynamo" in sys.modules:
        yield
        return
    plain = []
    for name in _DYNAMO_WRAPPED:
        method = getattr(torch.optim.Optimizer, name)
        original = getattr(method, "__wrapped__", None)
        if original is not None and not hasattr(original, "__dynamo_disable"):
            setattr(original, "__dynamo_disable", original)
            plain.append(original)
    try:
        yield
    finally:
        for original in plain:
            if getattr(original, "__dynamo_disable", None) is original:
                delattr(original, "__dynamo_disable")
