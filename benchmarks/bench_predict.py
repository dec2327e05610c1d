"""Prediction speed of SoftmaxClassifier against LogisticRegression, side by side.

Both models are fitted on Fashion-MNIST (784 features, 10 classes); then, in
one run, each one's ``predict_proba`` is timed on a single row (median of many
calls: the latency a web service sees) and on 1,000 and 100,000 rows
(throughput). Prints a table and the ratios, and writes
``results/bench_predict.json``.

    python benchmarks/bench_predict.py --data-home ~/scikit_learn_data
"""

import argparse
import warnings

import numpy as np
from _report import Results, median_seconds
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from sk_softmax import SoftmaxClassifier
from sk_softmax.datasets import fetch_fashion_mnist


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None, help="folder holding fashion-mnist/")
    parser.add_argument("--calls", type=int, default=2000, help="single-row calls to time")
    parser.add_argument("--reps", type=int, default=5, help="repetitions of each batch timing")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    X_train, y_train = fetch_fashion_mnist(data_home=args.data_home, return_X_y=True)
    X_test, _ = fetch_fashion_mnist(subset="test", data_home=args.data_home, return_X_y=True)
    report = Results("bench_predict")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        models = {
            "SoftmaxClassifier": SoftmaxClassifier(
                lr=0.1, max_epochs=10, optimizer="sgd", random_state=0
            ).fit(X_train, y_train),
            "LogisticRegression": LogisticRegression(max_iter=50).fit(X_train, y_train),
        }
    row = X_test[:1]
    batches = {1_000: X_test[:1_000], 100_000: np.tile(X_test, (10, 1))}
    results = {}
    for name, model in models.items():
        model.predict_proba(row)  # warm up
        latency = median_seconds(lambda m=model: m.predict_proba(row), args.calls)
        throughput = {
            n: n / median_seconds(lambda m=model, X=X: m.predict_proba(X), args.reps)
            for n, X in batches.items()
        }
        results[name] = (latency, throughput)

    ours, reference = results["SoftmaxClassifier"], results["LogisticRegression"]
    rows = [
        [
            name,
            round(latency * 1e6),
            round(throughput[1_000]),
            round(throughput[100_000]),
        ]
        for name, (latency, throughput) in results.items()
    ]
    rows.append(
        [
            "SoftmaxClassifier / LogisticRegression",
            round(ours[0] / reference[0], 2),
            round(ours[1][1_000] / reference[1][1_000], 2),
            round(ours[1][100_000] / reference[1][100_000], 2),
        ]
    )
    report.table(
        "predict_proba",
        ["model", "1 row (µs)", "1,000 rows (rows/s)", "100,000 rows (rows/s)"],
        rows,
        note="predict_proba: the median of single-row calls, and rows per second in batches",
    )
    report.write()


if __name__ == "__main__":
    main()
