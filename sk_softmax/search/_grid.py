"""SoftmaxSearchCV: GridSearchCV over a SoftmaxClassifier at the cost of a few stacked runs."""

import numpy as np
from sklearn.model_selection import ParameterGrid

from .._upstream import BaseSearchCV
from ._base import StackedSearchCV


class SoftmaxSearchCV(StackedSearchCV):
    """Exhaustive search over a SoftmaxClassifier's parameters, trained as stacked runs.

    Read more in the :ref:`User Guide <searching>`.

    A drop-in for :class:`~sklearn.model_selection.GridSearchCV` with a
    :class:`SoftmaxClassifier`: the same arguments, ``cv_results_``,
    ``best_*`` attributes and methods, computed by scikit-learn's own search
    code. What differs is how the candidates are trained:

    - ``max_epochs`` values are checkpoints of one training run: each
      setting trains once, to the largest value, and the weights at every
      requested epoch count are scored (the stopping rule still ends a model
      early, as it would a separate fit).
    - Candidates that differ only in per-model values (``lr``, ``alpha``,
      ``momentum``, ``init_std``, ``class_weight``, ``tol``,
      ``n_iter_no_change``, ``lr_schedule``) train together on each CV
      split's training rows, as one stacked model: every model sees the
      minibatches its separate fit on those rows would see (the same seeds,
      batch size and row order; repeated indices count as repeated rows) and
      takes the same steps, through the same code, with its own optimizer
      settings, learning-rate schedule and stopping rule.
    - Other values (``batch_size``, ``optimizer``, ``random_state``, ...)
      start separate stacked runs; the runs (one per such group and split)
      run in parallel with ``n_jobs``. L-BFGS (``optimizer="lbfgs"``, and
      ``"auto"`` where it chooses L-BFGS for a split's training rows: small
      or tall data, see :class:`SoftmaxClassifier`), an optimizer class,
      ``early_stopping=True`` and ``callbacks`` are not stacked: those
      candidates are fitted one by one, as GridSearchCV does (full-batch
      L-BFGS fits are quick where ``"auto"`` takes them).
    - The refit is ``SoftmaxClassifier(**best_params_).fit(X, y)`` itself.

    A model alone in its run is its separate fit bit for bit; side by side,
    the wider products round the last float32 bits differently, so scores
    agree with GridSearchCV's to float tolerance, not bit for bit. Scorers
    receive the rows of ``X`` as GridSearchCV gives them, and ``cv_results_``
    has GridSearchCV's keys, filled by scikit-learn's own search loop: a
    stacked candidate's ``mean_fit_time`` is the time its fit took to find
    its trained model, and the training is in :attr:`stacked_time_`. For a
    dense array ``X``, each split's test rows are multiplied once by the
    weights of all its stacked models; a candidate's scoring reads its
    logits from there.

    Parameters
    ----------
    estimator : SoftmaxClassifier or Pipeline
        The model whose parameters are searched: a SoftmaxClassifier, or a
        :class:`~sklearn.pipeline.Pipeline` whose last step is one. For a
        Pipeline, the grid names parameters as for GridSearchCV
        (``"clf__lr"``, ``"scale__with_mean"``, whole steps); for every
        distinct setting of the transformers and every split, the
        transformers are fitted once on the split's training rows, and the
        classifier candidates of that setting stack on the transformed rows.
        Candidates that replace the classifier step, and searches given fit
        parameters for the transformers, are fitted one by one.
    param_grid : dict or list of dicts
        Parameter names mapped to lists of values, as for GridSearchCV.
    scoring, n_jobs, refit, cv, verbose, error_score, return_train_score
        As for :class:`~sklearn.model_selection.GridSearchCV`. ``n_jobs``
        runs independent stacked runs in parallel; candidates that are not
        stacked are fitted one after another, with the scoring.

    Attributes
    ----------
    cv_results_, best_estimator_, best_score_, best_params_, best_index_, \
scorer_, n_splits_, refit_time_, multimetric_, classes_, n_features_in_
        As for GridSearchCV; ``best_estimator_`` is a fitted SoftmaxClassifier
        (or Pipeline), fitted as ``clone(estimator).set_params(**best_params_)``.
    n_stacked_runs_ : int
        Stacked runs trained (one per group of stackable candidates and split).
    n_separate_fits_ : int
        Candidate fits that were not stacked (see above).
    stacked_time_ : ndarray of shape (n_candidates,)
        Seconds: each candidate's share of the stacked runs that trained its
        models and scored their test rows, per split (0 for a candidate
        fitted separately); candidates that differ only in ``max_epochs``
        share one model, and its time. The sum over candidates, times the
        splits, is the time the stacked runs took.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = SoftmaxSearchCV(  # Adam: "auto" would take L-BFGS, which has no lr
    ...     SoftmaxClassifier(optimizer="adam", random_state=0),
    ...     {"lr": [0.01, 0.1], "max_epochs": [5, 20]},
    ...     cv=3,
    ... ).fit(X, y)
    >>> sorted(search.best_params_)
    ['lr', 'max_epochs']
    >>> search.n_stacked_runs_  # one per split
    3
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
