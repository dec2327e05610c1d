"""Plan: which candidates share a stacked run, split by split."""

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

from sk_softmax import SoftmaxClassifier
from sk_softmax._recipe import DataSize
from sk_softmax.search._plan import Plan, same_params, same_value

BASE = SoftmaxClassifier(random_state=0).get_params()
SMALL = DataSize(100, 4, 3, 400)


def test_per_model_values_share_a_run_and_max_epochs_share_a_model():
    candidates = [{"lr": lr, "max_epochs": e} for lr in (0.01, 0.1) for e in (3, 10)]
    plan = Plan(BASE, candidates, [SMALL, SMALL])
    assert len(plan.runs) == 2  # one per split
    run = plan.runs[0]
    assert run.optimizer == "adam" and run.checkpoints == {3, 10}
    assert [s["lr"] for s in run.settings] == [0.01, 0.1]
    assert all(s["max_epochs"] == 10 for s in run.settings)
    assert plan.model(1, {"lr": 0.1, "max_epochs": 3}) == plan.model(
        1, {"lr": 0.1, "max_epochs": 10}
    )
    assert plan.model(1, {"lr": 0.1}) == (1, 1) and plan.users(1, (1, 1)) == 2


def test_run_level_values_and_the_resolved_optimizer_start_other_runs():
    candidates = [{"lr": "auto"}, {"lr": 0.1}, {"lr": 0.1, "batch_size": 16}]
    plan = Plan(BASE, candidates, [SMALL])
    assert [r.optimizer for r in plan.runs] == ["lbfgs", "adam", "adam"]
    wide = DataSize(1_000, 2_000, 3, 2_000_000)  # neither small nor tall: Adam
    assert [r.optimizer for r in Plan(BASE, [{"lr": "auto"}], [wide]).runs] == ["adam"]


@pytest.mark.parametrize(
    "candidate",
    [{"early_stopping": True}, {"callbacks": [object()]}, {"optimizer": object}, {"lr": -1.0}],
)
def test_what_a_run_cannot_stand_for_is_a_separate_fit(candidate):
    plan = Plan(BASE, [candidate], [SMALL])
    assert plan.runs == [] and plan.model(0, candidate) is None


def test_a_split_that_cannot_stack_has_no_runs():
    plan = Plan(BASE, [{"lr": 0.1}], [SMALL, None])
    assert plan.model(0, {"lr": 0.1}) is not None and plan.model(1, {"lr": 0.1}) is None


def test_fits_are_compared_as_scikit_learn_clones_them():
    state = np.random.RandomState(0)
    twin = np.random.RandomState(0)
    assert same_value(state, twin) and not same_value(state, np.random.RandomState(1))
    assert same_value(StandardScaler(), StandardScaler())
    assert not same_value(StandardScaler(), StandardScaler(with_mean=False))
    assert same_value(np.arange(3), np.arange(3)) is False  # arrays: only the same one
    assert same_params({"a": 1, "verbose": 0}, {"a": 1, "verbose": 2}, skip=("verbose",))
    plan = Plan({**BASE, "random_state": state}, [{"lr": 0.1}], [SMALL])
    assert plan.model(0, {**BASE, "random_state": twin, "lr": 0.1}) == (0, 0)
    assert plan.runs[0].params["random_state"] is not state  # each run draws from its own copy
