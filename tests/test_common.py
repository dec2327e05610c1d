"""scikit-learn's own estimator checks, on the default SoftmaxClassifier and on each search."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sk_softmax import (
    SoftmaxClassifier,
    SoftmaxHalvingSearchCV,
    SoftmaxRandomizedSearchCV,
    SoftmaxSearchCV,
)

_FLOAT32_WEIGHTS = (
    "Training runs in float32 with minibatch sums in another order, so integer "
    "sample weights and repeated samples agree only to about 1e-7 relative, past "
    "this check's float64 tolerance; scikit-learn expects the check to fail for "
    "LogisticRegression and SGDClassifier too."
)


def _expected_failed_checks(estimator):
    if not isinstance(estimator, SoftmaxClassifier):
        return {}  # the searches fail none: neither do GridSearchCV & co. over this estimator
    return {
        "check_sample_weight_equivalence_on_dense_data": _FLOAT32_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _FLOAT32_WEIGHTS,
    }


_SEARCHED = SoftmaxClassifier(max_epochs=5, random_state=0)
_GRID = {"lr": [0.01, 0.1], "max_epochs": [2, 5]}


@parametrize_with_checks(
    [
        SoftmaxClassifier(),
        SoftmaxSearchCV(_SEARCHED, _GRID, cv=2),
        SoftmaxRandomizedSearchCV(_SEARCHED, _GRID, n_iter=3, cv=2, random_state=0),
        SoftmaxHalvingSearchCV(_SEARCHED, {"lr": [0.01, 0.1]}, max_resources=5, cv=2),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
