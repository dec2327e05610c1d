"""SoftmaxHalvingSearchCV: successive halving with epochs as the resource, in stacked runs.

All candidates start training together; at each rung the survivors (the best
``1 / factor`` by mean CV score, chosen by scikit-learn's own successive
halving) go on training from where they are, and the others leave the
stacked runs. A survivor's score at a rung is that of a separate fit with
that ``max_epochs``: its weights at that epoch.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV, ParameterGrid

from .._estimator import SoftmaxClassifier
from .._upstream import BaseSearchCV, Interval, StrOptions
from .._warnings import one_warning_for_max_epochs
from ._base import StackedSearchCV
from ._inputs import encoded_if_stackable, sizes, training_inputs
from ._plan import Plan
from ._trained import TrainedModels


class Rungs(TrainedModels):
    """The trained models of a halving search, trained one rung at a time.

    Its runs start untrained (:class:`~sk_softmax.search._runs.StackedRun`);
    :meth:`advance` trains the models that a rung's candidates need to that
    rung's epochs, and lets the others leave.
    """

    def __init__(self, plan, train_sets, stacked, classes, tests=None, n_threads=None):
        models = [run.models for run in stacked]
        super().__init__(plan, train_sets, models, classes, tests, n_threads)
        self.stacked = stacked

    def advance(self, candidates):
        """Keep only these candidates' models, and train them on to the candidates' epochs."""
        epochs = max(candidate["max_epochs"] for candidate in candidates)
        for number, (run, stacked) in enumerate(zip(self.plan.runs, self.stacked, strict=True)):
            keys = [self.key(run.split, candidate) for candidate in candidates]
            stacked.keep({key[1] for key in keys if key is not None and key[0] == number})
            stacked.stack.checkpoints.add(epochs)
            stacked.train_to(epochs)
            self.seconds[number] = stacked.seconds
        self.score_held_out()


class HalvingLoop(HalvingGridSearchCV):
    """scikit-learn's successive halving over the candidates, each rung trained first.

    ``rungs`` (a :class:`Rungs`, or None where nothing stacks) trains the
    models a rung's candidates need before scikit-learn scores them.
    """

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        rungs=None,
        factor=3,
        resource="max_epochs",
        max_resources="auto",
        min_resources="exhaust",
        aggressive_elimination=False,
        cv=5,
        scoring=None,
        refit=True,
        error_score=np.nan,
        return_train_score=True,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            estimator,
            param_grid,
            factor=factor,
            resource=resource,
            max_resources=max_resources,
            min_resources=min_resources,
            aggressive_elimination=aggressive_elimination,
            cv=cv,
            scoring=scoring,
            refit=refit,
            error_score=error_score,
            return_train_score=return_train_score,
            random_state=random_state,
            verbose=verbose,
        )
        self.rungs = rungs

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        def trained_then_evaluated(candidate_params, cv=None, more_results=None, **kwargs):
            candidate_params = list(candidate_params)
            if self.rungs is not None:
                base = self.estimator.get_params(deep=False)
                self.rungs.advance([{**base, **c} for c in candidate_params])
            return evaluate_candidates(candidate_params, cv, more_results=more_results, **kwargs)

        with one_warning_for_max_epochs():
            if callback_ctx is None:  # scikit-learn before 1.9, whose searches take no callbacks
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

    Two differences from HalvingGridSearchCV are deliberate: ``resource``
    defaults to ``"max_epochs"`` (with ``"n_samples"``, or an estimator
    other than a SoftmaxClassifier, every candidate is fitted as
    HalvingGridSearchCV fits it), and ``max_resources="auto"`` is the
    estimator's ``max_epochs`` (HalvingGridSearchCV refuses "auto" for any
    resource but ``"n_samples"``).

    Parameters
    ----------
    estimator : estimator object
        The model searched; a SoftmaxClassifier trains as stacked runs.
    param_grid : dict or list of dicts
        As for HalvingGridSearchCV; the resource is not in the grid.
    factor : int or float, default=3
        The proportion of candidates kept at each rung (the best ``1 /
        factor``), and the growth of the epochs from rung to rung.
    resource : str, default="max_epochs"
        What grows from rung to rung: ``max_epochs``, or as in
        HalvingGridSearchCV (``"n_samples"`` or another parameter).
    max_resources : "auto" or int, default="auto"
        The most epochs a candidate trains; "auto" is the estimator's
        ``max_epochs`` (for ``resource="n_samples"``: the number of samples).
    min_resources : {"exhaust", "smallest"} or int, default="exhaust"
        The epochs of the first rung: as many as lets the last rung use
        ``max_resources`` ("exhaust"), 1 ("smallest"), or this number.
    aggressive_elimination, cv, scoring, refit, error_score, \
return_train_score, random_state, n_jobs, verbose
        As for HalvingGridSearchCV (``cv`` defaults to 5 folds, and
        ``return_train_score`` to True, as there; ``random_state`` draws the
        subsamples of ``resource="n_samples"`` only). The rungs train their
        stacked runs one after another in this process, so ``n_jobs`` takes
        no effect here; it is accepted with HalvingGridSearchCV's signature.

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
    >>> search = SoftmaxHalvingSearchCV(
    ...     SoftmaxClassifier(random_state=0),
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
        "resource": [str],
        "min_resources": [
            Interval(Integral, 0, None, closed="neither"),
            StrOptions({"exhaust", "smallest"}),
        ],
        "max_resources": [Interval(Integral, 0, None, closed="neither"), StrOptions({"auto"})],
        "aggressive_elimination": ["boolean"],
        "random_state": ["random_state"],
    }
    _parameter_constraints.pop("pre_dispatch")
    _RESULTS = (
        *StackedSearchCV._RESULTS,
        "n_resources_",
        "n_candidates_",
        "n_remaining_candidates_",
        "max_resources_",
        "min_resources_",
        "n_iterations_",
        "n_possible_iterations_",
        "n_required_iterations_",
    )

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        factor=3,
        resource="max_epochs",
        max_resources="auto",
        min_resources="exhaust",
        aggressive_elimination=False,
        cv=5,
        scoring=None,
        refit=True,
        error_score=np.nan,
        return_train_score=True,
        random_state=None,
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
        self.resource = resource
        self.max_resources = max_resources
        self.min_resources = min_resources
        self.aggressive_elimination = aggressive_elimination
        self.random_state = random_state

    def _candidates(self):
        return list(ParameterGrid(self.param_grid))  # HalvingGridSearchCV's own grid

    def _max_resources(self):
        epochs = self.estimator.get_params().get("max_epochs")
        if self.max_resources == "auto" and self.resource == "max_epochs" and epochs is not None:
            return epochs
        return self.max_resources  # HalvingGridSearchCV says what is wrong with it

    def _loop(self, estimator, candidates, cv, trained):
        return HalvingLoop(
            estimator,
            self.param_grid,
            rungs=trained,
            factor=self.factor,
            resource=self.resource,
            max_resources=self._max_resources(),
            min_resources=self.min_resources,
            aggressive_elimination=self.aggressive_elimination,
            cv=cv,
            scoring=self.scoring,
            refit=self.refit,
            error_score=self.error_score,
            return_train_score=self.return_train_score,
            random_state=self.random_state,
            verbose=self.verbose,
        )

    def _train(self, X, y, splits, candidates, params):
        """The stacked runs, one per group of candidates and split, untrained: the rungs
        train them (None where nothing stacks)."""
        sample_weight, stackable = self._sample_weight(X, params)
        train_sets = [np.asarray(train) for train, _ in splits]
        encoded = encoded_if_stackable(y, train_sets) if stackable else None
        if (
            encoded is None
            or type(self.estimator) is not SoftmaxClassifier
            or self.resource != "max_epochs"
            or any("max_epochs" in c for c in candidates)  # HalvingGridSearchCV refuses these
        ):
            return None
        data = training_inputs(X, sample_weight, encoded)
        epochs = self._max_resources()
        plan = Plan(
            self.estimator.get_params(deep=False),
            [{**c, "max_epochs": epochs} for c in candidates],
            sizes(data, train_sets),
        )
        from ._runs import StackedRun  # torch, on a search's first training

        stacked = [StackedRun(run, *data, train_sets[run.split]) for run in plan.runs]
        return Rungs(
            plan,
            train_sets,
            stacked,
            encoded[1],
            tests=self._test_rows(X, splits),
            n_threads=self.estimator.n_threads,
        )
