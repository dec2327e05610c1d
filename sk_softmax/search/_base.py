"""What every stacked search does: plan the stacked runs, train them, then look them up.

1. **Plan** (:mod:`~sk_softmax.search._plan`): the splits are drawn once; for
   each split, which candidates share a stacked run, and which model of it
   stands for each (split, candidate) fit.
2. **Train** (:mod:`~sk_softmax.search._runs`): every run, ``n_jobs`` at a
   time, into :class:`~sk_softmax.search._trained.TrainedModels`.
3. **Look up** (:mod:`~sk_softmax.search._lookup`): scikit-learn's own search
   loop over the same candidates and splits, each candidate's fit finding its
   trained model (or, where none stands for it, fitting as GridSearchCV
   would); its ``cv_results_``, best candidate and refit are the search's.
   Where only the candidates read ``X`` (a numpy array, scored by name), the
   loop takes its row indices in its place and copies no rows.
"""

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import clone, is_classifier
from sklearn.model_selection import check_cv
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_array, indexable

from .._estimator import SoftmaxClassifier
from .._upstream import BaseSearchCV, _fit_context, _num_samples, _safe_indexing
from ._inputs import encoded_if_stackable, sizes, training_inputs
from ._lookup import (
    ScoringLoop,
    _is_stackable_pipeline,
    looked_up,
    plain,
    scores_from_predictions,
)
from ._plan import Plan
from ._trained import TrainedModels

_RESULTS = (
    "cv_results_",
    "best_index_",
    "best_score_",
    "best_params_",
    "scorer_",
    "n_splits_",
    "refit_time_",
    "multimetric_",
    "feature_names_in_",
)
"""What scikit-learn's search loop leaves on the search (the refit's estimator aside)."""


