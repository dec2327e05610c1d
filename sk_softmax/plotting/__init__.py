"""Pictures of a fitted SoftmaxClassifier: weights, learning curves, predictions.

matplotlib is an optional dependency (``pip install sk_softmax[plot]``),
imported only when a function here is called. Every function draws into the
Axes it is given (or a new figure), returns what it drew on, and never calls
``plt.show()``.
"""

from ._curves import plot_learning_curves
from ._images import plot_confusion_matrix, plot_predictions, plot_weights
from ._search import plot_search_scores

__all__ = [
    "plot_confusion_matrix",
    "plot_learning_curves",
    "plot_predictions",
    "plot_search_scores",
    "plot_weights",
]
