"""scikit-learn's own estimator checks, run on the default SoftmaxClassifier."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sk_softmax import SoftmaxClassifier

_FLOAT32_WEIGHTS = (
    "Training runs in float32 with minibatch sums in another order, so integer "
    "sample weights and repeated samples agree only to about 1e-7 relative, past "
    "this check's float64 tolerance; scikit-learn expects the check to fail for "
    "LogisticRegression and SGDClassifier too."
)


def _expected_failed_checks(estimator):
    return {
        "check_sample_weight_equivalence_on_dense_data": _FLOAT32_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _FLOAT32_WEIGHTS,
    }


@parametrize_with_checks([SoftmaxClassifier()], expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
