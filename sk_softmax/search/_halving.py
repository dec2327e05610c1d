"""SoftmaxHalvingSearchCV: successive halving with epochs as the resource, in one stacked run.

All candidates start training together; at each rung the survivors (the best
``1 / factor`` by mean CV score, chosen by scikit-learn's own successive
halving) go on training from where they are, and the others leave the
stacked product. A survivor's score at a rung is that of a separate fit
with that ``max_epochs``: its weights at that epoch.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV, ParameterGrid

from .._estimator import SoftmaxClassifier
from .._upstream import BaseSearchCV, Interval, StrOptions
from ._base import StackedSearchCV, encoded_if_stackable
from ._candidates import stacked_groups
from ._inputs import sizes, training_inputs
from ._runs import without_max_epochs


class _Rungs:
    """The stacked runs of a halving search, trained one rung at a time.

    ``settings`` and ``stacked`` are per group: its settings, and its
    :class:`~sk_softmax.search._stacked.StackedRun` on each split.
    """

    def __init__(self, runs, settings, stacked):
        self.runs, self.settings, self.stacked = runs, settings, stacked

    def advance(self, candidates):
        """Keep only these candidates' models, and train them on to the candidates' epochs."""
        keep = [without_max_epochs(c) for c in candidates]
        epochs = max(c["max_epochs"] for c in candidates)
        for settings, per_split in zip(self.settings, self.stacked, strict=True):
            kept = [i for i, s in enumerate(settings) if without_max_epochs(s) in keep]
            for run in per_split:
                run.keep(kept)
                run.train_to(epochs, [epochs])
        self.runs.score_held_out()

    @property
    def models(self):
        return [[run.models for run in per_split] for per_split in self.stacked]

    @property
    def seconds(self):
        return [sum(run.seconds for run in per_split) for per_split in self.stacked]


class ScoredHalving(HalvingGridSearchCV):
    """scikit-learn's successive halving over the candidates, each rung trained first."""

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        rungs=None,
        factor=3,
        max_resources="auto",
        min_resources="exhaust",
        aggressive_elimination=False,
        cv=5,
        scoring=None,
        refit=True,
        error_score=np.nan,
        return_train_score=True,
        verbose=0,
    ):
        super().__init__(
            estimator,
            param_grid,
            factor=factor,
            resource="max_epochs",
            max_resources=max_resources,
            min_resources=min_resources,
            aggressive_elimination=aggressive_elimination,
            cv=cv,
            scoring=scoring,
            refit=refit,
            error_score=error_score,
            return_train_score=return_train_score,
            verbose=verbose,
        )
        self.rungs = rungs

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        def trained_then_evaluated(candidate_params, cv=None, more_results=None, **kwargs):
            candidate_params = list(candidate_params)
            self.rungs.advance([{**self._base, **c} for c in candidate_params])
            return evaluate_candidates(candidate_params, cv, more_results=more_results, **kwargs)

        self._base = self.estimator.get_params(deep=False)
        if callback_ctx is None:  # scikit-learn before 1.9
            return super()._run_search(trained_then_evaluated)
        return super()._run_search(trained_then_evaluated, callback_ctx=callback_ctx)