class StackedSearchCV(BaseSearchCV):
    """A scikit-learn search whose candidates train as stacked runs.

    A subclass gives its candidates (:meth:`_candidates`, drawn once per fit)
    and, where it is not GridSearchCV's, its loop (:meth:`_loop`).
    """

    _RESULTS = _RESULTS

    def _candidates(self):
        """The list of candidate parameter dicts, in scikit-learn's order."""
        raise NotImplementedError

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **params):
        """Train the candidates as stacked runs, then score and refit as scikit-learn does.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        **params : dict
            ``groups`` for a group splitter, and fit parameters such as
            ``sample_weight``, routed as scikit-learn's searches route them.

        Returns
        -------
        self
        """
        candidates = self._candidates()  # once: a sampler without a seed draws others each time
        self._get_scorers()  # scikit-learn's checks of scoring and refit, before any training
        for candidate in candidates:  # unknown names, refused as GridSearchCV's first fit would
            clone(self.estimator).set_params(**clone(candidate, safe=False))
        X, y = indexable(X, y)
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        splits = list(cv.split(X, y, params.get("groups")))  # once: unseeded shuffling differs
        trained = self._train(X, y, splits, candidates, params)
        estimator = looked_up(self.estimator) if trained is not None else self.estimator
        loop = self._loop(estimator, candidates, check_cv(splits), trained)
        if trained is None:
            loop.fit(X, y, **params)
        else:
            if self._rows_stand_in(X):
                X = trained.stand_in(X, [test for _, test in splits])
            loop.fit(X, y, row_ids=np.arange(_num_samples(X)), trained=trained, **params)
        for name in self._RESULTS:
            if hasattr(loop, name):
                setattr(self, name, getattr(loop, name))
        if self.refit:
            self.best_estimator_ = plain(loop.best_estimator_, self.estimator)
        self._record_costs(trained)
        return self

    def _loop(self, estimator, candidates, cv, trained):
        """scikit-learn's search loop over ``candidates`` on the splits ``cv``."""
        return ScoringLoop(
            estimator,
            candidates,
            cv=cv,
            scoring=self.scoring,
            refit=self.refit,
            verbose=self.verbose,
            error_score=self.error_score,
            return_train_score=self.return_train_score,
        )

    def _rows_stand_in(self, X):
        """Whether scikit-learn's loop can take row indices for ``X``: every candidate
        takes its rows from ``X`` (a SoftmaxClassifier, or a Pipeline ending in one),
        ``X`` is a numpy array, and the scoring reads only predictions."""
        return (
            (type(self.estimator) is SoftmaxClassifier or _is_stackable_pipeline(self.estimator))
            and isinstance(X, np.ndarray)
            and scores_from_predictions(self.scoring)
        )

    # --------------------------------------------------------------- training

    def _train(self, X, y, splits, candidates, params):
        """The trained models of the candidates that stack (None where none can)."""
        sample_weight, stackable = self._sample_weight(X, params)
        encoded = encoded_if_stackable(y, [np.asarray(train) for train, _ in splits])
        if encoded is None or not stackable:
            return None
        from ._pipeline import train_pipeline  # torch, on a search's first training
        from ._runs import train_runs

        if _is_stackable_pipeline(self.estimator):
            return train_pipeline(
                self.estimator,
                X,
                y,
                splits,
                candidates,
                sample_weight,
                encoded,
                n_jobs=self.n_jobs,
                verbose=self.verbose,
            )
        if type(self.estimator) is not SoftmaxClassifier:
            return None  # another estimator: GridSearchCV's fits
        data = training_inputs(X, sample_weight, encoded)
        train_sets = [np.asarray(train) for train, _ in splits]
        plan = Plan(self.estimator.get_params(deep=False), candidates, sizes(data, train_sets))
        results = train_runs(
            plan.runs,
            lambda run: (*data, train_sets[run.split]),
            n_jobs=self.n_jobs,
            verbose=self.verbose,
        )
        trained = TrainedModels(
            plan,
            train_sets,
            [models for models, _ in results],
            encoded[1],
            tests=self._test_rows(X, splits),
            n_threads=self.estimator.n_threads,
        )
        trained.seconds = [seconds for _, seconds in results]
        trained.score_held_out()
        return trained

    def _sample_weight(self, X, params):
        """The classifier's sample weights among the fit parameters, and whether the
        candidates can stack: a Pipeline's transformers take no fit parameters, and the
        weights fit ``X``."""
        name = None
        if isinstance(self.estimator, Pipeline) and self.estimator.steps:
            name = self.estimator.steps[-1][0]
            routed = {"groups", "sample_weight", f"{name}__sample_weight"}
            if set(params) - routed:
                return None, False
        weights = params.get("sample_weight" if name is None else f"{name}__sample_weight")
        if get_config()["enable_metadata_routing"]:
            classifier = self.estimator.steps[-1][1] if name else self.estimator
            requests = classifier.get_metadata_routing().fit.requests
            weights = params.get("sample_weight") if requests.get("sample_weight") is True else None
        if weights is not None and _num_samples(weights) != _num_samples(X):
            return None, False  # each fit says what is wrong, as in GridSearchCV
        return weights, True

    @staticmethod
    def _test_rows(X, splits):
        """Each split's test rows as a candidate's scoring validates them (dense arrays)."""
        if not hasattr(X, "shape") or sp.issparse(X):
            return None
        return [check_array(_safe_indexing(X, test), accept_sparse="csr") for _, test in splits]

    # ------------------------------------------------------------------ costs

    def _record_costs(self, trained):
        """``n_stacked_runs_``, ``n_separate_fits_`` and ``stacked_time_``, from what ran."""
        rows = self.cv_results_["params"]
        n_splits = self.n_splits_
        if trained is None:
            self.n_stacked_runs_, self.n_separate_fits_ = 0, len(rows) * n_splits
            self.stacked_time_ = np.zeros(len(rows))
            return
        stacked = np.array(
            [[trained.key(k, row) is not None for k in range(n_splits)] for row in rows]
        ).reshape(len(rows), n_splits)
        self.n_stacked_runs_ = trained.n_runs
        self.n_separate_fits_ = int((~stacked).sum())
        seconds = np.array([trained.stacked_seconds(row, n_splits) for row in rows])
        users = stacked.any(1)
        if users.any():  # the held-out scoring, shared by every stacked candidate
            seconds[users] += trained.score_seconds / n_splits / users.sum()
        self.stacked_time_ = seconds
