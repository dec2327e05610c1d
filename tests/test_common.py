"""scikit-learn's own estimator checks, run on the default SoftmaxClassifier."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sk_softmax import SoftmaxClassifier


@parametrize_with_checks([SoftmaxClassifier()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
