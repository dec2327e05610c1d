"""L-BFGS one evaluation at a time: the textbook method, and what each call asks."""

import numpy as np
import pytest
from scipy.optimize import minimize, rosen, rosen_der

from sk_softmax._lbfgs import Lbfgs


def solve(f, grad, x0, gtol=1e-6, budget=1000):
    search, evaluations = Lbfgs(x0, 1.0, gtol), 0
    while search.trial is not None and evaluations < budget:
        x = search.trial
        search.tell(f(x), grad(x))
        evaluations += 1
    return search, evaluations


def test_it_reaches_the_minimum_of_rosenbrocks_function():
    search, evaluations = solve(rosen, rosen_der, np.array([-1.2, 1.0]))
    assert search.converged is not None
    np.testing.assert_allclose(search.x, [1.0, 1.0], atol=1e-3)
    scipy = minimize(rosen, [-1.2, 1.0], jac=rosen_der, method="L-BFGS-B")
    assert evaluations < 3 * scipy.nfev  # as economical as the reference, within reason


def test_a_quadratic_converges_to_its_minimum():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(20, 20))
    A = A @ A.T + np.eye(20)
    b = rng.normal(size=20)
    search, _ = solve(lambda x: 0.5 * x @ A @ x - b @ x, lambda x: A @ x - b, np.zeros(20), 1e-3)
    assert search.converged == "gradient" and np.abs(A @ search.x - b).max() <= 1e-3
    np.testing.assert_allclose(search.x, np.linalg.solve(A, b), atol=1e-3)


def test_it_stops_once_the_loss_no_longer_moves_in_float32():
    # Asked for a gradient of exactly 0, it ends on its float32-resolution tests.
    search, _ = solve(lambda x: ((x - 3) ** 2).sum(), lambda x: 2 * (x - 3), np.zeros(3), 0.0)
    assert search.converged is not None
    np.testing.assert_allclose(search.x, 3.0, atol=1e-3)


def test_each_call_is_one_evaluation_and_the_accepted_point_only_goes_down():
    calls = []
    search = Lbfgs(np.array([-1.2, 1.0]), 1.0, 1e-6)
    accepted = [rosen(search.x)]
    for _ in range(30):
        x = search.trial.copy()
        calls.append(x)
        search.tell(rosen(x), rosen_der(x))
        accepted.append(rosen(search.x))
    assert len(calls) == 30
    assert all(b <= a for a, b in zip(accepted, accepted[1:], strict=False))
    np.testing.assert_array_equal(calls[0], [-1.2, 1.0])  # the start is evaluated first


def test_a_first_step_that_overshoots_into_infinity_is_shortened():
    def f(x):
        return np.inf if x[0] > 3 else (x[0] - 2) ** 2

    def grad(x):
        return np.array([0.0 if x[0] > 3 else 2 * (x[0] - 2)])

    search, _ = solve(f, grad, np.array([-40.0]), 1e-6)
    assert search.x[0] == pytest.approx(2.0, abs=1e-3)


def test_a_start_that_is_not_finite_is_named():
    search = Lbfgs(np.zeros(2), 1.0, 1e-4)
    search.tell(np.nan, np.zeros(2))
    assert search.converged == "not finite" and search.trial is None
