"""SoftmaxSearchCV: GridSearchCV over a SoftmaxClassifier at the cost of a few stacked runs."""

import numpy as np
from sklearn.model_selection import ParameterGrid

from .._upstream import BaseSearchCV
from ._base import StackedSearchCV


class SoftmaxSearchCV(StackedSearchCV):
    """Exhaustive search over a SoftmaxClassifier's parameters, trained as stacked runs.

    Read more in the :ref:`User Guide <searching>`.

    A drop-in for :class:`~sklearn.model_selection.GridSearchCV`: the same
    arguments, errors, ``cv_results_``, ``best_*`` attributes and methods,
    computed by scikit-learn's own search loop, on every ``X`` GridSearchCV
    takes. What differs is how the candidates of a
    :class:`SoftmaxClassifier` (or of a Pipeline ending in one) are trained:

    - ``max_epochs`` values are checkpoints of one training run: each
      setting trains once, to the largest value, and the weights at every
      requested epoch count are scored (the stopping rule still ends a model
      early, as it would a separate fit).
    - Candidates that differ only in per-model values (``lr``, ``alpha``,
      ``momentum``, ``init_std``, ``class_weight``, ``tol``,
      ``n_iter_no_change``, ``lr_schedule``) train together on each CV
      split's training rows, as one stacked run: every model sees the
      minibatches its separate fit on those rows would see (the same seeds,
      batch size and row order; repeated indices count as repeated rows) and
      takes the same steps, through the same code
      (:class:`~sk_softmax._stack.Stack`), with its own learning rate,
      stopping rule and, for L-BFGS, line searches.
    - Other values (``batch_size``, ``optimizer``, ``random_state``, ...)
      start separate stacked runs, resolved split by split as the separate
      fits resolve them (``optimizer="auto"`` takes L-BFGS where ``lr`` is
      ``"auto"`` and the split's rows are small or tall); the runs (one per
      such group and split) run in parallel with ``n_jobs``. What a stacked
      run cannot stand for is fitted as GridSearchCV fits it: an optimizer
      class, ``early_stopping=True``, ``callbacks``, another estimator in the
      classifier's place, fit parameters for a Pipeline's transformers.
    - The refit is ``clone(estimator).set_params(**best_params_).fit(X, y)``.
    - Candidates that stop at their ``max_epochs`` before converging give one
      ``ConvergenceWarning`` for the search (GridSearchCV: one per fit).
    - The splits are drawn once per ``fit`` (GridSearchCV draws them when it
      fits the candidates; an unseeded shuffling ``cv`` gives other splits
      each time): the stacked runs and the scoring use the same ones.

    A model alone in its run is its separate fit bit for bit; side by side,
    wider products round the last float32 bits differently, so scores agree
    with GridSearchCV's to float tolerance, not bit for bit. Scorers receive
    the rows of ``X`` as GridSearchCV gives them, and a stacked candidate's
    ``mean_fit_time`` is the time its fit took to find its trained model: the
    training is in :attr:`stacked_time_`. For a dense ``X``, each split's
    test rows are multiplied once by the weights of all its stacked models; a
    candidate's scoring reads its logits from there.

    Parameters
    ----------
    estimator : estimator object
        The model whose parameters are searched. A SoftmaxClassifier stacks,
        and so does a :class:`~sklearn.pipeline.Pipeline` whose last step is
        one: for every distinct setting of the transformers and every split,
        the transformers are fitted once on the split's training rows, and
        the classifier candidates of that setting stack on the transformed
        rows. Any other estimator is searched as GridSearchCV searches it.
    param_grid : dict or list of dicts
        Parameter names mapped to lists of values, as for GridSearchCV
        (``{}`` evaluates the estimator as given).
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, \
return_train_score
        As for :class:`~sklearn.model_selection.GridSearchCV`. ``n_jobs``
        runs the stacked runs in parallel; candidates that are not stacked
        are fitted one after another, with the scoring. ``pre_dispatch`` is
        accepted with GridSearchCV's signature; the stacked runs need no
        dispatch limit of their own.

    Attributes
    ----------
    cv_results_, best_estimator_, best_score_, best_params_, best_index_, \
scorer_, n_splits_, refit_time_, multimetric_, classes_, n_features_in_, \
feature_names_in_
        As for GridSearchCV.
    n_stacked_runs_ : int
        Stacked runs trained (one per group of stackable candidates and split).
    n_separate_fits_ : int
        Candidate fits that no stacked run stood for (see above).
    stacked_time_ : ndarray of shape (n_candidates,)
        Seconds: each candidate's share of the stacked runs that trained its
        models and scored their test rows, per split (0 for a candidate
        fitted separately); candidates that differ only in ``max_epochs``
        share one model, and its time. The sum over candidates, times the
        splits, is the time the stacked runs took.

    See Also
    --------
    SoftmaxRandomizedSearchCV : Sampled candidates, as RandomizedSearchCV.
    SoftmaxHalvingSearchCV : Successive halving over epochs.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = SoftmaxSearchCV(
    ...     SoftmaxClassifier(random_state=0),
    ...     {"lr": [0.01, 0.1], "max_epochs": [5, 50]},
    ...     cv=3,
    ... ).fit(X, y)
    >>> sorted(search.best_params_)
    ['lr', 'max_epochs']
    >>> search.n_stacked_runs_, search.n_separate_fits_  # one run per split
    (3, 0)
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_grid": [dict, list],
    }

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
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
        self.param_grid = param_grid

    def _candidates(self):
        return list(ParameterGrid(self.param_grid))  # GridSearchCV's candidates and errors
