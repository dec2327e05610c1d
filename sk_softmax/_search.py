"""SoftmaxSearchCV: GridSearchCV over a SoftmaxClassifier at the cost of a few stacked runs."""

import numpy as np
from joblib import Parallel, delayed
from sklearn import get_config
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid
from sklearn.model_selection._search import BaseSearchCV
from sklearn.model_selection._split import check_cv
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, indexable, validate_data

from ._estimator import SoftmaxClassifier
from ._runs import Runs
from ._stacked import IGNORED, PER_MODEL, stackable, train_stacked
from ._training import warn_not_converged
from .exceptions import DivergenceError


class _LookedUp(SoftmaxClassifier):
    """A SoftmaxClassifier whose ``fit`` takes its weights from the search's stacked runs.

    The rows it is fitted on arrive as ``row_ids`` (scikit-learn slices such
    fit parameters like the data), the runs as ``search_runs``; parameters or
    rows the runs did not train (the refit among them) fall back to an
    ordinary fit.
    """

    def fit(self, X, y, sample_weight=None, row_ids=None, search_runs=None):
        runs = search_runs
        found = (None, 0.0, None) if runs is None else runs.find(self.get_params(), row_ids)
        model, seconds, index = found
        self.stacked_seconds_ = seconds
        self._held_out = None
        if model is None:  # an ordinary fit, whose errors name SoftmaxClassifier
            fitted = SoftmaxClassifier(**self.get_params()).fit(X, y, sample_weight=sample_weight)
            vars(self).update(vars(fitted))
            return self
        if model.diverged and model.stopped_at <= self.max_epochs:
            raise DivergenceError(
                f"Training diverged in a stacked run (lr={self.lr}): the loss or the weights "
                "became infinite or NaN. Lower lr or standardise X."
            )
        # The rows were checked when the stacked run took them: record their shape only.
        validate_data(self, X, reset=True, skip_check_array=True)
        self.classes_ = np.unique(y)
        coef, intercept, history = model.at(self.max_epochs)
        if len(history) >= self.max_epochs and model.stopped_at != self.max_epochs:
            # as a separate fit would: max_epochs ran out before the stopping rule ended it
            warn_not_converged(self.get_params(), "train_loss", stacklevel=3)
        self._held_out = runs.held_out(index, coef)
        # Scoring needs the weights only; the skorch net is built for the refit.
        self.coef_, self.intercept_ = coef.astype(np.float64), intercept.astype(np.float64)
        self._trained = (
            coef,
            intercept,
            [dict(e, n_samples_seen=model.n_samples_seen) for e in history],
        )
        return self

    def _logits(self, X):
        # The split's test rows: their logits were computed with the other candidates'.
        if self._held_out is not None:
            rows, logits = self._held_out
            if _same_rows(X, rows):
                return logits.copy()
        return super()._logits(X)


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
    receive the rows of ``X`` as GridSearchCV gives them. ``mean_fit_time``
    is each model's share of its run (plus looking it up; ``std_fit_time``
    is the spread of that); for a dense array ``X``, each split's test rows
    are scored once for all its stacked models, and ``mean_score_time``
    includes each candidate's share of that.

    Parameters
    ----------
    estimator : SoftmaxClassifier
        The model whose parameters are searched (a pipeline is not
        supported: search ``SoftmaxClassifier`` on transformed data, or use
        GridSearchCV).
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
        As for GridSearchCV; ``best_estimator_`` is a fitted SoftmaxClassifier.
    n_stacked_runs_ : int
        Stacked runs trained (one per group of stackable candidates and split).
    n_separate_fits_ : int
        Candidate fits that were not stacked (see above).

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

    def _run_search(self, evaluate_candidates):
        evaluate_candidates(ParameterGrid(self.param_grid))

    def fit(self, X, y=None, *, groups=None, **params):
        """Train the candidates as stacked runs, then score and refit as GridSearchCV does.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        groups : array-like of shape (n_samples,), default=None
            Group labels for a group splitter.
        **params : dict
            Fit parameters such as ``sample_weight``, routed as GridSearchCV
            routes them.

        Returns
        -------
        self : SoftmaxSearchCV
        """
        self._check_search_inputs()
        self._get_scorers()  # scikit-learn's checks of scoring and refit, before any training
        X, y, groups = indexable(X, y, groups)
        cv = check_cv(self.cv, y, classifier=True)
        splits = list(cv.split(X, y, groups))  # once: a generator, or unseeded shuffling
        sample_weight = params.get("sample_weight")
        if get_config()["enable_metadata_routing"]:
            requests = self.estimator.get_metadata_routing().fit.requests
            if requests.get("sample_weight") is not True:
                sample_weight = None  # routing gives weights only to estimators asking for them
        runs = self._train_stacked(X, y, splits, sample_weight)
        runs.score_held_out()
        estimator, n_jobs, given_cv = self.estimator, self.n_jobs, self.cv
        self.estimator = _looked_up(estimator)
        self.n_jobs = None  # scoring is cheap; the runs stay in this process
        self.cv = splits  # the very splits the runs trained on
        try:
            super().fit(
                X,
                y,
                **({} if groups is None else {"groups": groups}),
                row_ids=np.arange(len(y)),
                search_runs=runs,
                **params,
            )
        finally:
            self.estimator, self.n_jobs, self.cv = estimator, n_jobs, given_cv
        self._report_costs(runs)
        if self.refit:
            self.best_estimator_ = _plain(self.best_estimator_, estimator)
        return self

    # ----------------------------------------------------------- helpers

    def _check_search_inputs(self):
        if type(self.estimator) is not SoftmaxClassifier:
            raise ValueError(
                "SoftmaxSearchCV searches a SoftmaxClassifier, got "
                f"{type(self.estimator).__name__}. For a Pipeline or another estimator, "
                "use sklearn.model_selection.GridSearchCV."
            )
        if not self.param_grid or (isinstance(self.param_grid, list) and not all(self.param_grid)):
            raise ValueError(
                f"param_grid is empty ({self.param_grid!r}): give at least one parameter "
                "and its values, e.g. {'lr': [0.01, 0.1], 'max_epochs': [10, 40]}."
            )
        grid = ParameterGrid(self.param_grid)  # refuses empty value lists
        valid = set(self.estimator.get_params(deep=False))
        for candidate in grid:
            unknown = sorted(set(candidate) - valid)
            if unknown:
                raise ValueError(
                    f"Invalid parameter(s) {unknown} in param_grid for SoftmaxClassifier. "
                    f"Valid parameters are: {sorted(valid)}."
                )

    def _train_stacked(self, X, y, splits, sample_weight):
        """Group the candidates into stacked runs, one per group and split (n_jobs in parallel)."""
        runs = Runs(
            splits, X if isinstance(X, np.ndarray) else None, n_threads=self.estimator.n_threads
        )
        self.n_stacked_runs_ = 0
        if type_of_target(y) not in ("binary", "multiclass"):
            return runs  # SoftmaxClassifier's own fit reports what is wrong
        classes, y_encoded = np.unique(y, return_inverse=True)
        if any(len(np.unique(y_encoded[rows])) < len(classes) for rows in runs.sets):
            return runs  # a split lacks a class: separate fits, as GridSearchCV
        groups = self._groups()
        if not groups:
            return runs
        X32 = check_array(X, accept_sparse="csr", dtype=np.float32, order="C")
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=np.float64)
        tasks = [(group, rows) for group in groups for rows in runs.sets]
        trained = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)(
            delayed(train_stacked)(
                X32,
                y_encoded,
                classes,
                sample_weight,
                rows,
                settings,
                run,
                sorted(epochs),
                verbose=self.verbose,
            )
            for (run, settings, epochs), rows in tasks
        )
        n_splits = len(runs.sets)
        for g, (_, settings, _) in enumerate(groups):
            per_split = trained[g * n_splits : (g + 1) * n_splits]
            runs.add(settings, [models for models, _ in per_split], sum(s for _, s in per_split))
        self.n_stacked_runs_ = len(tasks)
        if self.verbose:
            print(
                f"SoftmaxSearchCV: {len(tasks)} stacked run(s) of "
                f"{', '.join(str(len(g[1])) for g in groups)} models per split "
                f"in {sum(s for _, s in trained):.1f} s"
            )
        return runs

    def _groups(self):
        """``[(run params, [settings], {max_epochs})]``: the candidates that stack, grouped."""
        base = self.estimator.get_params(deep=False)
        groups = []
        for candidate in ParameterGrid(self.param_grid):
            params = {**base, **candidate}
            if not (_valid(params) and stackable(params)):
                continue  # fitted separately: SoftmaxClassifier.fit says what is wrong
            run = {k: v for k, v in params.items() if k not in PER_MODEL + IGNORED}
            group = next((g for g in groups if g[0] == run), None)
            if group is None:
                group = (run, [], set())
                groups.append(group)
            setting = {**params, "max_epochs": None}
            if setting not in group[1]:
                group[1].append(setting)
            group[2].add(params["max_epochs"])
        return groups

    def _report_costs(self, runs):
        """Put each stacked model's share of its run, and of scoring its split, into the times."""
        results = self.cv_results_
        shares = []  # per candidate: its models' shares of their runs, one per split
        for candidate in results["params"]:
            params = {**self.estimator.get_params(deep=False), **candidate}
            shares.append([runs.find(params, rows)[1] for rows in runs.sets])
        stacked = [i for i, share in enumerate(shares) if all(share)]
        n_separate = sum(len(share) for i, share in enumerate(shares) if i not in stacked)
        for i in stacked:
            results["mean_fit_time"][i] += np.mean(shares[i])
            results["mean_score_time"][i] += runs.score_seconds / len(shares[i]) / len(stacked)
        self.n_separate_fits_ = n_separate


