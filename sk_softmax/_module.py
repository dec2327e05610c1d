"""The torch module behind the estimator: a linear layer that returns logits."""

import torch
from torch import nn

from ._kernel import logits
from ._recipe import initial_weights
from ._sparse import SparseRows, sparse_linear


class SoftmaxRegression(nn.Module):
    """Flatten the input and apply one affine map, returning class logits.

    Read more in the :ref:`User Guide <model>`.

    The product is the chunked one of :func:`sk_softmax._kernel.logits`, so
    a row's logits do not depend on the thread count. Sparse input arrives
    as :class:`~sk_softmax._sparse.SparseRows` (CSR tensors of the rows and
    their transpose) and is multiplied as it is, without densifying it.

    This is the model of softmax regression: ``softmax(X @ W.T + b)``. The
    softmax itself is left out on purpose: training takes the cross-entropy
    of the logits, as :class:`torch.nn.CrossEntropyLoss` does (log-sum-exp,
    no softmax followed by a log), and the estimator applies the softmax only
    when asked for probabilities.

    Parameters
    ----------
    n_features : int
        Number of input features (784 for 28x28 images).
    n_classes : int
        Number of classes, the number of logits returned.
    init_std : float, default=0.01
        Weights are drawn from ``N(0, init_std**2)``; the bias starts at zero.
    random_state : int or None, default=None
        Seed of a private :class:`torch.Generator` used for the initial
        weights. torch's global random state is never touched when it is set.
    """

    def __init__(self, n_features, n_classes, *, init_std=0.01, random_state=None):
        super().__init__()
        self.flatten = nn.Flatten()
        # Built on the meta device: nn.Linear's own initialisation would draw
        # from torch's global generator. Its parameters are then given here.
        self.linear = nn.Linear(n_features, n_classes, device="meta")
        self.linear.weight = nn.Parameter(
            initial_weights(n_classes, n_features, init_std, random_state)
        )
        self.linear.bias = nn.Parameter(torch.zeros(n_classes))

    def forward(self, X):
        """The logits ``X @ W.T + b`` of a batch.

        Parameters
        ----------
        X : tensor of shape (n_rows, ...) or SparseRows
            Dense rows (flattened to ``n_features`` values each) or sparse rows.

        Returns
        -------
        logits : tensor of shape (n_rows, n_classes)
        """
        if isinstance(X, SparseRows):
            return sparse_linear(X, self.linear.weight, self.linear.bias)
        if X.dim() != 2:
            X = self.flatten(X)
        return logits(X, self.linear.weight, self.linear.bias)
