"""Float64 prediction from coef_ and intercept_: blocks, sparse rows, overflowing rows."""

import numpy as np
import scipy.sparse as sp
from scipy.special import softmax

from sk_softmax import SoftmaxClassifier
from sk_softmax._prediction import _PREDICT_BLOCK, _affine, _scaled_logits


def test_blocks_give_the_plain_float64_product():
    rng = np.random.default_rng(0)
    X = rng.random((2 * _PREDICT_BLOCK + 7, 30), dtype=np.float32)
    coef, intercept = rng.standard_normal((4, 30)), rng.standard_normal(4)
    expected = X.astype(np.float64) @ coef.T + intercept
    np.testing.assert_allclose(_affine(X, coef, intercept), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        _affine(sp.csr_matrix(X), coef, intercept), expected, rtol=1e-12, atol=1e-12
    )
    assert _affine(X[:0], coef, intercept).shape == (0, 4)


def test_overflowing_rows_keep_their_softmax():
    coef = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    intercept = np.array([0.0, 1.0, 2.0])
    X = np.array([[1e308, 5e307], [2.0, 1.0]])
    shifted = _scaled_logits(X, coef, intercept)
    assert np.isfinite(shifted).all() and (shifted.max(axis=1) == 0).all()
    # For a moderate row the shift changes nothing that softmax sees.
    np.testing.assert_allclose(softmax(shifted[1]), softmax(X[1] @ coef.T + intercept))
    # For the huge row the largest logit takes all the probability.
    np.testing.assert_array_equal(softmax(shifted[0]), [1.0, 0.0, 0.0])


def test_float64_inputs_beyond_float32_still_give_probabilities(iris):
    X, y = iris
    clf = SoftmaxClassifier(lr=0.05, max_epochs=5, random_state=0).fit(X, y)
    proba = clf.predict_proba(np.array([[1e300, -1e300, 1e300, 0.0]]))
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_a_binary_model_scores_like_scikit_learn_expects(iris):
    X, y = iris
    clf = SoftmaxClassifier(lr=0.05, max_epochs=5, random_state=0).fit(X, y == 2)
    logits = X @ clf.coef_.T + clf.intercept_
    np.testing.assert_allclose(clf.decision_function(X), logits[:, 1] - logits[:, 0])
    assert clf.coef_.shape == (2, 4)
