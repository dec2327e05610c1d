"""scikit-learn's search loop over candidates whose fits are looked up in the stacked runs."""

import numpy as np
from sklearn import get_config
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import validate_data

from .._estimator import SoftmaxClassifier
from .._upstream import BaseSearchCV
from .._warnings import warn_not_converged
from ..exceptions import DivergenceError
from ._pipeline import looked_up_pipeline, plain_pipeline


class LookedUp(SoftmaxClassifier):
    """A SoftmaxClassifier whose ``fit`` takes its weights from a search's stacked runs.

    The rows it is fitted on arrive as ``row_ids`` (scikit-learn slices such
    fit parameters like the data), the runs as ``search_runs``; parameters or
    rows the runs did not train (the refit among them) fall back to an
    ordinary fit.
    """

    def fit(self, X, y, sample_weight=None, row_ids=None, search_runs=None):
        runs = search_runs
        found = (None, 0.0, None) if runs is None else runs.find(self.get_params(), row_ids)
        model, _, index = found
        self._held_out = None
        if model is None:  # an ordinary fit, whose errors name SoftmaxClassifier
            fitted = SoftmaxClassifier(**self.get_params()).fit(X, y, sample_weight=sample_weight)
            vars(self).update(vars(fitted))
            return self
        return self.adopt(model, runs, index, X, y)

    def adopt(self, model, runs, index, X, y):
        """Become the stacked ``model`` of split ``index`` of ``runs``, trained on ``X``, ``y``.

        ``X`` may hold no rows: only its width (and column names) are recorded.
        """
        self._held_out = None
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
            warn_not_converged(self.get_params(), "train_loss", stacklevel=4)
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


class ScoredCandidates(BaseSearchCV):
    """scikit-learn's own search over ``candidates`` on the given ``cv`` splits.

    Its estimator is a :class:`LookedUp`, so each candidate's fit on a split
    is the stacked model trained there (a candidate that was not stacked is
    fitted as GridSearchCV would fit it); the scoring, ``cv_results_``, the
    best candidate and the refit are scikit-learn's.
    """

    def __init__(
        self,
        estimator,
        candidates,
        *,
        cv,
        scoring=None,
        refit=True,
        verbose=0,
        error_score=np.nan,
        return_train_score=False,
    ):
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            refit=refit,
            cv=cv,
            verbose=verbose,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.candidates = candidates

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        if callback_ctx is None:  # scikit-learn before 1.9, whose searches take no callbacks
            evaluate_candidates(self.candidates, cv=self.cv)
            return
        search = callback_ctx.subcontext(  # as GridSearchCV's own _run_search
            task_name="search",
            max_subtasks=len(self.candidates) * self.n_splits_,
            sequential_subtasks=False,
        ).call_on_fit_task_begin(estimator=self)
        evaluate_candidates(self.candidates, cv=self.cv, callback_ctx=search)
        search.call_on_fit_task_end(estimator=self)


def looked_up(estimator):
    """``estimator`` (or a Pipeline's last step) as a :class:`LookedUp`, asking for
    ``row_ids`` and ``search_runs``."""
    if isinstance(estimator, Pipeline):
        return looked_up_pipeline(estimator, looked_up(estimator.steps[-1][1]))
    lookup = LookedUp(**estimator.get_params(deep=False))
    if get_config()["enable_metadata_routing"]:  # the user's requests, and the lookup's
        routing = estimator.get_metadata_routing()
        lookup.set_fit_request(
            sample_weight=routing.fit.requests.get("sample_weight"), row_ids=True, search_runs=True
        )
        lookup.set_score_request(sample_weight=routing.score.requests.get("sample_weight"))
    return lookup


def plain(fitted, estimator):
    """The fitted :class:`LookedUp` as a plain SoftmaxClassifier with ``estimator``'s requests
    (or the fitted LookedUpPipeline as a plain copy of the ``estimator`` Pipeline)."""
    if isinstance(estimator, Pipeline):
        classifier = plain(fitted.steps[-1][1], estimator.steps[-1][1])
        return plain_pipeline(fitted, estimator, classifier)
    copy = clone(estimator).set_params(**fitted.get_params(deep=False))
    for name, value in vars(fitted).items():
        if name.endswith("_") and not name.startswith("_"):
            setattr(copy, name, value)
    if hasattr(fitted, "_trained"):  # a stacked model
        copy._set_weights(*fitted._trained)
    else:  # an ordinary fit (the refit among them)
        copy._set_fitted(fitted.net_)
    return copy


def _same_rows(X, rows):
    """Whether ``X`` holds exactly the rows ``rows`` (same type, shape, dtype and values)."""
    return (
        type(X) is type(rows)
        and X.shape == rows.shape
        and X.dtype == rows.dtype
        and np.array_equal(X, rows)
    )
