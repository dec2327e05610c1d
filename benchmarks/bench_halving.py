"""Successive halving over epochs: SoftmaxHalvingSearchCV, the full grid, HalvingGridSearchCV.

20,000 Fashion-MNIST training rows, ``SoftmaxClassifier(optimizer="adam",
batch_size=256, random_state=0)``, a 30-candidate grid of lr (10 values) x
alpha (3 values), ``StratifiedKFold(3, shuffle=True, random_state=0)``, epochs
as the resource from 1 to 27, factor 3, no scores on the training rows (the
halving searches' ``return_train_score=False``, as the full grid). In one
run, side by side:

- the full grid, every candidate trained to 27 epochs (SoftmaxSearchCV);
- SoftmaxHalvingSearchCV, survivors training on from rung to rung;
- scikit-learn's HalvingGridSearchCV(resource="max_epochs") over the same
  SoftmaxClassifier, which restarts every rung from scratch.

Prints the times, the winners and their scores in the full grid, the halving
search's time (its refit aside) against the floor of its steps
(``_report.step_floor``, each epoch at the number of candidates training it),
and the targets. Writes ``results/bench_halving.json``.

    python benchmarks/bench_halving.py --data-home ~/scikit_learn_data
"""

import argparse
import math

import numpy as np
from _report import Results, floor_row, print_targets, seconds, step_floor
from sklearn.datasets import load_iris
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV, StratifiedKFold

from sk_softmax import SoftmaxClassifier, SoftmaxHalvingSearchCV, SoftmaxSearchCV
from sk_softmax.datasets import fetch_fashion_mnist

GRID = {"lr": list(np.logspace(-4, -0.5, 10).round(6)), "alpha": [0.0, 1e-5, 1e-4]}


def halving_floor(search, n_rows, n_features):
    """The floor of every step of ``search``'s stacked runs, as if each candidate trained
    to the epochs of the last rung it reached; and the number of steps."""
    results = search.cv_results_
    reached = {}
    for params, epochs in zip(results["params"], results["n_resources"], strict=True):
        key = str({k: v for k, v in params.items() if k != "max_epochs"})
        reached[key] = max(reached.get(key, 0), epochs)
    batch = 256
    per_epoch = math.ceil(n_rows / batch)
    total, steps, floors = 0.0, 0, {}
    for epoch in range(1, max(reached.values()) + 1):
        live = sum(e >= epoch for e in reached.values())
        if live not in floors:
            floors[live] = step_floor(n_rows, n_features, 10 * live, batch, repeats=3)
        total += search.n_splits_ * per_epoch * floors[live]
        steps += search.n_splits_ * per_epoch
    return total, steps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None, help="folder holding fashion-mnist/")
    parser.add_argument("--rows", type=int, default=20_000, help="training rows (20,000)")
    args = parser.parse_args(argv)
    X, y = fetch_fashion_mnist(data_home=args.data_home, return_X_y=True)
    X, y = X[: args.rows], y[: args.rows]
    results = Results("bench_halving")
    print(f"{len(y):,} rows, 30 candidates, 1 -> 27 epochs")
    SoftmaxClassifier(max_epochs=2).fit(*load_iris(return_X_y=True))  # first-call costs
    estimator = SoftmaxClassifier(optimizer="adam", batch_size=256, random_state=0)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    # as the full grid (SoftmaxSearchCV's default): no scores on the training rows
    halving = {
        "factor": 3,
        "min_resources": 1,
        "max_resources": 27,
        "cv": cv,
        "return_train_score": False,
    }
    searches = {
        "full grid, 27 epochs (SoftmaxSearchCV)": SoftmaxSearchCV(
            estimator, {**GRID, "max_epochs": [27]}, cv=cv
        ),
        "SoftmaxHalvingSearchCV": SoftmaxHalvingSearchCV(estimator, GRID, **halving),
        "HalvingGridSearchCV": HalvingGridSearchCV(
            estimator, GRID, resource="max_epochs", **halving
        ),
    }
    times = {}
    for name, search in searches.items():
        times[name] = seconds(lambda s=search: s.fit(X, y))
        print(f"{name}: {times[name]:.1f} s", flush=True)
    full, ours, theirs = searches.values()
    in_full = {
        str({k: v for k, v in p.items() if k != "max_epochs"}): score
        for p, score in zip(
            full.cv_results_["params"], full.cv_results_["mean_test_score"], strict=True
        )
    }

    def full_score(search):
        return in_full[str({k: v for k, v in search.best_params_.items() if k != "max_epochs"})]

    results.table(
        "times",
        [
            "search",
            "time (s)",
            "/ SoftmaxHalvingSearchCV",
            "winner",
            "its CV score in the full grid",
        ],
        [
            [
                name,
                round(times[name], 1),
                round(times[name] / times["SoftmaxHalvingSearchCV"], 2),
                ", ".join(f"{k} {float(v):g}" for k, v in search.best_params_.items()),
                round(full_score(search), 4),
            ]
            for name, search in searches.items()
        ],
        note=f"{len(y):,} Fashion-MNIST rows, 30 candidates, epochs from 1 to 27, factor 3",
    )
    print(f"\nrungs: epochs {ours.n_resources_}, candidates {ours.n_candidates_}")
    floor, steps = halving_floor(ours, len(cv.split(X, y).__next__()[0]), X.shape[1])
    searching = times["SoftmaxHalvingSearchCV"] - ours.refit_time_
    results.table(
        "floor",
        [
            "search",
            "time without the refit (s)",
            "steps",
            "ms per step",
            "floor (ms per step)",
            "/ floor",
        ],
        [floor_row("SoftmaxHalvingSearchCV", searching, steps, floor)],
        note="The halving search (its refit aside) against the floor of its steps",
    )
    ratio = times["SoftmaxHalvingSearchCV"] / times["full grid, 27 epochs (SoftmaxSearchCV)"]
    speed_up = times["HalvingGridSearchCV"] / times["SoftmaxHalvingSearchCV"]
    results.value("halving_over_full_grid", round(ratio, 2))
    results.value("speed_up_over_halving_grid_search", round(speed_up, 2))
    gap = full.best_score_ - full_score(ours)
    print_targets(
        [
            (f"winner within 0.005 of the full grid's best ({gap:.4f})", gap <= 0.005),
            (f"<= 0.45x the full grid's time ({ratio:.2f}x)", ratio <= 0.45),
            (f">= 3x faster than HalvingGridSearchCV ({speed_up:.2f}x)", speed_up >= 3),
            (
                "the same rungs as HalvingGridSearchCV",
                ours.n_resources_ == theirs.n_resources_
                and ours.n_candidates_ == theirs.n_candidates_,
            ),
        ]
    )
    results.write()


if __name__ == "__main__":
    main()
