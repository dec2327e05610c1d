"""Where optimizer="auto" switches: full-batch L-BFGS against Adam, by the data's size and shape.

For 14 data sets of 1,000 to 150,000 training rows and 20 to 784 features
(standardised ``make_classification`` sets, and subsets of Fashion-MNIST's
raw pixels, whose features are many and strongly correlated), in one run,
side by side: the fit time and test accuracy of ``SoftmaxClassifier`` with
``optimizer="lbfgs"`` and with ``optimizer="adam"`` (its other parameters at
their defaults), of ``LogisticRegression()``, and which of the two
``optimizer="auto"`` picks (with ``lr="auto"``). Each split is 75/25,
stratified, seed 0. Writes ``results/bench_auto_optimizer.json``.

    python benchmarks/bench_auto_optimizer.py --data-home ~/scikit_learn_data
"""

import argparse

import numpy as np
from _report import Results, fit_seconds
from sklearn.datasets import load_iris, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sk_softmax import SoftmaxClassifier
from sk_softmax._recipe import data_size, solver
from sk_softmax.datasets import fetch_fashion_mnist

SYNTHETIC = [(1_000, 20), (5_000, 20), (60_000, 20), (1_000, 100), (20_000, 100),
             (100_000, 100), (20_000, 300), (100_000, 300), (150_000, 200)]  # fmt: skip
FASHION = [500, 1_000, 2_000, 10_000, 45_000]


def synthetic(n_train, n_features):
    X, y = make_classification(
        int(n_train / 0.75),
        n_features,
        n_informative=min(n_features - 2, 20),
        n_redundant=2,
        n_classes=5,
        random_state=0,
    )
    return StandardScaler().fit_transform(X).astype(np.float32), y


def split(X, y):
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


def timed(model, X_train, X_test, y_train, y_test):
    """Fit seconds and test accuracy."""
    return fit_seconds(model, X_train, y_train), model.score(X_test, y_test)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None, help="folder holding fashion-mnist/")
    args = parser.parse_args(argv)
    report = Results("bench_auto_optimizer")
    SoftmaxClassifier().fit(*load_iris(return_X_y=True))  # imports stay out of the timings
    X_fm, y_fm = fetch_fashion_mnist(data_home=args.data_home, return_X_y=True)
    sets = [(f"make_classification {n:,} x {d}", split(*synthetic(n, d))) for n, d in SYNTHETIC]
    for n in FASHION:
        rows = int(n / 0.75)
        sets.append((f"Fashion-MNIST {n:,} x 784", split(X_fm[:rows], y_fm[:rows])))
    times, accuracies, wins = [], [], []
    for name, (X_train, X_test, y_train, y_test) in sets:
        data = (X_train, X_test, y_train, y_test)
        lbfgs = timed(SoftmaxClassifier(optimizer="lbfgs", random_state=0), *data)
        adam = timed(SoftmaxClassifier(optimizer="adam", random_state=0), *data)
        reference = timed(LogisticRegression(), *data)
        size = data_size(X_train, len(np.unique(y_train)))
        auto, _ = solver("auto", "auto", size, incremental=False)
        auto = "L-BFGS" if auto == "lbfgs" else "Adam"
        n, d = X_train.shape
        times.append(
            [
                name,
                n * d,
                round(n / d),
                round(lbfgs[0], 2),
                round(adam[0], 2),
                round(reference[0], 2),
                auto,
            ]
        )
        accuracies.append(
            [name, round(lbfgs[1], 4), round(adam[1], 4), round(reference[1], 4), auto]
        )
        print(times[-1], accuracies[-1], flush=True)
        chosen, other = (lbfgs, adam) if auto == "L-BFGS" else (adam, lbfgs)
        wins.append((chosen[0] <= 1.25 * other[0], chosen[1] >= other[1] - 0.005))
    report.table(
        "times",
        [
            "data (training rows x features)",
            "values",
            "rows per feature",
            "L-BFGS (s)",
            "Adam (s)",
            "LogisticRegression (s)",
            "auto takes",
        ],
        times,
        note="Fit time of SoftmaxClassifier with each optimizer, and of LogisticRegression()",
    )
    report.table(
        "accuracy",
        ["data (training rows x features)", "L-BFGS", "Adam", "LogisticRegression", "auto takes"],
        accuracies,
        note="Test accuracy of the same fits",
    )
    report.value("faster_choices", sum(w[0] for w in wins))
    report.value("accurate_choices", sum(w[1] for w in wins))
    report.value("sets", len(wins))
    print(
        f"\nauto's choice within 1.25x of the faster optimizer on {sum(w[0] for w in wins)} "
        f"of {len(wins)} sets; within 0.005 of the other's accuracy (or better) on "
        f"{sum(w[1] for w in wins)} of {len(wins)}"
    )
    report.write()


if __name__ == "__main__":
    main()
