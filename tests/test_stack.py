"""Stack: one training run's steps and end-of-epoch decisions, for one model or many."""

import numpy as np
import pytest
import torch

from sk_softmax import SoftmaxClassifier
from sk_softmax._convergence import DIVERGED, DONE, GO_ON, LOWER_LR, STOP
from sk_softmax._optim import SoftmaxOptimizer
from sk_softmax._recipe import data_size, initial_weights, recipe
from sk_softmax._stack import Stack


def make_stack(X, y, settings, checkpoints=()):
    """A stack of one model per parameter dict of ``settings`` on ``X``, ``y``."""
    size = data_size(X, 3)
    run = recipe(settings[0], settings, size, [len(y)] * len(settings))
    coef = torch.cat(
        [initial_weights(3, X.shape[1], m.init_std, run.seeds.init) for m in run.models]
    )
    intercept = torch.zeros(len(coef))
    lr, extra = run.optimizer_arguments()
    optimizer = SoftmaxOptimizer([coef, intercept], lr, kind=run.optimizer, **extra)
    return Stack(run, coef, intercept, optimizer, checkpoints=checkpoints)


def params(**changes):
    return SoftmaxClassifier(**{"optimizer": "sgd", "random_state": 0, **changes}).get_params()


def epoch(stack, X, y):
    stack.begin_epoch()
    stack.step(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y))
    return stack.end_epoch(stack.epoch_losses())


def test_a_model_in_a_stack_takes_its_separate_steps(blobs):
    X, y = blobs
    alone = [make_stack(X, y, [params(lr=lr)]) for lr in (0.1, 0.5)]
    together = make_stack(X, y, [params(lr=0.1), params(lr=0.5)])
    for _ in range(3):
        for stack in (*alone, together):
            epoch(stack, X, y)
    for position, stack in enumerate(alone):
        rows = slice(3 * position, 3 * position + 3)
        torch.testing.assert_close(together.coef[rows], stack.coef, rtol=1e-5, atol=1e-6)
        assert together.models[position].history[-1]["train_loss"] == pytest.approx(
            stack.models[0].history[-1]["train_loss"], rel=1e-5
        )


def test_each_model_keeps_its_history_and_checkpoints(blobs):
    X, y = blobs
    stack = make_stack(X, y, [params(lr=0.1, max_epochs=4)], checkpoints=(2,))
    decisions = [epoch(stack, X, y) for _ in range(4)]
    assert decisions[-1] == [(0, DONE)] and all(d == [(0, GO_ON)] for d in decisions[:-1])
    model = stack.models[0]
    assert [row["epoch"] for row in model.history] == [1, 2, 3, 4]
    assert sorted(model.weights) == [2, 4] and model.ended == DONE
    assert model.checkpoint(3) == 4 and model.at(2)[2] == model.history[:2]
    assert model.ran_out(4) and not model.ran_out(5)


def test_plateaus_lower_the_lr_of_their_model_only(blobs):
    X, y = blobs
    plateau = params(lr=1e-9, tol=0.5, n_iter_no_change=1)  # never improves by half
    stack = make_stack(X, y, [plateau, params(lr=0.1, tol=0.0, n_iter_no_change=5)])
    assert epoch(stack, X, y) == [(0, GO_ON), (1, GO_ON)]  # the first epoch sets the best
    assert epoch(stack, X, y) == [(0, LOWER_LR), (1, GO_ON)]
    assert stack.optimizer.model_lrs() == pytest.approx([1e-10, 0.1])
    assert epoch(stack, X, y)[0] == (0, LOWER_LR)
    assert epoch(stack, X, y)[0] == (0, STOP)
    assert stack.models[0].converged == "plateau" and stack.rules[0].dropped_at == [2, 3]


def test_models_that_leave_are_kept_and_the_others_train_on(blobs):
    X, y = blobs
    stack = make_stack(X, y, [params(lr=0.1, max_epochs=1), params(lr=0.2)])
    assert epoch(stack, X, y) == [(0, DONE), (1, GO_ON)]
    stack.keep([1])
    assert stack.live == [1] and stack.coef.shape == (3, 2)
    assert epoch(stack, X, y) == [(1, GO_ON)] and stack.models[0].n_epochs == 1


def test_a_loss_that_is_no_longer_finite_is_divergence(blobs):
    X, y = blobs
    stack = make_stack(X * 1e3, y, [params(lr=1e30, lr_schedule="constant")])
    assert epoch(stack, X * 1e3, y) == [(0, GO_ON)]  # weights near 1e33: still finite
    assert epoch(stack, X * 1e3, y) == [(0, DIVERGED)]  # their logits overflow float32
    assert stack.models[0].ended == DIVERGED and sorted(stack.models[0].weights) == [2]


def test_lbfgs_ends_on_its_own_test_and_holds_an_accepted_point(blobs):
    X, y = blobs
    stack = make_stack(X, y, [params(optimizer="lbfgs", lr="auto", max_epochs=500)])
    losses = []
    for _ in range(500):
        (decision,) = epoch(stack, X, y)
        losses.append(stack.models[0].history[-1]["train_loss"])
        if decision[1] != GO_ON:
            break
    assert decision == (0, STOP) and stack.models[0].converged.startswith("L-BFGS")
    assert np.isfinite(losses).all() and stack.rules == [None]
