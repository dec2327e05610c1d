"""Searching a Pipeline: scaling fitted inside each fold
=====================================================

The idiom every scikit-learn user writes: a ``StandardScaler`` in front of the
classifier, so that the scaling is fitted on each fold's training rows only,
and a search over the pipeline's parameters. ``SoftmaxSearchCV`` fits the
scaler once per scaler setting and split (here 2 x 3 times, where
``GridSearchCV`` fits it once per candidate and split, 24 x 3 times) and stacks
the classifier candidates on each split's scaled rows. The script runs both on
the same Fashion-MNIST rows, prints their times and best candidates, and draws
the CV accuracy of every candidate by epochs::

    python examples/pipeline_search.py --data-home ~/scikit_learn_data --plot pipeline.png
    python examples/pipeline_search.py --quick

``--quick`` searches on a tenth of the training set (``--fraction`` sets
another share); the test set is always the full 10,000 images.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV
from sk_softmax.plotting import plot_search_scores

GRID = {
    "scale__with_std": [True, False],
    "clf__lr": [0.001, 0.003, 0.01, 0.03],
    "clf__max_epochs": [5, 10, 20],
}
QUICK_FRACTION = 0.1


def timed_fit(search, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the short candidates, on purpose
        start = time.perf_counter()
        search.fit(X, y)
    return time.perf_counter() - start


def main(argv=None):
    from sk_softmax.datasets import fetch_fashion_mnist

    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0] or None)
    parser.add_argument("--data-home", default=None, help="folder holding fashion-mnist/")
    parser.add_argument("--quick", action="store_true", help="a tenth of the training set")
    parser.add_argument("--fraction", type=float, default=None, help="share of training rows")
    parser.add_argument("--plot", type=Path, default=None, help="save the figure to this file")
    args = parser.parse_args(argv)
    X, y = fetch_fashion_mnist(data_home=args.data_home, return_X_y=True)
    X_test, y_test = fetch_fashion_mnist(subset="test", data_home=args.data_home, return_X_y=True)
    fraction = args.fraction or (QUICK_FRACTION if args.quick else None)
    if fraction is not None:
        X, _, y, _ = train_test_split(X, y, train_size=fraction, stratify=y, random_state=0)
    pipe = Pipeline(
        [("scale", StandardScaler()), ("clf", SoftmaxClassifier(optimizer="adam", random_state=0))]
    )
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    ours = SoftmaxSearchCV(pipe, GRID, cv=cv)
    theirs = GridSearchCV(pipe, GRID, cv=cv)
    seconds = {"SoftmaxSearchCV": timed_fit(ours, X, y), "GridSearchCV": timed_fit(theirs, X, y)}
    n = len(ours.cv_results_["params"])
    print(f"{len(y):,} training rows, {n} candidates, 3 folds")
    for name, search in (("SoftmaxSearchCV", ours), ("GridSearchCV", theirs)):
        print(
            f"{name:<16} {seconds[name]:6.1f} s  best {search.best_params_}  "
            f"CV {search.best_score_:.4f}  test {search.score(X_test, y_test):.4f}"
        )
    print(
        f"SoftmaxSearchCV: {seconds['GridSearchCV'] / seconds['SoftmaxSearchCV']:.1f}x faster, "
        f"{ours.n_stacked_runs_} stacked runs (2 scaler settings x 3 splits)"
    )
    fig, ax = plt.subplots(figsize=(9, 4.8), layout="constrained")
    plot_search_scores(ours, x="clf__max_epochs", lines="clf__lr", ax=ax)
    ax.set_title(
        "Searching StandardScaler + SoftmaxClassifier on Fashion-MNIST\n"
        "(each point: the better of with_std=True and False)"
    )
    if args.plot is not None:
        args.plot.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.plot, dpi=120)
    return ours, theirs


if __name__ == "__main__":
    # Under a Jupyter kernel (the gallery's notebooks) sys.argv is the kernel's: no arguments.
    main([] if "ipykernel" in sys.modules else None)
