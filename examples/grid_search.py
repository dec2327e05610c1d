"""Learning rate × epochs × batch size on Fashion-MNIST, one search
================================================================

d2l 3.7, exercise 1. Cross-validates ``SoftmaxClassifier`` over ``lr`` ×
``max_epochs`` × ``batch_size`` with ``SoftmaxSearchCV`` (scikit-learn's
GridSearchCV, with the candidates trained as stacked runs), prints the results
sorted by mean validation accuracy, the best parameters and the test accuracy
of the model refit on the whole training set, and draws the mean CV accuracy
against the epochs, one line per learning rate::

    python examples/grid_search.py --data-home ~/scikit_learn_data --plots docs/images
    python examples/grid_search.py --quick
    python examples/grid_search.py --data-home ~/scikit_learn_data --compare  # + GridSearchCV

Every fit runs exactly ``max_epochs`` epochs at a constant learning rate and
without a penalty: the exercise asks what these change.
``--fraction`` searches (and refits) on a stratified subsample of the training
set; the test set is always the full 10,000 images. ``--quick`` searches a
smaller grid (``lr`` in {0.001, 0.01}, ``max_epochs`` in {5, 10, 20},
``batch_size`` 256) on a tenth of the training set (``--fraction`` still
wins). ``--compare`` runs the same search with GridSearchCV too, for the time
side by side. ``--plots DIR`` saves the figure as ``grid_search.png`` into
``DIR`` and leaves it open (``--plot FILE`` saves it to ``FILE``).
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV
from sk_softmax.datasets import fetch_fashion_mnist

PARAM_GRID = {
    "lr": [0.001, 0.003, 0.01],
    "max_epochs": [10, 20, 40],
    "batch_size": [64, 256],
}
QUICK_GRID = {"lr": [0.001, 0.01], "max_epochs": [5, 10, 20], "batch_size": [256]}
QUICK_FRACTION = 0.1
DPI = 120


def print_results(search):
    results = search.cv_results_
    print(f"\n{'rank':>4}  {'accuracy':>15}  params")
    for i in np.argsort(results["rank_test_score"], kind="stable"):
        mean, std = results["mean_test_score"][i], results["std_test_score"][i]
        params = ", ".join(f"{key}={value}" for key, value in results["params"][i].items())
        print(f"{results['rank_test_score'][i]:>4}  {mean:.4f} +- {std:.4f}  {params}")


def run(search, X, y, X_test, y_test):
    start = time.perf_counter()
    with warnings.catch_warnings():
        # Fixed-length runs end at max_epochs on purpose.
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    seconds = time.perf_counter() - start
    print(f"\nbest params: {search.best_params_}  (CV accuracy {search.best_score_:.4f})")
    print(
        f"refit on {len(X)} images: test accuracy {search.score(X_test, y_test):.4f}; "
        f"whole search {seconds:.0f} s",
        flush=True,
    )
    return seconds


def main(argv=None):
    """Search and report; return the fitted SoftmaxSearchCV."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0] or None)
    parser.add_argument(
        "--fraction", type=float, help="share of the training set to search on (default: 1)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smaller grid on {QUICK_FRACTION:.0%} of the training set",
    )
    parser.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    parser.add_argument("--cv", type=int, default=3, help="cross-validation folds")
    parser.add_argument("--n-jobs", type=int, default=1, help="parallel stacked runs")
    parser.add_argument("--compare", action="store_true", help="also run GridSearchCV")
    parser.add_argument(
        "--plots", type=Path, metavar="DIR", help="save grid_search.png into DIR (e.g. docs/images)"
    )
    parser.add_argument("--plot", type=Path, metavar="FILE", help="save the figure to FILE")
    parser.add_argument(
        "--data-home",
        help="folder holding fashion-mnist/ (default: $SK_SOFTMAX_DATA, then sklearn's)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="random_state of subsample, folds, model"
    )
    args = parser.parse_args(argv)
    fraction = args.fraction or (QUICK_FRACTION if args.quick else 1.0)
    param_grid = QUICK_GRID if args.quick else PARAM_GRID

    X, y = fetch_fashion_mnist(subset="train", data_home=args.data_home, return_X_y=True)
    X_test, y_test = fetch_fashion_mnist(subset="test", data_home=args.data_home, return_X_y=True)
    if fraction < 1:
        X, _, y, _ = train_test_split(X, y, train_size=fraction, stratify=y, random_state=args.seed)
    n_candidates = int(np.prod([len(values) for values in param_grid.values()]))
    print(
        f"Fashion-MNIST: searching {n_candidates} candidates on {len(X)} training images "
        f"({args.cv}-fold CV, optimizer={args.optimizer!r}, {torch.get_num_threads()} torch "
        "thread(s))",
        flush=True,
    )
    estimator = SoftmaxClassifier(
        optimizer=args.optimizer,
        alpha=0.0,
        lr_schedule="constant",
        n_iter_no_change=1000,
        random_state=args.seed,
    )
    cv = StratifiedKFold(args.cv, shuffle=True, random_state=args.seed)
    search = SoftmaxSearchCV(estimator, param_grid, cv=cv, n_jobs=args.n_jobs)
    seconds = run(search, X, y, X_test, y_test)
    print_results(search)
    if args.compare:
        print("\nThe same search with GridSearchCV, one fit per candidate and fold:")
        grid = GridSearchCV(estimator, param_grid, cv=cv, n_jobs=args.n_jobs)
        grid_seconds = run(grid, X, y, X_test, y_test)
        print(f"GridSearchCV took {grid_seconds / seconds:.1f}x as long as SoftmaxSearchCV")
    paths = [args.plots / "grid_search.png"] if args.plots is not None else []
    paths += [args.plot] if args.plot is not None else []
    if paths:
        from sk_softmax.plotting import plot_search_scores

        ax = plot_search_scores(search)
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            ax.figure.savefig(path, dpi=DPI)
    return search


if __name__ == "__main__":
    # Under a Jupyter kernel (the gallery's notebooks) sys.argv is the kernel's: no arguments.
    main([] if "ipykernel" in sys.modules else None)
