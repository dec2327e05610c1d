"""Property tests: any data either trains a sound model or is refused with a clear error.

Set ``SK_SOFTMAX_FUZZ_SCALE`` (default 1) to multiply the number of examples for
a longer fuzzing run.
"""

import copy
import os
import re

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from sk_softmax import SoftmaxClassifier

pytestmark = [
    # scikit-learn's own finiteness checks warn while they detect NaN, inf and overflow.
    pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning:sklearn"),
    pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning:scipy"),
    pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning:sklearn"),
    pytest.mark.filterwarnings("ignore:invalid value encountered in reduce:RuntimeWarning:numpy"),
]

_SCALE = int(os.environ.get("SK_SOFTMAX_FUZZ_SCALE", "1"))


def _settings(max_examples):
    return settings(
        max_examples=max_examples * _SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


X_DTYPES = ["bool", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
FLOAT32_MAX = float(np.finfo(np.float32).max)

LABELS = {
    "int": st.integers(-3, 3),
    "big-int": st.sampled_from([-(2**62), 0, 2**62, 7]),
    "str": st.text(alphabet="ab\u00e9", max_size=2),
    "float": st.sampled_from([-1.0, 0.0, 1.0, 2.5e300]),
    "bool": st.booleans(),
    "mixed": st.one_of(st.integers(0, 2), st.sampled_from(["0", "a"])),
}


@st.composite
def features(draw, n_samples, n_features):
    """``X`` of a random dtype: moderate or extreme values, maybe one NaN or inf, maybe CSR."""
    dtype = np.dtype(draw(st.sampled_from(X_DTYPES)))
    extreme = draw(st.booleans())
    if dtype.kind == "f":
        bound = float(np.finfo(dtype).max) if extreme else 100.0
        elements = st.floats(-bound, bound, width=8 * dtype.itemsize)
    elif dtype.kind == "i" and not extreme:
        elements = st.integers(-100, 100)
    else:
        elements = None  # the dtype's full range
    X = draw(hnp.arrays(dtype, (n_samples, n_features), elements=elements))
    if dtype.kind == "f" and draw(st.booleans()):
        row = draw(st.integers(0, n_samples - 1))
        column = draw(st.integers(0, n_features - 1))
        X[row, column] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    if dtype != np.float16 and draw(st.integers(0, 4)) == 0:  # scipy has no float16
        return sp.csr_matrix(X)
    return X


@st.composite
def labels(draw, n_samples):
    """``y`` of one label type, as a list or an array, maybe with one bad float.

    Each of up to ``n_samples`` distinct labels appears at least once, in a
    random order, so that most draws hold several classes.
    """
    kind = draw(st.sampled_from(sorted(LABELS)))
    size = min(2, n_samples)
    pool = draw(st.lists(LABELS[kind], min_size=size, max_size=n_samples, unique_by=repr))
    y = draw(st.permutations([pool[i % len(pool)] for i in range(n_samples)]))
    if kind == "float" and draw(st.booleans()):
        y[draw(st.integers(0, n_samples - 1))] = draw(st.sampled_from([np.nan, np.inf, 0.5]))
    if draw(st.booleans()):
        y = np.array(y, dtype=object if kind == "mixed" else None)
    return y


@st.composite
def problems(draw, max_samples=10):
    """``(X, y, params)``: 1 to ``max_samples`` rows, 1 to 3 features, batch 1, n or > n."""
    n_samples = draw(st.integers(1, max_samples))
    X = draw(features(n_samples, draw(st.integers(1, 3))))
    y = draw(labels(n_samples))
    params = {
        "batch_size": draw(st.sampled_from([1, n_samples, n_samples + 7])),
        "lr": draw(st.sampled_from([1e-3, 0.1, 10.0])),
        "max_epochs": draw(st.integers(1, 3)),
        "optimizer": draw(st.sampled_from(["adam", "sgd", "lbfgs"])),
        "random_state": draw(st.integers(0, 3)),
    }
    return X, y, params


def _dense(X):
    return X.toarray() if sp.issparse(X) else X


def _reasons(X, y):
    """Regexes that a ValueError may match for this data: the problems it really has."""
    reasons = [r"diverged"]  # a DivergenceError names its cause; always acceptable
    X64 = _dense(X).astype(np.float64)
    if np.isnan(X64).any():
        reasons.append(r"Input X contains NaN")
    if (~np.isnan(X64) & (np.abs(X64) > FLOAT32_MAX)).any():
        reasons.append(r"Input X contains infinity or a value too large")
    y_array = np.asarray(y)
    if y_array.dtype.kind == "f":
        if np.isnan(y_array).any():
            reasons.append(r"Input y contains NaN")
        if np.isinf(y_array).any():
            reasons.append(r"Input y contains infinity")
        finite = y_array[np.isfinite(y_array)]
        # scikit-learn calls floats "continuous" unless they survive a cast to int
        if ((finite != np.round(finite)) | (np.abs(finite) >= 2.0**63)).any():
            reasons.append(r"Unknown label type: continuous")
    if y_array.dtype == object:
        is_str = {isinstance(label, str) for label in y}
        if len(is_str) > 1:
            reasons.append(r"Mix of label input types|y mixes string and non-string labels")
        elif is_str == {False}:
            reasons.append(r"Unknown label type: unknown|y has dtype object but its labels")
    if len(set(y_array.tolist())) < 2:
        reasons.append(r"at least 2 classes in y")
    return reasons


def _assert_names_a_reason(exc, reasons):
    event(f"refused: {str(exc).splitlines()[0][:40]}")
    assert any(re.search(reason, str(exc)) for reason in reasons), (str(exc), reasons)


def _check_predictions(model, X):
    predicted = model.predict(X)
    assert predicted.shape == (X.shape[0],)
    assert np.isin(predicted, model.classes_).all()
    proba = model.predict_proba(X)
    assert proba.shape == (X.shape[0], len(model.classes_))
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    # The predicted class has the highest probability (ties in float64 allowed).
    chosen = proba[np.arange(len(proba)), np.searchsorted(model.classes_, predicted)]
    np.testing.assert_array_equal(chosen, proba.max(axis=1))
    assert np.isfinite(model.predict_log_proba(X)).all()
    assert np.isfinite(model.decision_function(X)).all()


def _check_fitted_model(model, X, y):
    np.testing.assert_array_equal(model.classes_, np.unique(np.asarray(y)))
    assert np.isfinite(model.coef_).all() and np.isfinite(model.intercept_).all()
    _check_predictions(model, X)


# Found by this fuzzer: an optimizer step overflowed the weights to inf after the
# last loss was computed, and fit returned a model predicting NaN.
_OVERFLOWING_LAST_STEP = (
    np.array([[1e38], [-1e38]]),
    [0, 1],
    dict(lr=10.0, optimizer="sgd", max_epochs=1, batch_size=2, random_state=0),
)
# Found by this fuzzer: mixed str/int labels in an object array raised a TypeError.
_MIXED_OBJECT_LABELS = (np.zeros((2, 1)), np.array(["0", 0], dtype=object), dict(max_epochs=1))


@_settings(150)
@given(problems())
@example(_OVERFLOWING_LAST_STEP)
@example(_MIXED_OBJECT_LABELS)
def test_fit_trains_a_sound_model_or_names_the_problem(problem):
    X, y, params = problem
    model = SoftmaxClassifier(**params)
    try:
        model.fit(X, y)
    except ValueError as exc:
        _assert_names_a_reason(exc, _reasons(X, y))
        with pytest.raises(NotFittedError):
            check_is_fitted(model)
        assert not any(name.endswith("_") for name in vars(model))
    else:
        event("trained")
        _check_fitted_model(model, X, y)


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = np.array(["x", "y", "z"])[rng.integers(0, 3, size=30)]
    return SoftmaxClassifier(lr=0.1, max_epochs=5, random_state=0).fit(X, y)


@_settings(80)
@given(problem=problems(), method=st.sampled_from(["fit", "warm fit", "partial_fit"]))
def test_failed_refit_leaves_the_fitted_model_as_it_was(fitted, problem, method):
    X, y, params = problem
    model = copy.deepcopy(fitted)
    model.set_params(**params, warm_start=method == "warm fit")
    before = dict(vars(model))
    coef, intercept, n_epochs = model.coef_, model.intercept_, len(model.history_)
    try:
        if method == "partial_fit":
            model.partial_fit(X, y)
        else:
            model.fit(X, y)
    except ValueError as exc:
        reasons = _reasons(X, y)
        if method != "fit":
            reasons += [r"is expecting 3 features", r"not in classes_"]
        if method == "partial_fit":
            reasons += [r"partial_fit trains with a minibatch optimizer"]
        _assert_names_a_reason(exc, reasons)
        assert vars(model).keys() == before.keys()
        for name, value in before.items():
            assert vars(model)[name] is value, name
        np.testing.assert_array_equal(model.coef_, coef)
        np.testing.assert_array_equal(model.intercept_, intercept)
        assert len(model.history_) == n_epochs
    else:
        if method == "fit":
            np.testing.assert_array_equal(model.classes_, np.unique(np.asarray(y)))
        else:
            np.testing.assert_array_equal(model.classes_, fitted.classes_)
        _check_predictions(model, X)


@_settings(80)
@given(X=features(n_samples=4, n_features=3))
def test_predict_on_any_input_is_sound_or_names_the_problem(fitted, X):
    try:
        fitted.predict(X)
    except ValueError as exc:
        _assert_names_a_reason(exc, _reasons(X, ["a", "b"]))
    else:
        _check_predictions(fitted, X)
