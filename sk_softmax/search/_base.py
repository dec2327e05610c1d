"""What every stacked search does: train the candidates as stacked runs, then score them."""

import numpy as np
from sklearn import get_config
from sklearn.model_selection import check_cv
from sklearn.pipeline import Pipeline
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import indexable

from .._upstream import BaseSearchCV, _fit_context
from ._candidates import check_candidates, classifier_of, stacked_groups
from ._inputs import sizes, training_inputs
from ._lookup import ScoredCandidates, looked_up, plain
from ._pipeline import train_pipeline_runs
from ._runs import Runs


class StackedSearchCV(BaseSearchCV):
    """A scikit-learn search whose candidates train as stacked runs.

    A subclass gives its candidates (:meth:`_candidates`, drawn once per
    fit). ``fit`` groups them into stacked runs, one per group and CV split,
    trains those, and runs scikit-learn's own search loop over the same
    candidates and splits, each candidate's fit looked up in the runs
    (:class:`~sk_softmax.search._lookup.ScoredCandidates`).
    """

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
        check_candidates(self.estimator, candidates, self._grid_name)
        self._get_scorers()  # scikit-learn's checks of scoring and refit, before any training
        X, y = indexable(X, y)
        cv = check_cv(self.cv, y, classifier=True)
        splits = list(cv.split(X, y, params.get("groups")))  # once: unseeded shuffling differs
        runs, self.n_stacked_runs_ = self._train_stacked(X, y, splits, candidates, params)
        runs.score_held_out()
        scored = self._scoring_search(looked_up(self.estimator), candidates, check_cv(splits))
        scored.fit(X, y, row_ids=np.arange(len(y)), search_runs=runs, **params)
        for name, value in vars(scored).items():  # cv_results_, best_*, scorer_, n_splits_, ...
            if name.endswith("_") and not name.startswith("_"):
                setattr(self, name, value)
        if self.refit:
            self.best_estimator_ = plain(scored.best_estimator_, self.estimator)
        self.stacked_time_, self.n_separate_fits_ = runs.costs(self.estimator, candidates)
        return self

    def _scoring_search(self, estimator, candidates, cv):
        """scikit-learn's search that scores the candidates: GridSearchCV's loop."""
        return ScoredCandidates(
            estimator,
            candidates,
            cv=cv,  # the very splits the runs trained on
            scoring=self.scoring,
            refit=self.refit,
            verbose=self.verbose,
            error_score=self.error_score,
            return_train_score=self.return_train_score,
        )

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
        runs = self._new_runs(X, splits)
        if encoded is None or not stacked_groups(self.estimator, candidates, []):
            return runs, 0  # none can stack, whatever the data's size
        data = training_inputs(X, sample_weight, encoded)
        groups = stacked_groups(self.estimator, candidates, sizes(data, runs.sets))
        if not groups:
            return runs, 0
        from ._stacked import train_groups  # torch, on a search's first training

        trained = train_groups(*data, runs.sets, groups, n_jobs=self.n_jobs, verbose=self.verbose)
        for (_, settings, _), (models, seconds) in zip(groups, trained, strict=True):
            runs.add(settings, models, seconds)
        return runs, len(groups) * len(runs.sets)

    def _new_runs(self, X, splits):
        """Empty :class:`Runs` for ``splits``; a dense ``X`` has its test rows scored once."""
        return Runs(
            splits, X if isinstance(X, np.ndarray) else None, n_threads=self.estimator.n_threads
        )


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
