"""Searches over a SoftmaxClassifier's parameters, trained as stacked runs.

:class:`SoftmaxSearchCV` is GridSearchCV's twin: scikit-learn's own search
loop (:class:`~sklearn.model_selection.GridSearchCV`'s arguments,
``cv_results_`` and refit) over candidates whose models were trained side by
side, one stacked run per group of candidates and CV split.
"""

from ._grid import SoftmaxSearchCV
from ._halving import SoftmaxHalvingSearchCV
from ._randomized import SoftmaxRandomizedSearchCV

__all__ = ["SoftmaxHalvingSearchCV", "SoftmaxRandomizedSearchCV", "SoftmaxSearchCV"]
