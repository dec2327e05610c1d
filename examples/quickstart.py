"""Quickstart
==========

``SoftmaxClassifier()`` next to scikit-learn's ``LogisticRegression()`` on
scikit-learn's digits, then the idiom the project exists for:
``GridSearchCV`` over ``lr`` and ``max_epochs``, and ``SoftmaxSearchCV``, its
drop-in, on the same grid. Every value of the grid changes the model, and the
two searches give the same CV scores; ``SoftmaxSearchCV`` trains the
candidates of each split side by side, and draws their CV accuracy by epochs
and learning rate (where matplotlib is installed). Runs offline in a few
seconds::

    python examples/quickstart.py

The output has no timings: ``benchmarks/bench_card.py`` times the two searches
side by side.
"""

import argparse
import sys
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV

GRID = {"lr": [0.001, 0.01, 0.1], "max_epochs": [3, 10, 30]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0] or None)
    parser.add_argument("--seed", type=int, default=0, help="random_state of split and model")
    args = parser.parse_args(argv)

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.25, stratify=y, random_state=args.seed
    )
    print(f"load_digits: {len(X_train)} training and {len(X_test)} test images, 10 classes")

    ours = SoftmaxClassifier(random_state=args.seed).fit(X_train, y_train)
    reference = LogisticRegression().fit(X_train, y_train)
    # what optimizer="auto" took for these rows, as the history records it
    optimizer = {"lbfgs": "L-BFGS", "adam": "Adam", "sgd": "SGD"}[ours.history_[-1, "optimizer"]]
    print(
        f"{'SoftmaxClassifier()':<22} test accuracy {ours.score(X_test, y_test):.4f}  "
        f"({optimizer}, {ours.n_iter_} epochs)"
    )
    print(f"{'LogisticRegression()':<22} test accuracy {reference.score(X_test, y_test):.4f}")

    estimator = SoftmaxClassifier(random_state=args.seed)
    with warnings.catch_warnings():
        # Candidates of 3 and 10 epochs stop before they converge, on purpose:
        # GridSearchCV warns once per such fit, SoftmaxSearchCV once per search.
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid = GridSearchCV(estimator, GRID, cv=3).fit(X_train, y_train)
        fast = SoftmaxSearchCV(estimator, GRID, cv=3).fit(X_train, y_train)
    scores = grid.cv_results_["mean_test_score"]
    print(
        f"GridSearchCV(SoftmaxClassifier(), lr x max_epochs, cv=3): {len(scores)} candidates, "
        f"{len(np.unique(scores))} different CV scores"
    )
    same = np.allclose(fast.cv_results_["mean_test_score"], scores, atol=1e-6)
    print(
        f"SoftmaxSearchCV, the same search: {'the same' if same else 'other'} CV scores, "
        f"{'the same' if fast.best_params_ == grid.best_params_ else 'another'} best "
        f"{fast.best_params_}; {fast.n_stacked_runs_} stacked runs, "
        f"{fast.n_separate_fits_} separate fits"
    )
    _draw(fast)


def _draw(search):
    """The search's mean CV accuracy by epochs, a line per learning rate, where
    matplotlib is installed (the ``plot`` extra)."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        return
    from sk_softmax.plotting import plot_search_scores

    fig, ax = plt.subplots(figsize=(8, 4.4), layout="constrained")
    plot_search_scores(search, ax=ax)
    fig.suptitle("SoftmaxClassifier() on digits, 3-fold CV: every lr and max_epochs its own model")


if __name__ == "__main__":
    # Under a Jupyter kernel (the gallery's notebooks) sys.argv is the kernel's: no arguments.
    main([] if "ipykernel" in sys.modules else None)