def _same_rows(X, rows):
    """Whether ``X`` holds exactly the rows ``rows`` (same type, shape, dtype and values)."""
    return (
        type(X) is type(rows)
        and X.shape == rows.shape
        and X.dtype == rows.dtype
        and np.array_equal(X, rows)
    )


def _valid(params):
    try:
        SoftmaxClassifier(**params)._validate_params()
    except (ValueError, TypeError):
        return False
    return True


def _looked_up(estimator):
    """``estimator`` as a :class:`_LookedUp`, asking for ``row_ids`` and ``search_runs``."""
    looked_up = _LookedUp(**estimator.get_params(deep=False))
    if get_config()["enable_metadata_routing"]:  # the user's requests, and the lookup's
        routing = estimator.get_metadata_routing()
        looked_up.set_fit_request(
            sample_weight=routing.fit.requests.get("sample_weight"), row_ids=True, search_runs=True
        )
        looked_up.set_score_request(sample_weight=routing.score.requests.get("sample_weight"))
    return looked_up


def _plain(looked_up, estimator):
    """The fitted ``_LookedUp`` as a plain SoftmaxClassifier with ``estimator``'s requests."""
    plain = clone(estimator).set_params(**looked_up.get_params(deep=False))
    for name, value in vars(looked_up).items():
        if name.endswith("_") and not name.startswith("_") and name != "stacked_seconds_":
            setattr(plain, name, value)
    if hasattr(looked_up, "_trained"):
        plain._set_weights(*looked_up._trained)
    return plain
