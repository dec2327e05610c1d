"""ONNX export: onnxruntime gives predict's labels and predict_proba's probabilities."""

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits, load_iris
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_softmax import SoftmaxClassifier

ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")
skl2onnx = pytest.importorskip("skl2onnx", reason="the onnx extra is not installed")
from sk_softmax.onnx import to_onnx  # noqa: E402


def run(model, X, **kwargs):
    session = ort.InferenceSession(to_onnx(model, X[:1], **kwargs).SerializeToString())
    return session.run(None, {"X": X})


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X.astype(np.float32) / 16, y


def iris_strings():
    X, y = load_iris(return_X_y=True)
    return X.astype(np.float32), np.array(["setosa", "versicolor", "virginica"])[y]


def binary_3_7():
    X, y = load_digits(return_X_y=True)
    keep = np.isin(y, [3, 7])
    return X[keep].astype(np.float32) / 16, y[keep]


def assert_same(model, X, labels, proba):
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize("data", ["digits", "iris_strings", "binary_3_7"])
def test_labels_and_probabilities_match(digits, data):
    X, y = (
        digits
        if data == "digits"
        else {"iris_strings": iris_strings, "binary_3_7": binary_3_7}[data]()
    )
    model = SoftmaxClassifier(random_state=0).fit(X, y)
    labels, proba = run(model, X, options={"zipmap": False})
    assert_same(model, X, labels, proba)


def test_a_pipeline_becomes_one_graph(digits):
    X, y = digits
    pipe = make_pipeline(StandardScaler(), PCA(20), SoftmaxClassifier(random_state=0)).fit(X, y)
    labels, proba = run(pipe, X, options={id(pipe[-1]): {"zipmap": False}})
    assert_same(pipe, X, labels, proba)
    # skl2onnx's own entry point, once sk_softmax.onnx is imported
    graph = skl2onnx.to_onnx(pipe, X[:1], options={SoftmaxClassifier: {"zipmap": False}})
    labels, _ = ort.InferenceSession(graph.SerializeToString()).run(None, {"X": X})
    np.testing.assert_array_equal(labels, pipe.predict(X))


@pytest.mark.parametrize("data", ["digits", "binary_3_7"])
def test_float64_graphs(digits, data):
    X, y = digits if data == "digits" else binary_3_7()
    model = SoftmaxClassifier(random_state=0).fit(X, y)
    X64 = X.astype(np.float64)
    labels, proba = run(model, X64, options={"zipmap": False}, target_opset=17)
    assert proba.dtype == np.float64
    np.testing.assert_array_equal(labels, model.predict(X64))
    np.testing.assert_allclose(proba, model.predict_proba(X64), atol=1e-10)


def test_a_model_trained_on_sparse_rows_takes_dense_rows(digits):
    X, y = digits
    model = SoftmaxClassifier(random_state=0).fit(sp.csr_matrix(X), y)
    labels, proba = run(model, X, options={"zipmap": False})
    assert_same(model, X, labels, proba)


def test_classifier_options(digits):
    X, y = binary_3_7()
    model = SoftmaxClassifier(random_state=0).fit(X, y)
    _, zipped = run(model, X[:2])
    assert zipped[0].keys() == {3, 7}
    assert zipped[0][7] == pytest.approx(model.predict_proba(X[:1])[0, 1], abs=1e-5)
    labels, proba = run(model, X, options={"zipmap": False, "nocl": True})
    np.testing.assert_array_equal(labels, np.searchsorted([3, 7], model.predict(X)))
    _, scores = run(model, X, options={"zipmap": False, "raw_scores": True})
    np.testing.assert_allclose(scores[:, 1] - scores[:, 0], model.decision_function(X), atol=1e-4)
    outputs = run(model, X[:3], options={"zipmap": "columns"})
    assert len(outputs) == 1 + 2  # the label, then one column per class
    X, y = digits
    model = SoftmaxClassifier(random_state=0).fit(X, y)
    _, logits = run(model, X, options={"zipmap": False, "raw_scores": True})
    np.testing.assert_allclose(logits, model.decision_function(X), atol=1e-4)


def test_unfitted_models_and_unknown_options_are_refused(digits):
    X, y = digits
    with pytest.raises(NotFittedError):
        to_onnx(SoftmaxClassifier(), X[:1])
    with pytest.raises(NotFittedError):
        skl2onnx.to_onnx(make_pipeline(StandardScaler().fit(X), SoftmaxClassifier()), X[:1])
    model = SoftmaxClassifier(max_epochs=1).fit(X, y)
    with pytest.raises(NameError, match="Option 'fast' not in"):
        to_onnx(model, X[:1], options={"fast": True})
    with pytest.raises(ValueError, match="Unexpected value"):
        to_onnx(model, X[:1], options={"zipmap": "rows"})


def test_importing_sk_softmax_does_not_import_skl2onnx():
    code = "import sys, sk_softmax; sys.exit('skl2onnx' in sys.modules or 'onnx' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
