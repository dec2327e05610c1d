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

Prints the times, the winners and their scores in the full grid, and the targets.

    python benchmarks/bench_halving.py --data-home ~/scikit_learn_data
"""

import argparse
import platform

import numpy as np
import torch
from _report import fit_seconds, print_targets
from sklearn.datasets import load_iris
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV, StratifiedKFold

from sk_softmax import SoftmaxClassifier, SoftmaxHalvingSearchCV, SoftmaxSearchCV
from sk_softmax.datasets import fetch_fashion_mnist

GRID = {"lr": list(np.logspace(-4, -0.5, 10).round(6)), "alpha": [0.0, 1e-5, 1e-4]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None, help="folder holding fashion-mnist/")
    parser.add_argument("--rows", type=int, default=20_000, help="training rows (20,000)")
    args = parser.parse_args(argv)
    X, y = fetch_fashion_mnist(data_home=args.data_home, return_X_y=True)
    X, y = X[: args.rows], y[: args.rows]
    print(
        f"{platform.processor() or platform.machine()}, torch {torch.__version__} on "
        f"{torch.get_num_threads()} thread(s); {len(y):,} rows, 30 candidates, 1 -> 27 epochs"
    )
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
    seconds = {}
    for name, search in searches.items():
        seconds[name] = fit_seconds(search, X, y)
        print(f"{name}: {seconds[name]:.1f} s", flush=True)
    full, ours, theirs = searches.values()
    in_full = {
        str({k: v for k, v in p.items() if k != "max_epochs"}): score
        for p, score in zip(
            full.cv_results_["params"], full.cv_results_["mean_test_score"], strict=True
        )
    }

    def full_score(search):
        return in_full[str({k: v for k, v in search.best_params_.items() if k != "max_epochs"})]

    print("\n| search | time (s) | / ours | winner | its CV score in the full grid |")
    print("|---|---:|---:|---|---:|")
    for name, search in searches.items():
        relative = seconds[name] / seconds["SoftmaxHalvingSearchCV"]
        print(
            f"| {name} | {seconds[name]:.1f} | {relative:.2f}x "
            f"| {search.best_params_} | {full_score(search):.4f} |"
        )
    print(f"\nrungs: epochs {ours.n_resources_}, candidates {ours.n_candidates_}")
    ratio = seconds["SoftmaxHalvingSearchCV"] / seconds["full grid, 27 epochs (SoftmaxSearchCV)"]
    speed_up = seconds["HalvingGridSearchCV"] / seconds["SoftmaxHalvingSearchCV"]
    gap = full.best_score_ - full_score(ours)
    print_targets(
        [
            (f"winner within 0.005 of the full grid's best ({gap:.4f})", gap <= 0.005),
            (f"<= 0.4x the full grid's time ({ratio:.2f}x)", ratio <= 0.4),
            (f">= 3x faster than HalvingGridSearchCV ({speed_up:.2f}x)", speed_up >= 3),
            (
                "the same rungs as HalvingGridSearchCV",
                ours.n_resources_ == theirs.n_resources_
                and ours.n_candidates_ == theirs.n_candidates_,
            ),
        ]
    )


if __name__ == "__main__":
    main()
