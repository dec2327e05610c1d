"""Grid search over learning rate, epochs and batch size on Fashion-MNIST (d2l 3.7, exercise 1).

Cross-validates ``SoftmaxClassifier`` over ``lr`` x ``max_epochs`` x
``batch_size`` with scikit-learn's ``GridSearchCV`` on the training set, prints
the results sorted by mean validation accuracy, the best parameters, and the
test accuracy of the model refit on the whole training set with them::

    python examples/grid_search.py --data-home ../shared/data
    python examples/grid_search.py --data-home ../shared/data --fraction 0.1  # a quick run

``--fraction`` searches (and refits) on a stratified subsample of the
training set; the test set is always the full 10,000 images.
"""

import argparse
import time
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split

from sk_softmax import SoftmaxClassifier
from sk_softmax.datasets import fetch_fashion_mnist

PARAM_GRID = {
    "lr": [0.001, 0.003, 0.01],
    "max_epochs": [10, 20, 40],
    "batch_size": [64, 256],
}


def print_results(grid):
    results = grid.cv_results_
    print(f"\n{'rank':>4}  {'accuracy':>15}  {'fit s':>6}  params")
    for i in np.argsort(results["rank_test_score"], kind="stable"):
        mean, std = results["mean_test_score"][i], results["std_test_score"][i]
        params = ", ".join(f"{key}={value}" for key, value in results["params"][i].items())
        print(
            f"{results['rank_test_score'][i]:>4}  {mean:.4f} +- {std:.4f}  "
            f"{results['mean_fit_time'][i]:>6.1f}  {params}"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fraction", type=float, default=1.0, help="share of the training set to search on"
    )
    parser.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    parser.add_argument("--cv", type=int, default=3, help="cross-validation folds")
    parser.add_argument("--n-jobs", type=int, default=1, help="parallel fits")
    parser.add_argument(
        "--data-home",
        help="folder holding fashion-mnist/ (default: $SK_SOFTMAX_DATA, then sklearn's)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="random_state of subsample, folds, model"
    )
    args = parser.parse_args(argv)

    X, y = fetch_fashion_mnist(subset="train", data_home=args.data_home, return_X_y=True)
    X_test, y_test = fetch_fashion_mnist(subset="test", data_home=args.data_home, return_X_y=True)
    if args.fraction < 1:
        X, _, y, _ = train_test_split(
            X, y, train_size=args.fraction, stratify=y, random_state=args.seed
        )
    n_fits = args.cv * int(np.prod([len(values) for values in PARAM_GRID.values()]))
    print(
        f"Fashion-MNIST: searching on {len(X)} training images ({args.cv}-fold CV, "
        f"{n_fits} fits, optimizer={args.optimizer!r}, {torch.get_num_threads()} torch thread(s))"
    )

    grid = GridSearchCV(
        # Every fit runs exactly max_epochs epochs at a constant lr, without a
        # penalty: the chapter's exercise 1 asks what these two change.
        SoftmaxClassifier(
            optimizer=args.optimizer,
            alpha=0.0,
            lr_schedule="constant",
            n_iter_no_change=1000,
            random_state=args.seed,
        ),
        PARAM_GRID,
        cv=StratifiedKFold(args.cv, shuffle=True, random_state=args.seed),
        n_jobs=args.n_jobs,
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        # Short max_epochs in the grid stop before convergence on purpose.
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    seconds = time.perf_counter() - start

    print_results(grid)
    print(f"\nbest params: {grid.best_params_}  (CV accuracy {grid.best_score_:.4f})")
    print(
        f"refit on {len(X)} images: test accuracy {grid.score(X_test, y_test):.4f}, "
        f"refit {grid.refit_time_:.1f} s; whole search {seconds:.0f} s"
    )


if __name__ == "__main__":
    main()
