"""skorch callbacks that the estimator installs on every net it builds."""

import math

from skorch.callbacks import Callback

from .exceptions import DivergenceError


class DivergenceGuard(Callback):
    """Stop training with :class:`DivergenceError` once a batch loss is not finite."""

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if not training:
            return
        loss = net.history[-1]["batches"][-1]["train_loss"]
        if not math.isfinite(loss):
            raise DivergenceError(
                f"The training loss became {loss} in epoch {len(net.history)}: "
                f"training diverged. The learning rate (lr={net.lr}) is probably too "
                "high for this data, or the features are on a very large scale. "
                "Lower lr, or standardise X (e.g. with sklearn's StandardScaler)."
            )
