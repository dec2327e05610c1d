"""SoftmaxSearchCV: GridSearchCV over a SoftmaxClassifier at the cost of a few stacked runs."""

import numpy as np
from sklearn import get_config
from sklearn.model_selection import ParameterGrid, check_cv
from sklearn.pipeline import Pipeline
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, indexable

from .._upstream import BaseSearchCV, _fit_context
from ._candidates import check_grid, classifier_of, stacked_groups
from ._lookup import ScoredCandidates, looked_up, plain
from ._pipeline import train_pipeline_runs
from ._runs import Runs


class SoftmaxSearchCV(BaseSearchCV):
    """Exhaustive search over a SoftmaxClassifier's parameters, trained as stacked runs.

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
      run in parallel with ``n_jobs``. ``optimizer="lbfgs"`` or an optimizer
      class, ``early_stopping=True`` and ``callbacks`` are not stacked: those
      candidates are fitted one by one, as GridSearchCV does.
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
    >>> search = SoftmaxSearchCV(
    ...     SoftmaxClassifier(random_state=0),
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
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.param_grid = param_grid

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **params):
        """Train the candidates as stacked runs, then score and refit as GridSearchCV does.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        **params : dict
            ``groups`` for a group splitter, and fit parameters such as
            ``sample_weight``, routed as GridSearchCV routes them.

        Returns
        -------
        self : SoftmaxSearchCV
        """
        check_grid(self.estimator, self.param_grid)
        self._get_scorers()  # scikit-learn's checks of scoring and refit, before any training
        X, y = indexable(X, y)
        cv = check_cv(self.cv, y, classifier=True)
        splits = list(cv.split(X, y, params.get("groups")))  # once: unseeded shuffling differs
        candidates = list(ParameterGrid(self.param_grid))
        runs, self.n_stacked_runs_ = self._train_stacked(X, y, splits, candidates, params)
        runs.score_held_out()
        scored = ScoredCandidates(
            looked_up(self.estimator),
            candidates,
            cv=check_cv(splits),  # the very splits the runs trained on
            scoring=self.scoring,
            refit=self.refit,
            verbose=self.verbose,
            error_score=self.error_score,
            return_train_score=self.return_train_score,
        )
        scored.fit(X, y, row_ids=np.arange(len(y)), search_runs=runs, **params)
        for name, value in vars(scored).items():  # cv_results_, best_*, scorer_, n_splits_, ...
            if name.endswith("_") and not name.startswith("_"):
                setattr(self, name, value)
        if self.refit:
            self.best_estimator_ = plain(scored.best_estimator_, self.estimator)
        self.stacked_time_, self.n_separate_fits_ = runs.costs(self.estimator, candidates)
        return self

    def _sample_weight(self, params):
        """The classifier's sample weights among the fit parameters, and whether it can stack.

        A Pipeline's classifier takes ``<last step>__sample_weight``; fit
        parameters for its transformers make every candidate a separate fit.
        """
        name = None
        if isinstance(self.estimator, Pipeline):
            name = self.estimator.steps[-1][0]
            routed = {"groups", "sample_weight", f"{name}__sample_weight"}
            if set(params) - routed:
                return None, False
        if get_config()["enable_metadata_routing"]:
            requests = classifier_of(self.estimator).get_metadata_routing().fit.requests
            if requests.get("sample_weight") is not True:
                return None, True  # routing gives weights only to estimators asking for them
            return params.get("sample_weight"), True
        return params.get("sample_weight" if name is None else f"{name}__sample_weight"), True

    def _train_stacked(self, X, y, splits, candidates, params):
        """Group the candidates into stacked runs, one per group and split; the runs and
        their number."""
        sample_weight, stackable = self._sample_weight(params)
        encoded = encoded_if_stackable(y, [np.asarray(train) for train, _ in splits])
        if isinstance(self.estimator, Pipeline):
            if encoded is None or not stackable:
                encoded, candidates = None, []
            return train_pipeline_runs(self, X, y, splits, candidates, sample_weight, encoded)
        runs = Runs(
            splits, X if isinstance(X, np.ndarray) else None, n_threads=self.estimator.n_threads
        )
        groups = stacked_groups(self.estimator, candidates) if encoded is not None else []
        if not groups:
            return runs, 0
        from ._stacked import train_groups  # torch, imported when a search first trains

        X32 = check_array(X, accept_sparse="csr", dtype=np.float32, order="C")
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=np.float64)
        trained = train_groups(
            X32,
            *encoded,
            sample_weight,
            runs.sets,
            groups,
            n_jobs=self.n_jobs,
            verbose=self.verbose,
        )
        for (_, settings, _), (models, seconds) in zip(groups, trained, strict=True):
            runs.add(settings, models, seconds)
        return runs, len(groups) * len(runs.sets)


def encoded_if_stackable(y, row_sets):
    """``(y encoded, classes)`` where every training set holds every class, else None.

    Else the candidates are fitted one by one: SoftmaxClassifier's own fit
    says what is wrong with ``y``, or fits a split without a class as
    GridSearchCV would.
    """
    if type_of_target(y) not in ("binary", "multiclass"):
        return None
    classes, y_encoded = np.unique(y, return_inverse=True)
    if any(len(np.unique(y_encoded[rows])) < len(classes) for rows in row_sets):
        return None
    return y_encoded, classes
