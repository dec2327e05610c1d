"""Quickstart
==========

``SoftmaxClassifier`` next to scikit-learn's ``LogisticRegression`` on
scikit-learn's digits: the same split, the test accuracy and the fit time of
each. ``import sk_softmax`` does not import PyTorch; the first fit of a
process does, and the script times that import on its own line, so that the
fit times compare the fits. Runs offline in a few seconds::

    python examples/quickstart.py
"""

import argparse
import importlib
import sys
import time

from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from sk_softmax import SoftmaxClassifier


def main(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0] or None)
    parser.add_argument("--seed", type=int, default=0, help="random_state of split and model")
    args = parser.parse_args(argv)

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.25, stratify=y, random_state=args.seed
    )
    models = {
        "SoftmaxClassifier()": SoftmaxClassifier(random_state=args.seed),
        "LogisticRegression(max_iter=1000)": LogisticRegression(max_iter=1000),
    }
    print(f"load_digits: {len(X_train)} training and {len(X_test)} test images, 10 classes")
    start = time.perf_counter()
    importlib.import_module("torch")  # what the first fit of a process would import
    print(f"{'importing PyTorch (once per process)':<36} {time.perf_counter() - start:.2f} s")
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        print(f"{name:<36} test accuracy {model.score(X_test, y_test):.4f}  fit {seconds:.2f} s")
    ours = models["SoftmaxClassifier()"]
    solver = type(ours.net_.optimizer_).__name__
    print(f"SoftmaxClassifier trained with {solver} (optimizer='auto') for {ours.n_iter_} epochs")


if __name__ == "__main__":
    # Under a Jupyter kernel (the gallery's notebooks) sys.argv is the kernel's: no arguments.
    main([] if "ipykernel" in sys.modules else None)
