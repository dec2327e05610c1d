"""The d2l chapter and its exercises on Fashion-MNIST: the chapter page's numbers and pictures.

Runs the examples the chapter page names, with their full settings, and
records what they print:

- ``examples/fashion_mnist.py``: the chapter's settings with seeds 0 to 4, and
  the project's defaults (``--defaults``);
- ``examples/grid_search.py``: exercise 1, ``lr`` x ``max_epochs`` x
  ``batch_size`` on all 60,000 training images;
- ``examples/overfitting.py``: exercise 2, four long runs and their remedies.

With ``--plots DIR`` the examples draw their pictures into ``DIR`` (the
chapter page shows those of ``docs/images``), from the same runs. Fit times
include what the examples record after every epoch (the accuracy on the
training and test images). Writes ``results/bench_chapter.json``::

    python benchmarks/bench_chapter.py --data-home $SK_SOFTMAX_DATA --plots docs/images
"""

import argparse
import contextlib
import io
import sys
from pathlib import Path

import numpy as np
from _report import Results

from sk_softmax.datasets import fetch_fashion_mnist

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

import fashion_mnist  # noqa: E402
import grid_search  # noqa: E402
import overfitting  # noqa: E402

SEEDS = range(5)


def quietly(main, argv):
    """``main(argv)``, its printed output kept from the benchmark's."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(argv)


def chapter_runs(results, data, plots):
    rows, fitted = [], []
    for seed in SEEDS:
        pictures = ["--plots", str(plots)] if plots and seed == 0 else []
        clf, seconds = quietly(fashion_mnist.main, ["--seed", str(seed), *data, *pictures])
        fitted.append(clf)
        rows.append([f"chapter settings, random_state={seed}", *_row(clf, seconds)])
        print(rows[-1], flush=True)
    accuracies = [row[1] for row in rows]
    clf, seconds = quietly(fashion_mnist.main, ["--defaults", *data])
    rows.append(["SoftmaxClassifier(random_state=0): the defaults", *_row(clf, seconds)])
    results.table(
        "chapter",
        ["model", "test accuracy", "epochs", "fit (s)"],
        rows,
        note="examples/fashion_mnist.py; fit times include scoring the training and test "
        "images after every epoch",
    )
    results.value("chapter_mean_accuracy", round(float(np.mean(accuracies)), 4))
    results.value("chapter_min_accuracy", round(min(accuracies), 4))
    results.value("chapter_max_accuracy", round(max(accuracies), 4))
    history = fitted[0].history_
    results.value("chapter_test_acc_epoch_8", round(history[7, "test_acc"], 4))
    results.value("chapter_test_acc_epoch_10", round(history[9, "test_acc"], 4))


def _row(clf, seconds):
    return [round(clf.history_[-1, "test_acc"], 4), clf.n_iter_, round(seconds, 2)]


def grid_run(results, data, plots, home):
    search = quietly(grid_search.main, [*data, *(["--plots", str(plots)] if plots else [])])
    cv = search.cv_results_
    order = np.argsort(cv["rank_test_score"], kind="stable")
    results.table(
        "grid",
        ["rank", "lr", "batch_size", "max_epochs", "mean CV accuracy", "std"],
        [
            [
                int(cv["rank_test_score"][i]),
                cv["params"][i]["lr"],
                cv["params"][i]["batch_size"],
                cv["params"][i]["max_epochs"],
                round(cv["mean_test_score"][i], 4),
                round(cv["std_test_score"][i], 4),
            ]
            for i in order
        ],
        note="examples/grid_search.py: 3-fold CV on the 60,000 training images",
    )
    best = search.best_params_
    described = f"lr {best['lr']}, batch {best['batch_size']}, {best['max_epochs']} epochs"
    results.value("grid_best", described)
    results.value("grid_best_cv", round(search.best_score_, 4))
    X_test, y_test = fetch_fashion_mnist(subset="test", data_home=home, return_X_y=True)
    results.value("grid_test", round(search.score(X_test, y_test), 4))
    results.value("grid_stacked_runs", search.n_stacked_runs_)
    return search


def overfitting_run(results, data, plots):
    runs = quietly(overfitting.main, [*data, *(["--plots", str(plots)] if plots else [])])
    rows = []
    for name, clf, curves, seconds in runs:
        best = int(curves["test_acc"].argmax())
        rows.append(
            [
                name,
                clf.n_iter_,
                round(float(curves["train_acc"][-1]), 4),
                round(float(curves["test_acc"][-1]), 4),
                round(float(curves["test_acc"][best]), 4),
                best + 1,
                round(seconds, 1),
            ]
        )
    results.table(
        "overfitting",
        [
            "variant",
            "epochs",
            "train accuracy",
            "test accuracy (last epoch)",
            "best test accuracy",
            "at epoch",
            "fit (s)",
        ],
        rows,
        note="examples/overfitting.py: Adam on 54,000 training images; fit times include "
        "scoring three sets after every epoch",
    )
    _, _, curves, _ = runs[0]
    peak = int(curves["valid_acc"].argmax())
    results.value("overfitting_peak_epoch", peak + 1)
    results.value("overfitting_peak_valid", round(float(curves["valid_acc"][peak]), 4))
    results.value("overfitting_test_at_peak", round(float(curves["test_acc"][peak]), 4))
    gaps = curves["train_acc"] - curves["valid_acc"]
    results.value("overfitting_gap_first", round(float(gaps[0]), 4))
    results.value("overfitting_gap_last", round(float(gaps[-1]), 4))
    _, early, _, _ = runs[3]
    kept = 1 + list(early.validation_scores_).index(early.best_validation_score_)
    results.value("overfitting_early_kept_epoch", kept)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None, help="folder holding fashion-mnist/")
    parser.add_argument("--plots", type=Path, default=None, help="draw the pictures into DIR")
    args = parser.parse_args(argv)
    data = ["--data-home", args.data_home] if args.data_home else []
    results = Results("bench_chapter")
    chapter_runs(results, data, args.plots)
    grid_run(results, data, args.plots, args.data_home)
    overfitting_run(results, data, args.plots)
    results.write()


if __name__ == "__main__":
    main()
