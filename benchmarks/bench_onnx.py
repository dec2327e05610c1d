"""predict_proba against onnxruntime on the exported graph, side by side in one run.

A SoftmaxClassifier fitted on Fashion-MNIST (defaults), exported with
``sk_softmax.onnx.to_onnx`` (float32, ``zipmap=False``); latency of one row
(median over ``--calls`` calls) and of 10,000 rows (median of 20), and the
largest probability difference.

    python benchmarks/bench_onnx.py --data-home ~/scikit_learn_data
"""

import argparse

import numpy as np
import onnxruntime as ort
from _report import Results, median_seconds

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
    report = Results("bench_onnx")
    print(f"onnxruntime {ort.__version__}; graph {len(graph.SerializeToString()) / 1e3:.0f} kB")
    row, rows = X_test[:1], X_test
    ours_proba = model.predict_proba(rows)
    ort_proba = session.run(["probabilities"], {"X": rows})[0]
    difference = np.abs(ours_proba - ort_proba).max()
    print(f"largest probability difference: {difference:.2e}")
    report.value("largest_probability_difference", float(f"{difference:.2e}"))
    timings = {
        "SoftmaxClassifier.predict_proba": lambda X: model.predict_proba(X),
        "onnxruntime (float32 graph)": lambda X: session.run(["probabilities"], {"X": X}),
    }
    results = {}
    for name, predict in timings.items():
        one = median_seconds(lambda p=predict: p(row), args.calls)
        many = median_seconds(lambda p=predict: p(rows), 20)
        results[name] = (one, many)
    (a1, am), (b1, bm) = results.values()
    rows = [[name, round(one * 1e6), round(many * 1e3, 1)] for name, (one, many) in results.items()]
    rows.append(["onnxruntime / predict_proba", round(b1 / a1, 2), round(bm / am, 2)])
    report.table(
        "latency",
        ["", "1 row (µs)", "10,000 rows (ms)"],
        rows,
        note="The default model's probabilities: medians of repeated calls",
    )
    report.write()


if __name__ == "__main__":
    main()
