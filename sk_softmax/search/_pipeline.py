"""Searching a Pipeline that ends in a SoftmaxClassifier: transformers fitted once per split.

For every distinct setting of the transformers' parameters and every CV split,
the transformers (``pipeline[:-1]`` with that setting) are fitted on the
split's training rows, as the pipeline's own ``fit`` would fit them; the
classifier candidates of that setting then train as stacked runs on the
transformed rows. A candidate's "fit" (:class:`LookedUpPipeline`) becomes the
pipeline of those fitted transformers and its stacked classifier.
"""

import numpy as np
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from .._upstream import _safe_indexing
from ._candidates import stacked_groups
from ._inputs import sizes, training_inputs
from ._runs import Runs


class PipelineRuns:
    """The stacked runs of a search over a Pipeline, by transformer setting.

    ``names`` are the transformer parameters the candidates set; a setting
    is keyed by their values' ``repr`` (a cloned transformer has its
    original's). Each setting holds the transformers fitted on every split
    and the :class:`~sk_softmax.search._runs.Runs` of its classifiers.
    """

    def __init__(self, pipeline, names, n_splits):
        self.final = pipeline.steps[-1][0]
        self.names = names
        self.n_splits = n_splits
        self.by_key = {}  # key -> (fitted transformer steps per split, Runs)

    def key(self, params):
        return repr([(name, params.get(name)) for name in self.names])

    def add(self, key, steps_per_split, runs):
        self.by_key[key] = (steps_per_split, runs)

    def find(self, pipeline, rows):
        """``(fitted transformer steps, Runs, split, model)`` of this candidate, or None."""
        entry = self.by_key.get(self.key(pipeline.get_params(deep=True)))
        if entry is None or rows is None:
            return None
        steps_per_split, runs = entry
        model, _, index = runs.find(pipeline.steps[-1][1].get_params(deep=False), rows)
        return None if model is None else (steps_per_split[index], runs, index, model)

    def score_held_out(self):
        for _, runs in self.by_key.values():
            runs.score_held_out()

    def costs(self, pipeline, candidates):
        """As :meth:`Runs.costs`, for the pipeline's candidates (dicts of its parameters)."""
        base = pipeline.get_params(deep=True)
        keys = [None if self.final in c else self.key({**base, **c}) for c in candidates]
        seconds, separate = np.zeros(len(candidates)), 0
        for key, (_, runs) in self.by_key.items():
            members = [i for i, k in enumerate(keys) if k == key]
            own = [_own(candidates[i], self.final) for i in members]
            shares, n_separate = runs.costs(pipeline.steps[-1][1], own)
            seconds[members] = shares
            separate += n_separate
        separate += sum(key not in self.by_key for key in keys) * self.n_splits
        return seconds, separate


def _own(candidate, final):
    """The classifier's parameters among a pipeline candidate's."""
    prefix = final + "__"
    return {k[len(prefix) :]: v for k, v in candidate.items() if k.startswith(prefix)}


class LookedUpPipeline(Pipeline):
    """A Pipeline whose ``fit`` on a split becomes that split's fitted transformers and
    stacked classifier; other fits (the refit among them) are the Pipeline's own."""

    def fit(self, X, y=None, row_ids=None, search_runs=None, **params):
        found = None if search_runs is None else search_runs.find(self, row_ids)
        if found is None:
            return super().fit(X, y, **params)
        steps, runs, index, model = found
        name, classifier = self.steps[-1]
        self.steps = [*steps, (name, classifier)]
        width = model.at(classifier.max_epochs)[0].shape[1]
        classifier.adopt(model, runs, index, np.empty((0, width), np.float32), y)
        return self


def looked_up_pipeline(pipeline, classifier):
    """``pipeline`` as a :class:`LookedUpPipeline` ending in ``classifier`` (a LookedUp)."""
    steps = [(name, clone(step)) for name, step in pipeline.steps[:-1]]
    return LookedUpPipeline(
        [*steps, (pipeline.steps[-1][0], classifier)],
        memory=pipeline.memory,
        verbose=pipeline.verbose,
    )


def plain_pipeline(fitted, pipeline, classifier):
    """The fitted :class:`LookedUpPipeline` as a fitted copy of ``pipeline``, ending in
    ``classifier`` (the fitted plain SoftmaxClassifier)."""
    plain = clone(pipeline)
    plain.steps = [*fitted.steps[:-1], (fitted.steps[-1][0], classifier)]
    return plain


def train_pipeline_runs(search, X, y, splits, candidates, sample_weight, encoded):
    """Fit each transformer setting on each split, and stack its classifier candidates there.

    ``encoded`` is ``(y encoded, classes)``; returns the :class:`PipelineRuns`
    and the number of stacked runs trained.
    """
    from ._stacked import train_groups  # torch, on first training

    pipeline = search.estimator
    final, classifier = pipeline.steps[-1]
    prefix = final + "__"
    stackable = [c for c in candidates if final not in c]  # a candidate may swap the classifier
    names = sorted({k for c in stackable for k in c if not k.startswith(prefix)})
    runs_by_setting = PipelineRuns(pipeline, names, len(splits))
    base, settings = pipeline.get_params(deep=True), {}
    for candidate in stackable:
        transformers = {k: v for k, v in candidate.items() if not k.startswith(prefix)}
        key = runs_by_setting.key({**base, **transformers})
        settings.setdefault(key, (transformers, []))[1].append(_own(candidate, final))
    n_runs = 0
    for key, (transformers, own) in settings.items():
        if not stacked_groups(classifier, own, []):  # none stacks, whatever the data
            continue
        steps, tests, trained_on = [], [], []
        for index, (train, test) in enumerate(splits):
            fitted = clone(pipeline[:-1]).set_params(**transformers)
            X_train = fitted.fit_transform(_safe_indexing(X, train), _safe_indexing(y, train))
            steps.append(fitted.steps)
            tests.append(fitted.transform(_safe_indexing(X, test)))
            weights = None if sample_weight is None else np.asarray(sample_weight)[train]
            data = training_inputs(X_train, weights, (encoded[0][train], encoded[1]))
            rows = [np.arange(len(train))]
            # The transformed width decides each classifier's optimizer, split by split.
            groups = stacked_groups(classifier, own, sizes(data, rows))
            if not groups:
                continue
            trained = train_groups(
                *data, rows, groups, n_jobs=search.n_jobs, verbose=search.verbose
            )
            for (_, group_settings, _), (models, seconds) in zip(groups, trained, strict=True):
                trained_on.append((index, group_settings, models[0], seconds))
            n_runs += len(groups)
        runs = Runs(splits, n_threads=classifier.n_threads, tests=tests)
        for trained in trained_on:
            runs.add_on(*trained)
        runs_by_setting.add(key, steps, runs)
    return runs_by_setting, n_runs
