"""The design card's idiom on the default estimator: GridSearchCV over lr and max_epochs.

On digits (scaled to [0, 1], as in the README) and on
``make_classification(60_000, 20, n_informative=10, n_classes=4, random_state=0)``,
in one run, side by side: ``GridSearchCV(SoftmaxClassifier(random_state=0),
{"lr": [0.001, 0.01, 0.1], "max_epochs": [3, 10, 30]}, cv=3)`` and
``SoftmaxSearchCV`` on the same grid (median of interleaved fits each); how many
distinct mean scores the grid gives; whether SoftmaxSearchCV gives GridSearchCV's
scores and best; ``validation_curve`` over ``max_epochs`` [1, 3, 30] with the
defaults; and the default fit's test accuracy beside ``LogisticRegression()``'s.
Writes ``results/bench_card.json``.

    python benchmarks/bench_card.py
"""

import argparse
import warnings

import numpy as np
from _report import Results, interleaved, print_targets
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split, validation_curve

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV

GRID = {"lr": [0.001, 0.01, 0.1], "max_epochs": [3, 10, 30]}


def datasets():
    X, y = load_digits(return_X_y=True)
    digits = train_test_split(X / 16, y, stratify=y, random_state=0)
    X, y = make_classification(60_000, 20, n_informative=10, n_classes=4, random_state=0)
    synthetic = train_test_split(X.astype(np.float32), y, stratify=y, random_state=0)
    return {"digits (X/16)": digits, "make_classification 60,000 x 20": synthetic}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="fits of each search (median)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # few epochs, on purpose
    results = Results("bench_card")
    SoftmaxClassifier().fit(*load_digits(return_X_y=True))  # first-call costs
    searches, curves, fits, targets = [], [], [], []
    for name, (X_train, X_test, y_train, y_test) in datasets().items():
        made = {
            "GridSearchCV": GridSearchCV(SoftmaxClassifier(random_state=0), GRID, cv=3),
            "SoftmaxSearchCV": SoftmaxSearchCV(SoftmaxClassifier(random_state=0), GRID, cv=3),
        }
        jobs = {k: (lambda s=s, X=X_train, y=y_train: s.fit(X, y)) for k, s in made.items()}
        times = interleaved(jobs, args.reps)
        theirs, ours = made["GridSearchCV"], made["SoftmaxSearchCV"]
        scores = theirs.cv_results_["mean_test_score"]
        distinct = len(np.unique(scores.round(10)))
        gap = np.abs(ours.cv_results_["mean_test_score"] - scores).max()
        speed_up = times["GridSearchCV"] / times["SoftmaxSearchCV"]
        searches.append(
            [
                name,
                distinct,
                round(times["GridSearchCV"], 2),
                round(times["SoftmaxSearchCV"], 2),
                round(speed_up, 2),
                round(float(gap), 4),
                "yes" if ours.best_params_ == theirs.best_params_ else "no",
                ours.n_separate_fits_,
            ]
        )
        train, _ = validation_curve(
            SoftmaxClassifier(random_state=0),
            X_train,
            y_train,
            param_name="max_epochs",
            param_range=[1, 3, 30],
            cv=3,
        )
        rise = train.mean(1)
        curves.append([name, *(round(v, 4) for v in rise)])
        default = SoftmaxClassifier(random_state=0).fit(X_train, y_train)
        reference = LogisticRegression(max_iter=1000).fit(X_train, y_train)
        accuracy, lr_accuracy = default.score(X_test, y_test), reference.score(X_test, y_test)
        fits.append([name, round(accuracy, 4), round(lr_accuracy, 4)])
        targets += [
            (f"{name}: >= 6 distinct mean scores ({distinct})", distinct >= 6),
            (f"{name}: no separate fits ({ours.n_separate_fits_})", ours.n_separate_fits_ == 0),
            (f"{name}: GridSearchCV's scores within 0.01 ({gap:.4f})", gap <= 0.01),
            (f"{name}: GridSearchCV's best", ours.best_params_ == theirs.best_params_),
            (f"{name}: >= 2x faster ({speed_up:.2f}x)", speed_up >= 2),
            (f"{name}: training score rises >= 0.01", rise[2] - rise[0] >= 0.01),
            (
                f"{name}: default fit at LogisticRegression's accuracy",
                accuracy >= lr_accuracy - 0.005,
            ),
        ]
    results.table(
        "searches",
        [
            "data",
            "distinct scores",
            "GridSearchCV (s)",
            "SoftmaxSearchCV (s)",
            "speed-up",
            "largest score difference",
            "same best",
            "separate fits",
        ],
        searches,
        note="GridSearchCV over lr x max_epochs (9 candidates, 3 folds) on SoftmaxClassifier()",
    )
    results.table(
        "validation_curve",
        ["data", "max_epochs=1", "max_epochs=3", "max_epochs=30"],
        curves,
        note="validation_curve over max_epochs, default estimator: mean training score",
    )
    results.table(
        "defaults",
        ["data", "SoftmaxClassifier()", "LogisticRegression()"],
        fits,
        note="Test accuracy of the default fit",
    )
    print_targets(targets)
    results.write()


if __name__ == "__main__":
    main()
