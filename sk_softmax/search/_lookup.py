"""scikit-learn's search loop, each candidate's fit looked up among the trained models."""

import numpy as np
from sklearn import get_config
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import validate_data

from .._convergence import DIVERGED
from .._estimator import SoftmaxClassifier
from .._upstream import BaseSearchCV
from .._warnings import one_warning_for_max_epochs, warn_not_converged
from ..exceptions import DivergenceError


class LookedUp(SoftmaxClassifier):
    """A SoftmaxClassifier whose ``fit`` takes its model from a search's trained models.

    The rows it is fitted on arrive as ``row_ids`` (scikit-learn slices such
    fit parameters like the data), the trained models as ``trained``
    (:class:`~sk_softmax.search._trained.TrainedModels`); a fit that no
    trained model stands for (the refit among them) is an ordinary fit.
    """

    def fit(self, X, y, sample_weight=None, row_ids=None, trained=None):
        self._validate_params()  # what the separate fit would refuse, refused
        found = None if trained is None else trained.find(self.get_params(deep=False), row_ids)
        source = None if trained is None else trained.source  # X holds row indices of it
        if source is not None:
            X = rows_of(source, row_ids) if found is None else source[:0]
        self._held_out = None
        if found is None:  # an ordinary fit, whose errors name SoftmaxClassifier
            fitted = SoftmaxClassifier(**self.get_params()).fit(X, y, sample_weight=sample_weight)
            vars(self).update(vars(fitted))
        else:
            self.adopt(found, X)
            if source is not None and self._held_out is not None:
                self._held_out = (found.test_ids, self._held_out[1])
        self._source = source
        return self

    def adopt(self, found, X):
        """Become the trained model ``found``, as if fitted on ``X`` (of which only the
        width and column names are read)."""
        model = found.model
        if model.ended == DIVERGED and self.max_epochs >= model.n_epochs:
            raise DivergenceError(
                f"Training diverged in a stacked run (lr={self.lr}): the loss or the weights "
                "became infinite or NaN. Lower lr or standardise X."
            )
        # The rows were checked when the stacked run took them: record their shape only.
        validate_data(self, X, reset=True, skip_check_array=True)
        self.classes_ = found.classes
        coef, intercept, history = model.at(self.max_epochs)
        if model.ran_out(self.max_epochs):  # as the separate fit would warn
            warn_not_converged(self.get_params(), found.stopping, stacklevel=3)
        last = {**history[-1], "n_samples_seen": model.n_samples_seen}
        self._set_weights(coef, intercept, [*history[:-1], last])
        self._held_out = found.held_out(self.max_epochs)
        return self

    def _logits(self, X):
        # The split's test rows: their logits were computed with the other candidates'.
        held_out = self.__dict__.get("_held_out")
        source = self.__dict__.get("_source")
        if source is not None:  # X holds row indices of source
            rows = X[:, 0]
            if held_out is not None and np.array_equal(held_out[0], rows):
                return held_out[1].copy()
            return super()._logits(rows_of(source, rows))
        if held_out is not None:
            rows, logits = held_out
            checked = validate_data(self, X, accept_sparse="csr", reset=False)
            if _same_rows(checked, rows):
                return logits.copy()
        return super()._logits(X)


def _on_rows(name):
    """Pipeline's method ``name``, given the rows of the search's ``X`` where the loop
    passes their indices; available where the final step has ``name``, as Pipeline's."""

    def method(self, X, *args, **kwargs):
        source = self.__dict__.get("_source")
        rows = X if source is None else rows_of(source, X[:, 0])
        return getattr(super(LookedUpPipeline, self), name)(rows, *args, **kwargs)

    method.__name__ = name
    return available_if(lambda self: hasattr(self.steps[-1][1], name))(method)