class SoftmaxHalvingSearchCV(StackedSearchCV):
    """Successive halving over a SoftmaxClassifier's parameters, epochs as the resource.

    Read more in the :ref:`User Guide <halving-search>`.

    :class:`~sklearn.model_selection.HalvingGridSearchCV` with
    ``resource="max_epochs"``, trained as one stacked run per CV split: every
    candidate of ``param_grid`` starts in it; at each rung scikit-learn's
    successive halving keeps the best ``1 / factor`` of the candidates by
    mean CV score, and those go on training from where they are (a
    HalvingGridSearchCV restarts each rung from scratch). Each candidate's
    score at a rung is exactly what its separate fit with that
    ``max_epochs`` would get: its weights at that epoch. ``cv_results_`` has
    HalvingGridSearchCV's keys (``iter``, ``n_resources``, ...), the winner
    is the best of the last rung, and ``best_estimator_`` its refit.

    Parameters
    ----------
    estimator : SoftmaxClassifier
        The model searched (a Pipeline is not: use :class:`SoftmaxSearchCV`,
        or HalvingGridSearchCV over it).
    param_grid : dict or list of dicts
        As for HalvingGridSearchCV; ``max_epochs`` is the resource, and not
        in the grid.
    factor : int or float, default=3
        The proportion of candidates kept at each rung (the best ``1 /
        factor``), and the growth of the epochs from rung to rung.
    min_resources : {"exhaust", "smallest"} or int, default="exhaust"
        The epochs of the first rung: as many as lets the last rung use
        ``max_resources`` ("exhaust"), 1 ("smallest"), or this number.
    max_resources : "auto" or int, default="auto"
        The most epochs a candidate trains; "auto" is the estimator's
        ``max_epochs``.
    aggressive_elimination, cv, scoring, refit, error_score, \
return_train_score, n_jobs, verbose
        As for HalvingGridSearchCV (``cv`` defaults to 5 folds, and
        ``return_train_score`` to True, as there).

    Attributes
    ----------
    n_resources_, n_candidates_, n_remaining_candidates_, max_resources_, \
min_resources_, n_iterations_, n_possible_iterations_, n_required_iterations_
        As for HalvingGridSearchCV: the epochs and the candidates of each rung.
    cv_results_, best_estimator_, best_score_, best_params_, best_index_, \
scorer_, n_splits_, refit_time_, multimetric_, classes_, n_features_in_
        As for HalvingGridSearchCV.
    n_stacked_runs_, n_separate_fits_, stacked_time_
        As for :class:`SoftmaxSearchCV` (``stacked_time_`` per row of
        ``cv_results_``).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sk_softmax import SoftmaxClassifier, SoftmaxHalvingSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = SoftmaxHalvingSearchCV(  # Adam: "auto" would take L-BFGS on iris
    ...     SoftmaxClassifier(optimizer="adam", random_state=0),
    ...     {"lr": [0.003, 0.01, 0.03, 0.1, 0.3, 1.0]},
    ...     factor=3,
    ...     max_resources=9,
    ...     cv=3,
    ... ).fit(X, y)
    >>> search.n_resources_, search.n_candidates_
    ([3, 9], [6, 2])
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_grid": [dict, list],
        "factor": [Interval(Real, 0, None, closed="neither")],
        "min_resources": [
            Interval(Integral, 0, None, closed="neither"),
            StrOptions({"exhaust", "smallest"}),
        ],
        "max_resources": [Interval(Integral, 0, None, closed="neither"), StrOptions({"auto"})],
        "aggressive_elimination": ["boolean"],
    }
    _grid_name = "param_grid"

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        factor=3,
        min_resources="exhaust",
        max_resources="auto",
        aggressive_elimination=False,
        cv=5,
        scoring=None,
        refit=True,
        error_score=np.nan,
        return_train_score=True,
        n_jobs=None,
        verbose=0,
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
        self.factor = factor
        self.min_resources = min_resources
        self.max_resources = max_resources
        self.aggressive_elimination = aggressive_elimination

    def _candidates(self):
        if type(self.estimator) is not SoftmaxClassifier:
            raise ValueError(
                "SoftmaxHalvingSearchCV searches a SoftmaxClassifier, got "
                f"{type(self.estimator).__name__}. For a Pipeline, use SoftmaxSearchCV or "
                "HalvingGridSearchCV."
            )
        grids = self.param_grid if isinstance(self.param_grid, list) else [self.param_grid]
        if any("max_epochs" in grid for grid in grids):
            raise ValueError(
                "max_epochs is the resource of SoftmaxHalvingSearchCV: leave it out of "
                "param_grid, and set max_resources (and min_resources) instead."
            )
        return list(ParameterGrid(self.param_grid))

    def _max_epochs(self):
        if self.max_resources == "auto":
            return self.estimator.max_epochs
        return self.max_resources

    def fit(self, X, y=None, **params):
        """Successive halving over epochs, in stacked runs; then the refit of the winner.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        **params : dict
            ``groups`` for a group splitter, and fit parameters such as
            ``sample_weight``, routed as HalvingGridSearchCV routes them.

        Returns
        -------
        self : SoftmaxHalvingSearchCV
        """
        super().fit(X, y, **params)
        rungs = self._rungs
        rungs.runs.entries = []  # now with their time: each group's runs, over all rungs
        for keys, models, seconds in zip(rungs.settings, rungs.models, rungs.seconds, strict=True):
            rungs.runs.add(keys, models, seconds)
        self.stacked_time_, self.n_separate_fits_ = rungs.runs.costs(
            self.estimator, self.cv_results_["params"]
        )
        return self

    def _train_stacked(self, X, y, splits, candidates, params):
        """The stacked runs, one per group and split, ready to train rung by rung."""
        sample_weight, stackable = self._sample_weight(params)
        runs = self._new_runs(X, splits)
        encoded = encoded_if_stackable(y, runs.sets) if stackable else None
        epochs = self._max_epochs()
        groups, candidates = [], [{**c, "max_epochs": epochs} for c in candidates]
        if encoded is not None and stacked_groups(self.estimator, candidates, []):
            data = training_inputs(X, sample_weight, encoded)
            groups = stacked_groups(self.estimator, candidates, sizes(data, runs.sets))
        stacked = []
        if groups:
            from ._stacked import StackedRun  # torch, on first training

            stacked = [
                [StackedRun(*data, rows, settings, run) for rows in runs.sets]
                for run, settings, _ in groups
            ]
        self._rungs = _Rungs(runs, [settings for _, settings, _ in groups], stacked)
        for settings, per_split in zip(self._rungs.settings, stacked, strict=True):
            runs.add(settings, [r.models for r in per_split], 0.0)
        return runs, len(groups) * len(runs.sets)

    def _scoring_search(self, estimator, candidates, cv):
        return ScoredHalving(
            estimator,
            self.param_grid,
            rungs=self._rungs,
            factor=self.factor,
            max_resources=self._max_epochs(),
            min_resources=self.min_resources,
            aggressive_elimination=self.aggressive_elimination,
            cv=cv,
            scoring=self.scoring,
            refit=self.refit,
            error_score=self.error_score,
            return_train_score=self.return_train_score,
            verbose=self.verbose,
        )
