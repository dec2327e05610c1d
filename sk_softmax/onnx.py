"""ONNX export through skl2onnx: ``import sk_softmax.onnx`` registers SoftmaxClassifier.

After the import, ``skl2onnx.to_onnx`` converts a fitted SoftmaxClassifier,
or any pipeline holding one, into one ONNX graph that onnxruntime serves
without Python or torch. The graph is skl2onnx's own for linear classifiers
(``LinearClassifier`` with a softmax, or ``MatMul`` and ``Add`` for float64
inputs), with the standard classifier outputs ``label`` and
``probabilities`` and the standard options:

- ``zipmap``: True (probabilities as a list of ``{label: p}``), False (a
  tensor) or ``"columns"`` (one output per class);
- ``nocl``: True labels the classes 0 .. n_classes - 1;
- ``raw_scores``: True gives the logits instead of probabilities (for two
  classes, ``[-d / 2, d / 2]`` with ``d = decision_function(X)``: the logits
  up to a constant, which the softmax ignores);
- ``output_class_labels``: True adds an output with the class labels.

Integer and string labels, two or more classes, float32 and float64 inputs
(float64 needs ``target_opset`` 13 or more). A model trained on sparse data
converts like any other; the graph takes dense rows, since skl2onnx's
classifier graphs have no sparse inputs.

Requires the ``onnx`` extra (``pip install "sk_softmax[onnx]"``: skl2onnx and
onnxruntime); ``import sk_softmax`` alone never imports them.
"""

import copy

from skl2onnx import to_onnx as _skl2onnx_to_onnx
from skl2onnx import update_registered_converter
from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes
from skl2onnx.operator_converters.linear_classifier import convert_sklearn_linear_classifier
from sklearn.utils.validation import check_is_fitted

from ._estimator import SoftmaxClassifier
from ._upstream import skl2onnx_classifier_parser

OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [True, False],
    "raw_scores": [True, False],
    "output_class_labels": [False, True],
}

__all__ = ["OPTIONS", "to_onnx"]


def _parse(scope, model, inputs, custom_parsers=None):
    """skl2onnx's classifier parser, once the model is known to be fitted."""
    check_is_fitted(model)
    return skl2onnx_classifier_parser()(scope, model, inputs, custom_parsers=custom_parsers)


def _convert(scope, operator, container):
    """skl2onnx's linear-classifier converter, given weights in the form it expects.

    With more than two classes, ``coef_`` and ``intercept_`` are already the
    multinomial model it converts (a softmax over the logits). With two, it
    expects one row of weights ``w`` and builds the scores ``[-w, w]``; the
    half difference of the two logit rows makes those scores the logits up to
    a constant, so the softmax gives the same probabilities.
    """
    model = operator.raw_operator
    if len(model.classes_) != 2:
        convert_sklearn_linear_classifier(scope, operator, container)
        return
    # A copy of the same class, so that options given for SoftmaxClassifier or
    # for this model (by id) reach the converter.
    binary = copy.copy(model)
    binary.coef_ = (model.coef_[1:] - model.coef_[:1]) / 2
    binary.intercept_ = (model.intercept_[1:] - model.intercept_[:1]) / 2
    for options in {id(c.options): c.options for c in (container, scope)}.values():
        if isinstance(options, dict) and id(model) in options:
            options[id(binary)] = options[id(model)]
    operator.raw_operator = binary
    try:
        convert_sklearn_linear_classifier(scope, operator, container)
    finally:
        operator.raw_operator = model


update_registered_converter(
    SoftmaxClassifier,
    "SkSoftmaxClassifier",
    calculate_linear_classifier_output_shapes,
    _convert,
    parser=_parse,
    options=OPTIONS,
    overwrite=True,
)


def to_onnx(estimator, X, **kwargs):
    """Convert a fitted SoftmaxClassifier (or a pipeline holding one) to ONNX.

    Read more in the :ref:`User Guide <persistence>`.

    ``skl2onnx.to_onnx`` after checking that the estimator is fitted; ``X``
    (a few rows are enough) gives the input's type and width: float32 rows
    make a float32 graph, float64 rows a float64 one.

    Parameters
    ----------
    estimator : fitted SoftmaxClassifier or Pipeline
    X : array-like of shape (n_samples, n_features)
        Sample input.
    **kwargs
        Passed to :func:`skl2onnx.to_onnx`, e.g. ``options={"zipmap": False}``
        or ``target_opset=17``.

    Returns
    -------
    onnx.ModelProto

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> from sklearn.datasets import load_iris
    >>> from sk_softmax import SoftmaxClassifier
    >>> from sk_softmax.onnx import to_onnx
    >>> X, y = load_iris(return_X_y=True)
    >>> X = X.astype(np.float32)
    >>> clf = SoftmaxClassifier(random_state=0).fit(X, y)
    >>> graph = to_onnx(clf, X[:1], options={"zipmap": False})
    >>> session = ort.InferenceSession(graph.SerializeToString())
    >>> labels, proba = session.run(None, {"X": X[:3]})
    >>> bool((labels == clf.predict(X[:3])).all())
    True
    """
    check_is_fitted(estimator)
    return _skl2onnx_to_onnx(estimator, X, **kwargs)
