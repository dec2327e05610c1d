"""Searching a Pipeline that ends in a SoftmaxClassifier: transformers fitted once per split.

For every distinct setting of the transformers' parameters and every CV split,
the transformers (``pipeline[:-1]`` with that setting) are fitted on the
split's training rows, as the pipeline's own ``fit`` would fit them; the
classifier candidates of that setting then train as stacked runs on the
transformed rows (their own :class:`~sk_softmax.search._plan.Plan`). A
candidate's fit (:class:`~sk_softmax.search._lookup.LookedUpPipeline`)
becomes the pipeline of those fitted transformers and its trained classifier.
Candidates that put another estimator in the classifier's place are fitted
as GridSearchCV fits them.
"""

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import check_array

from .._upstream import _safe_indexing
from ._inputs import sizes, training_inputs
from ._plan import Plan, same_params, same_value
from ._runs import train_runs
from ._trained import StandsIn, TrainedModels


class PipelineSetting:
    """One setting of the transformers: its values, its fitted steps per split, and
    the :class:`TrainedModels` of the classifier candidates trained on their output."""

    def __init__(self, transformers, steps, trained):
        self.transformers, self.steps, self.trained = transformers, steps, trained


class PipelineModels(StandsIn):
    """The trained models of a search over a Pipeline, by transformer setting.

    Parameters
    ----------
    pipeline : Pipeline
        The searched pipeline, ending in a SoftmaxClassifier.
    settings : list of PipelineSetting
    """

    def __init__(self, pipeline, settings):
        self.final = pipeline.steps[-1][0]
        self.base = pipeline.get_params(deep=True)
        self.settings = settings

    def _setting(self, params):
        return next(
            (
                s
                for s in self.settings
                if all(same_value(params.get(k), v) for k, v in s.transformers.items())
            ),
            None,
        )

    def find(self, pipeline, rows):
        """``(fitted transformer steps, Found classifier)`` of this candidate fit, or None."""
        classifier = pipeline.steps[-1][1]
        if not hasattr(classifier, "adopt"):  # the grid put another estimator there
            return None
        setting = self._setting(pipeline.get_params(deep=True))
        found = (
            None
            if setting is None
            else setting.trained.find(classifier.get_params(deep=False), rows)
        )
        return None if found is None else (setting.steps[found.split], found)

    def _own_params(self, candidate):
        """The setting and classifier parameters of a search candidate (a dict of the
        pipeline's parameters); no setting where it is a separate fit."""
        if self.final in candidate:
            return None, None
        params = {**self.base, **candidate}
        return self._setting(params), _own(params, self.final)

    def key(self, split, candidate):
        """The trained classifier's key for a search candidate on ``split``, or None."""
        setting, own = self._own_params(candidate)
        return None if setting is None else setting.trained.key(split, own)

    def stacked_seconds(self, candidate, n_splits):
        """As :meth:`TrainedModels.stacked_seconds`, for a search candidate."""
        setting, own = self._own_params(candidate)
        return 0.0 if setting is None else setting.trained.stacked_seconds(own, n_splits)

    def score_held_out(self):
        for setting in self.settings:
            setting.trained.score_held_out()

    @property
    def n_runs(self):
        return sum(len(s.trained.plan.runs) for s in self.settings)

    @property
    def score_seconds(self):
        return sum(s.trained.score_seconds for s in self.settings)


def _own(params, final):
    """The classifier's own parameters among a pipeline's."""
    prefix = final + "__"
    return {k[len(prefix) :]: v for k, v in params.items() if k.startswith(prefix)}


def train_pipeline(pipeline, X, y, splits, candidates, sample_weight, encoded, *, n_jobs, verbose):
    """Fit each transformer setting on each split, and train its classifier candidates'
    stacked runs there; the :class:`PipelineModels`."""
    final, classifier = pipeline.steps[-1]
    prefix = final + "__"
    own = [c for c in candidates if final not in c]  # a candidate may swap the classifier
    names = sorted({k for c in own for k in c if not k.startswith(prefix)})
    base = pipeline.get_params(deep=True)
    groups = []  # (transformer values, [classifier candidates])
    for candidate in own:
        values = {name: candidate.get(name, base[name]) for name in names}
        group = next((g for g in groups if same_params(g[0], values)), None)
        if group is None:
            groups.append(group := (values, []))
        group[1].append({k[len(prefix) :]: v for k, v in candidate.items() if k.startswith(prefix)})
    settings = [
        _trained_setting(
            pipeline[:-1],
            classifier,
            values,
            own,
            X,
            y,
            splits,
            sample_weight,
            encoded,
            n_jobs=n_jobs,
            verbose=verbose,
        )
        for values, own in groups
    ]
    return PipelineModels(pipeline, settings)


def _trained_setting(
    transformers,
    classifier,
    values,
    candidates,
    X,
    y,
    splits,
    sample_weight,
    encoded,
    *,
    n_jobs,
    verbose,
):
    steps, data, tests = [], [], []
    y_encoded, classes = encoded
    for train, test in splits:
        fitted = clone(transformers).set_params(**values)
        X_train = fitted.fit_transform(_safe_indexing(X, train), _safe_indexing(y, train))
        steps.append(fitted.steps)
        tests.append(check_array(fitted.transform(_safe_indexing(X, test)), accept_sparse="csr"))
        weights = None if sample_weight is None else np.asarray(sample_weight)[train]
        data.append(training_inputs(X_train, weights, (y_encoded[train], classes)))
    # The transformed width decides each classifier's optimizer, split by split.
    plan = Plan(
        classifier.get_params(deep=False),
        candidates,
        [sizes(d, [np.arange(len(d[1]))])[0] for d in data],
    )

    def run_data(run):
        return (*data[run.split], np.arange(len(data[run.split][1])))

    results = train_runs(plan.runs, run_data, n_jobs=n_jobs, verbose=verbose)
    trained = TrainedModels(
        plan,
        [np.asarray(train) for train, _ in splits],
        [models for models, _ in results],
        classes,
        tests=tests,
        n_threads=classifier.n_threads,
    )
    trained.seconds = [seconds for _, seconds in results]
    return PipelineSetting(values, steps, trained)