class LookedUpPipeline(Pipeline):
    """A Pipeline whose ``fit`` on a split becomes that split's fitted transformers and
    trained classifier; other fits (the refit among them) are the Pipeline's own."""

    def fit(self, X, y=None, row_ids=None, trained=None, **params):
        found = None if trained is None else trained.find(self, row_ids)
        source = None if trained is None else trained.source  # X holds row indices of it
        self._source = source
        if found is None:
            return super().fit(X if source is None else rows_of(source, row_ids), y, **params)
        steps, model = found
        name, classifier = self.steps[-1]
        self.steps = [*steps, (name, classifier)]
        width = model.model.at(classifier.max_epochs)[0].shape[1]
        classifier.adopt(model, np.empty((0, width), np.float32))
        return self

    predict = _on_rows("predict")
    predict_proba = _on_rows("predict_proba")
    predict_log_proba = _on_rows("predict_log_proba")
    decision_function = _on_rows("decision_function")
    score = _on_rows("score")


def looked_up(estimator):
    """``estimator`` as the search loop fits it: a SoftmaxClassifier as a :class:`LookedUp`,
    a Pipeline ending in one as a :class:`LookedUpPipeline`, asking for ``row_ids`` and
    ``trained``; anything else as it is."""
    if _is_stackable_pipeline(estimator):
        steps = [(name, clone(step)) for name, step in estimator.steps[:-1]]
        final = (estimator.steps[-1][0], looked_up(estimator.steps[-1][1]))
        return LookedUpPipeline([*steps, final], memory=estimator.memory, verbose=estimator.verbose)
    if type(estimator) is not SoftmaxClassifier:
        return estimator
    lookup = LookedUp(**estimator.get_params(deep=False))
    if get_config()["enable_metadata_routing"]:  # the user's requests, and the lookup's
        routing = estimator.get_metadata_routing()
        lookup.set_fit_request(
            sample_weight=routing.fit.requests.get("sample_weight"), row_ids=True, trained=True
        )
        lookup.set_score_request(sample_weight=routing.score.requests.get("sample_weight"))
    return lookup


def plain(fitted, estimator):
    """The fitted candidate ``fitted`` (of :func:`looked_up` ``(estimator)``) as a fitted
    copy of ``estimator``, the user's SoftmaxClassifier or Pipeline."""
    if isinstance(fitted, LookedUpPipeline):
        copy = clone(estimator)
        name, final = fitted.steps[-1]
        copy.steps = [*fitted.steps[:-1], (name, plain(final, estimator.steps[-1][1]))]
        return copy
    if not isinstance(fitted, LookedUp):  # a step the grid put in, fitted as it is
        return fitted
    copy = clone(estimator).set_params(**fitted.get_params(deep=False))
    for name, value in vars(fitted).items():
        if name.endswith("_") and not name.startswith("_"):
            setattr(copy, name, value)
    return copy


def rows_of(X, rows):
    """``X[rows]``; ``X`` itself where ``rows`` are all its rows in order (the refit)."""
    if len(rows) == len(X) and np.array_equal(rows, np.arange(len(X))):
        return X
    return X[rows]


def scores_from_predictions(scoring):
    """Whether ``scoring`` (a search's) reads only a candidate's predictions and ``y``:
    None (the estimator's ``score``) or scikit-learn's scorers by name. A callable
    may read ``X`` itself."""
    if isinstance(scoring, dict):
        scoring = list(scoring.values())
    if isinstance(scoring, (list, tuple, set)):
        return all(isinstance(name, str) for name in scoring)
    return scoring is None or isinstance(scoring, str)


def _is_stackable_pipeline(estimator):
    return (
        type(estimator) is Pipeline
        and bool(estimator.steps)
        and type(estimator.steps[-1][1]) is SoftmaxClassifier
    )


def _same_rows(X, rows):
    """Whether ``X`` holds exactly the rows ``rows`` (same type, shape, dtype and values)."""
    return (
        type(X) is type(rows)
        and X.shape == rows.shape
        and X.dtype == rows.dtype
        and np.array_equal(X, rows)
    )


class ScoringLoop(BaseSearchCV):
    """scikit-learn's own search loop over ``candidates`` on the given ``cv`` splits.

    Its estimator is :func:`looked_up`, so each candidate's fit on a split is
    the trained model that stands for it (or an ordinary fit); the scoring,
    ``cv_results_``, the best candidate and the refit are scikit-learn's.
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
        with one_warning_for_max_epochs():
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
