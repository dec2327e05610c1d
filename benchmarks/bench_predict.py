"""Prediction speed of SoftmaxClassifier against LogisticRegression, side by side.

Both models are fitted on Fashion-MNIST (784 features, 10 classes); then, in
one run, each one's ``predict_proba`` is timed on a single row (median of many
calls: the latency a web service sees) and on 1,000 and 100,000 rows
(throughput). Prints a table and the ratios.

    python benchmarks/bench_predict.py --data-home ~/scikit_learn_data
"""

import argparse
import platform
import warnings

import numpy as np
import torch
from _report import median_seconds
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
    print(
        f"{platform.processor() or platform.machine()}, torch {torch.__version__} on "
        f"{torch.get_num_threads()} thread(s), numpy {np.__version__}"
    )
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

    print()
    print("| model | 1 row (µs) | 1,000 rows (rows/s) | 100,000 rows (rows/s) |")
    print("|---|---:|---:|---:|")
    for name, (latency, throughput) in results.items():
        print(
            f"| {name} | {latency * 1e6:,.0f} | {throughput[1_000]:,.0f} "
            f"| {throughput[100_000]:,.0f} |"
        )
    ours, reference = results["SoftmaxClassifier"], results["LogisticRegression"]
    print()
    print(
        f"single-row latency, SoftmaxClassifier / LogisticRegression: {ours[0] / reference[0]:.2f}"
    )
    for n in batches:
        print(
            f"{n:,}-row throughput, SoftmaxClassifier / LogisticRegression: "
            f"{ours[1][n] / reference[1][n]:.2f}"
        )


if __name__ == "__main__":
    main()
