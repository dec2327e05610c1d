"""predict_proba against onnxruntime on the exported graph, side by side in one run.

A SoftmaxClassifier fitted on Fashion-MNIST (defaults), exported with
``sk_softmax.onnx.to_onnx`` (float32, ``zipmap=False``); latency of one row
(median over ``--calls`` calls) and of 10,000 rows (median of 20), and the
largest probability difference.

    python benchmarks/bench_onnx.py --data-home ~/scikit_learn_data
"""

import argparse
import platform

import numpy as np
import onnxruntime as ort
import torch
from _report import median_seconds

from sk_softmax import SoftmaxClassifier
from sk_softmax.datasets import fetch_fashion_mnist
from sk_softmax.onnx import to_onnx


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None, help="folder holding fashion-mnist/")
    parser.add_argument("--calls", type=int, default=2000, help="single-row calls to time")
    args = parser.parse_args(argv)
    X, y = fetch_fashion_mnist(data_home=args.data_home, return_X_y=True)
    X_test, _ = fetch_fashion_mnist(subset="test", data_home=args.data_home, return_X_y=True)
    model = SoftmaxClassifier(random_state=0).fit(X, y)
    graph = to_onnx(model, X[:1], options={"zipmap": False})
    session = ort.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
    print(
        f"{platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"onnxruntime {ort.__version__}; graph {len(graph.SerializeToString()) / 1e3:.0f} kB"
    )
    row, rows = X_test[:1], X_test
    ours_proba = model.predict_proba(rows)
    ort_proba = session.run(["probabilities"], {"X": rows})[0]
    print(f"largest probability difference: {np.abs(ours_proba - ort_proba).max():.2e}")
    print("\n| | 1 row (µs) | 10,000 rows (ms) |")
    print("|---|---:|---:|")
    timings = {
        "SoftmaxClassifier.predict_proba": lambda X: model.predict_proba(X),
        "onnxruntime (float32 graph)": lambda X: session.run(["probabilities"], {"X": X}),
    }
    results = {}
    for name, predict in timings.items():
        one = median_seconds(lambda p=predict: p(row), args.calls)
        many = median_seconds(lambda p=predict: p(rows), 20)
        results[name] = (one, many)
        print(f"| {name} | {one * 1e6:.0f} | {many * 1e3:.1f} |")
    (a1, am), (b1, bm) = results.values()
    print(f"\nonnxruntime / predict_proba: 1 row {b1 / a1:.2f}x, 10,000 rows {bm / am:.2f}x")


if __name__ == "__main__":
    main()
