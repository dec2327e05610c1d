"""The skorch net the estimator trains: skorch's classifier plus an L2 penalty."""

from skorch import NeuralNetClassifier


class SoftmaxNet(NeuralNetClassifier):
    """:class:`skorch.NeuralNetClassifier` whose loss adds ``alpha / 2 * ||W||^2``.

    The penalty is part of the loss rather than the optimizer's
    ``weight_decay`` so that it means the same for every optimizer (L-BFGS has
    no weight decay) and the recorded ``train_loss`` is the objective being
    minimised. The bias is not penalised, as in scikit-learn's linear models.

    Parameters
    ----------
    *args, **kwargs
        Passed to :class:`skorch.NeuralNetClassifier`.
    alpha : float, default=0.0
        L2 penalty strength on the module's ``linear.weight``.
    """

    def __init__(self, *args, alpha=0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.alpha = alpha

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = self.criterion_(y_pred, y_true)
        if self.alpha:
            weight = self.module_.linear.weight
            loss = loss + 0.5 * self.alpha * weight.pow(2).sum()
        return loss
