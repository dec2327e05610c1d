"""The GPU check: the chapter fit, the default fit and a stacked search on a CUDA device.

Where a CUDA device exists, trains on Fashion-MNIST, on the GPU and on the CPU
side by side: the book chapter's fit, ``SoftmaxClassifier()`` and
``SoftmaxSearchCV`` (4 lr x {5, 10, 20} epochs, 3 folds, 20,000 rows,
``refit=False``); prints each one's time, its time per step against the floor
of its steps on that device (``_report.step_floor``), the GPU / CPU ratio,
and whether both devices give models of the same test accuracy (to 0.01).
Writes ``results/gpu_check.json``. Where no CUDA device exists, it says so and
exits with status 0.

    python benchmarks/gpu_check.py --data-home ~/scikit_learn_data
"""

import argparse
import math
import sys
import warnings

import torch
from _report import Results, print_targets, seconds, step_floor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV
from sk_softmax.datasets import fetch_fashion_mnist

CHAPTER = dict(
    lr=0.1, max_epochs=10, batch_size=256, optimizer="sgd", alpha=0.0, lr_schedule="constant"
)
GRID = {"lr": [0.0003, 0.001, 0.003, 0.01], "max_epochs": [5, 10, 20]}


def jobs(X, y, device):
    """name -> (fit function, steps function of the fitted model, batch, outputs)."""
    small = X[:20_000], y[:20_000]
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    search = SoftmaxSearchCV(
        SoftmaxClassifier(optimizer="adam", batch_size=256, device=device, random_state=0),
        GRID,
        cv=cv,
        refit=False,
    )
    return {
        "chapter fit": (
            lambda: SoftmaxClassifier(**CHAPTER, device=device, random_state=0).fit(X, y),
            lambda model: 10 * math.ceil(len(y) / 256),
            256,
            10,
            len(y),
        ),
        "SoftmaxClassifier()": (
            lambda: SoftmaxClassifier(device=device, random_state=0).fit(X, y),
            lambda model: model.n_iter_ * math.ceil(len(y) / model.net_.batch_size),
            None,
            10,
            len(y),
        ),
        "SoftmaxSearchCV (refit=False)": (
            lambda: search.fit(*small),
            lambda fitted: 3 * 20 * math.ceil(len(small[1]) * 2 / 3 / 256),
            256,
            40,
            len(small[1]) * 2 // 3,
        ),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None, help="folder holding fashion-mnist/")
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print("No CUDA device here: nothing to check.")
        return 0
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    results = Results("gpu_check")
    X, y = fetch_fashion_mnist(data_home=args.data_home, return_X_y=True)
    X_test, y_test = fetch_fashion_mnist(subset="test", data_home=args.data_home, return_X_y=True)
    SoftmaxClassifier(max_epochs=1, device="cuda").fit(X[:1000], y[:1000])  # CUDA's start
    rows, targets = [], []
    by_device = {device: jobs(X, y, device) for device in ("cuda", "cpu")}
    for name in by_device["cuda"]:
        measured = {}
        for device, table in by_device.items():
            fit, steps_of, batch, outputs, n_rows = table[name]
            fitted = []
            wall = seconds(lambda f=fit, out=fitted: out.append(f()))
            model = fitted[0]
            batch = batch or model.net_.batch_size
            n_steps = steps_of(model)
            floor = step_floor(n_rows, X.shape[1], outputs, batch, device=device, repeats=3)
            accuracy = model.score(X_test, y_test) if hasattr(model, "coef_") else None
            measured[device] = (wall, wall / n_steps, floor, accuracy)
        (g_wall, g_step, g_floor, g_acc), (c_wall, c_step, c_floor, c_acc) = (
            measured["cuda"],
            measured["cpu"],
        )
        rows.append(
            [
                name,
                round(g_wall, 2),
                round(g_step * 1e3, 3),
                round(g_step / g_floor, 2),
                round(c_wall, 2),
                round(c_step / c_floor, 2),
                round(g_wall / c_wall, 2),
            ]
        )
        if g_acc is not None:
            targets.append((f"{name}: the same test accuracy to 0.01", abs(g_acc - c_acc) <= 0.01))
    results.table(
        "gpu",
        ["job", "GPU (s)", "GPU ms per step", "GPU / floor", "CPU (s)", "CPU / floor", "GPU / CPU"],
        rows,
        note=f"{torch.cuda.get_device_name(0)} against this machine's CPU",
    )
    print_targets(targets)
    results.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
