"""Which candidates of a search train together."""

import pytest
import torch
from sklearn.model_selection import ParameterGrid
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_softmax import SoftmaxClassifier
from sk_softmax._recipe import DataSize
from sk_softmax.search._candidates import check_candidates, minibatch_optimizer, stacked_groups

LARGE = DataSize(n_samples=60_000, n_features=784, n_classes=10, n_stored=60_000 * 784)
SMALL = DataSize(n_samples=150, n_features=4, n_classes=3, n_stored=600)


def test_candidates_group_by_what_is_not_per_model():
    grid = {"lr": [0.01, 0.1], "batch_size": [32, 64], "max_epochs": [5, 10]}
    groups = stacked_groups(SoftmaxClassifier(random_state=3), list(ParameterGrid(grid)), [LARGE])
    assert [run["batch_size"] for run, _, _ in groups] == [32, 64]
    for run, settings, epochs in groups:
        assert run["random_state"] == 3 and "lr" not in run
        assert [s["lr"] for s in settings] == [0.01, 0.1]
        assert all(s["max_epochs"] == 10 for s in settings)  # trained to the most asked
        assert epochs == {5, 10}


def test_candidates_that_cannot_stack_or_are_invalid_are_in_no_group():
    grid = [{"optimizer": ["lbfgs"]}, {"early_stopping": [True]}, {"lr": [-1.0]}, {"lr": [0.1]}]
    groups = stacked_groups(SoftmaxClassifier(), list(ParameterGrid(grid)), [LARGE])
    assert len(groups) == 1 and [s["lr"] for s in groups[0][1]] == [0.1]


def test_auto_stacks_where_it_resolves_to_a_minibatch_optimizer_on_every_split():
    assert minibatch_optimizer("auto", LARGE) == "adam"
    assert minibatch_optimizer("auto", SMALL) is None  # L-BFGS: fitted separately
    assert minibatch_optimizer("sgd", SMALL) == "sgd"
    grid = list(ParameterGrid({"lr": [0.01, 0.1]}))
    assert len(stacked_groups(SoftmaxClassifier(), grid, [LARGE, LARGE])) == 1
    assert stacked_groups(SoftmaxClassifier(), grid, [LARGE, SMALL]) == []
    assert len(stacked_groups(SoftmaxClassifier(optimizer="adam"), grid, [SMALL])) == 1


def test_without_sizes_only_what_could_stack_on_some_data_is_grouped():
    grid = list(ParameterGrid({"lr": [0.01, 0.1]}))
    assert len(stacked_groups(SoftmaxClassifier(), grid, [])) == 1  # "auto": may take Adam
    assert stacked_groups(SoftmaxClassifier(optimizer="lbfgs"), grid, []) == []
    assert stacked_groups(SoftmaxClassifier(optimizer=torch.optim.RMSprop), grid, []) == []


@pytest.mark.parametrize(
    ("estimator", "candidates", "message"),
    [
        ("not a model", [{"lr": 0.1}], "searches a SoftmaxClassifier"),
        (make_pipeline(SoftmaxClassifier(), StandardScaler()), [], "ending in StandardScaler"),
        (SoftmaxClassifier(), [{"lr": 0.1}, {"C": 1.0}], r"Invalid parameter\(s\) \['C'\] in grid"),
    ],
)
def test_check_candidates_says_what_is_wrong(estimator, candidates, message):
    with pytest.raises(ValueError, match=message):
        check_candidates(estimator, candidates, "grid")
