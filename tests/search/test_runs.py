"""Stacked runs: many models on one split's rows, each as its separate fit."""

import numpy as np

from sk_softmax import SoftmaxClassifier
from sk_softmax.search._inputs import sizes, training_inputs
from sk_softmax.search._plan import Plan
from sk_softmax.search._runs import StackedRun, train_runs


def plan_for(X, y, rows, candidates, **base):
    data = training_inputs(X, None, (y, np.unique(y)))
    base = SoftmaxClassifier(random_state=0, **base).get_params()
    return Plan(base, candidates, sizes(data, [rows])), data


def test_a_model_alone_in_its_run_is_its_separate_fit_bit_for_bit(blobs):
    X, y = blobs
    rows = np.arange(0, 150, 2)
    for lr in ("auto", 0.1):  # L-BFGS and Adam
        plan, data = plan_for(X, y, rows, [{"lr": lr, "max_epochs": 12}])
        ((models, seconds),) = train_runs(plan.runs, lambda run, data=data: (*data, rows))
        separate = SoftmaxClassifier(random_state=0, lr=lr, max_epochs=12).fit(X[rows], y[rows])
        coef, intercept, history = models[0].at(12)
        np.testing.assert_array_equal(coef, separate.coef_.astype(np.float32))
        np.testing.assert_array_equal(intercept, separate.intercept_.astype(np.float32))
        assert [h["train_loss"] for h in history] == separate.loss_curve_
        assert seconds > 0


def test_repeated_rows_count_as_often_as_they_appear(blobs):
    X, y = blobs
    rows = np.r_[np.arange(50), np.arange(10)]
    plan, data = plan_for(X, y, rows, [{"lr": 0.1, "max_epochs": 4}], optimizer="sgd")
    ((models, _),) = train_runs(plan.runs, lambda run: (*data, rows))
    separate = SoftmaxClassifier(random_state=0, optimizer="sgd", lr=0.1, max_epochs=4)
    separate.fit(X[rows], y[rows])
    np.testing.assert_array_equal(models[0].at(4)[0], separate.coef_.astype(np.float32))


def test_a_run_trains_in_stages_and_models_leave(blobs):
    X, y = blobs
    rows = np.arange(150)
    plan, data = plan_for(X, y, rows, [{"lr": 0.01, "max_epochs": 9}, {"lr": 0.1, "max_epochs": 9}])
    (run,) = plan.runs
    stacked = StackedRun(run, *data, rows)
    stacked.train_to(3)
    stacked.keep({1})
    assert stacked.stack.live == [1]
    stacked.train_to(9)
    assert [m.n_epochs for m in stacked.models] == [3, 9]
    assert stacked.stack.live == []  # the last one reached its max_epochs
