"""SoftmaxRandomizedSearchCV: RandomizedSearchCV's sampled candidates, trained as stacked runs."""

from numbers import Integral

import numpy as np
from sklearn.model_selection import ParameterSampler

from .._upstream import BaseSearchCV, Interval
from ._base import StackedSearchCV


class SoftmaxRandomizedSearchCV(StackedSearchCV):
    """Randomized search over a SoftmaxClassifier's parameters, trained as stacked runs.

    Read more in the :ref:`User Guide <randomized-search>`.

    A drop-in for :class:`~sklearn.model_selection.RandomizedSearchCV`: the
    same arguments, the same ``n_iter`` candidates for the same
    ``random_state`` (drawn by scikit-learn's
    :class:`~sklearn.model_selection.ParameterSampler`, once per fit), and the
    same ``cv_results_`` and ``best_*`` attributes. The candidates train as
    :class:`SoftmaxSearchCV`'s do: those that differ only in per-model values
    (``lr`` and ``alpha`` drawn from distributions, ...) stack on each split,
    ``max_epochs`` values are checkpoints, and what cannot stack is fitted as
    RandomizedSearchCV fits it.

    Parameters
    ----------
    estimator : estimator object
        As for :class:`SoftmaxSearchCV`.
    param_distributions : dict or list of dicts
        Parameter names mapped to distributions (with an ``rvs`` method, e.g.
        ``scipy.stats.loguniform(1e-4, 1e-1)``) or lists of values, as for
        RandomizedSearchCV.
    n_iter : int, default=10
        Candidates drawn.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw of the candidates (not the models: those take the
        estimator's ``random_state``).
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As for :class:`SoftmaxSearchCV`.

    Attributes
    ----------
    cv_results_, best_estimator_, best_score_, best_params_, best_index_, \
scorer_, n_splits_, refit_time_, multimetric_, classes_, n_features_in_
        As for RandomizedSearchCV.
    n_stacked_runs_, n_separate_fits_, stacked_time_
        As for :class:`SoftmaxSearchCV`.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sk_softmax import SoftmaxClassifier, SoftmaxRandomizedSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = SoftmaxRandomizedSearchCV(
    ...     SoftmaxClassifier(random_state=0),
    ...     {"lr": loguniform(1e-3, 1e-1), "max_epochs": [5, 20]},
    ...     n_iter=6,
    ...     cv=3,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> len(search.cv_results_["params"]), search.n_stacked_runs_
    (6, 3)
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_distributions": [dict, list],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }
    _grid_name = "param_distributions"

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=10,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
    ):
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.random_state = random_state

    def _candidates(self):
        # RandomizedSearchCV's own draw: the same candidates for the same random_state
        sampler = ParameterSampler(
            self.param_distributions, self.n_iter, random_state=self.random_state
        )
        return list(sampler)
