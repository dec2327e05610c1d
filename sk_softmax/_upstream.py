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
    ``_check_sample_weight``, ``_num_samples`` (``sklearn.utils.validation``)
        ``sample_weight`` validated and converted as every scikit-learn
        estimator does (length, finiteness, non-negativity); the number of
        rows of any array-like, DataFrame or list, as scikit-learn's searches
        count them.

skorch (methods of ``NeuralNet`` that ``SoftmaxNet`` overrides or calls)
    ``_set_training``, ``_zero_grad_optimizer``, ``_optimizers``
        A training step written out (``SoftmaxNet.train_step``) has to do what
        skorch's own step does between its public hooks: set the training
        mode, zero the gradients, and step each registered optimizer.

torch
    ``__wrapped__`` of the ``torch.optim.Optimizer`` methods that torch wraps
    with ``torch._compile._disable_dynamo`` (``add_param_group``, ``zero_grad``,
    ``state_dict``, ``load_state_dict`` in torch 2.x)
        The wrapper keeps ``torch.compile`` from tracing into these methods by
        importing ``torch._dynamo`` (about two seconds in a fresh process) on its
        first call, and constructing any optimizer calls ``add_param_group``.
        Nothing compiles :class:`~sk_softmax._optim.SoftmaxOptimizer`, so it
        takes the methods the wrappers wrap (:func:`undecorated_optimizer_methods`)
        as its own, in its class body: torch's classes stay as they are.

skl2onnx (imported only by :mod:`sk_softmax.onnx`, the optional extra)
    ``_parse_sklearn_classifier`` (``skl2onnx._parse``)
        The parser skl2onnx registers for its own classifiers (the label and
        probability outputs); a custom classifier's parser calls it, as
        skl2onnx's documentation for custom classifiers does.
"""

from sklearn.base import _fit_context
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.validation import _check_sample_weight, _num_samples

__all__ = [
    "BaseSearchCV",
    "Interval",
    "StrOptions",
    "_check_partial_fit_first_call",
    "_check_sample_weight",
    "_num_samples",
    "_fit_context",
    "_safe_indexing",
    "skl2onnx_classifier_parser",
    "undecorated_optimizer_methods",
    "validate_params",
]


def skl2onnx_classifier_parser():
    """skl2onnx's parser for classifiers (imported on call: skl2onnx is an optional extra)."""
    from skl2onnx._parse import _parse_sklearn_classifier

    return _parse_sklearn_classifier


def undecorated_optimizer_methods():
    """``{name: method}``: the ``torch.optim.Optimizer`` methods that torch wraps to
    disable ``torch.compile``, unwrapped (see above)."""
    import torch

    methods = {}
    for name, value in vars(torch.optim.Optimizer).items():
        code = getattr(value, "__code__", None)
        wrapped = getattr(value, "__wrapped__", None)
        if wrapped is not None and code is not None and code.co_filename.endswith("_compile.py"):
            methods[name] = wrapped
    return methods
