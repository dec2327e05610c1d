"""The skorch net the estimator trains: skorch's classifier, weighted and penalised."""

from collections.abc import Mapping

from skorch import NeuralNetClassifier


class SoftmaxNet(NeuralNetClassifier):
    """:class:`skorch.NeuralNetClassifier` with sample weights and an L2 penalty.

    The loss of a batch is ``mean(w * cross_entropy) + alpha / 2 * ||W||^2``,
    where the weights ``w`` (1 without sample weights) arrive with the batch as
    ``X["sample_weight"]``, skorch's convention. The estimator scales them to a
    mean of 1 over the training data, so the batch loss estimates the weighted
    mean cross-entropy. The penalty is part of the loss rather than the
    optimizer's ``weight_decay`` so that it means the same for every optimizer
    (L-BFGS has no weight decay) and the recorded ``train_loss`` is the
    objective being minimised. The bias is not penalised, as in
    scikit-learn's linear models.

    Parameters
    ----------
    *args, **kwargs
        Passed to :class:`skorch.NeuralNetClassifier`; the criterion must
        return per-sample losses (``reduction="none"``).
    alpha : float, default=0.0
        L2 penalty strength on the module's ``linear.weight``.
    """

    def __init__(self, *args, alpha=0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.alpha = alpha

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping):
            x = x["X"]
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        losses = self.criterion_(y_pred, y_true)
        if isinstance(X, Mapping):
            losses = losses * X["sample_weight"]
        loss = losses.mean()
        if self.alpha:
            weight = self.module_.linear.weight
            loss = loss + 0.5 * self.alpha * weight.pow(2).sum()
        return loss
