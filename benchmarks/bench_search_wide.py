"""A penalty sweep on wide models: SoftmaxSearchCV against GridSearchCV, side by side in one run.

Embedding-like data (48,000 x 512 float32, 200 classes: unit-norm rows around
one random centre per class, seed 0), ``SoftmaxClassifier(random_state=0)``
with its defaults, alpha in {1e-5, 1e-4, 1e-3, 1e-2}, ``StratifiedKFold(3,
shuffle=True, random_state=0)``. With 200 classes one model's product is
already wide, so stacking gains less than on the 10 classes of Fashion-MNIST:
the search must still never be slower than GridSearchCV over the same model.

    python benchmarks/bench_search_wide.py
    python benchmarks/bench_search_wide.py --rows 12000   # a quicker look
"""

import argparse
import platform

import numpy as np
import sklearn
import torch
from _report import fit_seconds, print_targets
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV

GRID = {"alpha": [1e-5, 1e-4, 1e-3, 1e-2]}


def embeddings(n_rows, n_features=512, n_classes=200, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_classes, n_features)).astype(np.float32)
    y = np.arange(n_rows) % n_classes
    X = 0.15 * centres[y] + rng.normal(size=(n_rows, n_features)).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X, y


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=48_000, help="training rows (default 48,000)")
    args = parser.parse_args(argv)
    X, y = embeddings(args.rows)
    print(
        f"{platform.processor() or platform.machine()}, torch {torch.__version__} on "
        f"{torch.get_num_threads()} thread(s), scikit-learn {sklearn.__version__}; "
        f"X {X.shape[0]:,} x {X.shape[1]}, {len(np.unique(y))} classes"
    )
    SoftmaxClassifier(max_epochs=2).fit(*load_iris(return_X_y=True))  # first-call costs
    estimator = SoftmaxClassifier(random_state=0)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    searches = {
        "SoftmaxSearchCV": SoftmaxSearchCV(estimator, GRID, cv=cv),
        "GridSearchCV(n_jobs=1)": GridSearchCV(estimator, GRID, cv=cv, n_jobs=1),
    }
    seconds = {}
    for name, search in searches.items():
        seconds[name] = fit_seconds(search, X, y)
        print(f"{name}: {seconds[name]:.1f} s", flush=True)
    ours, grid = searches.values()
    print("\n| alpha | SoftmaxSearchCV | GridSearchCV | difference |")
    print("|---:|---:|---:|---:|")
    for params, a, b in zip(
        ours.cv_results_["params"],
        ours.cv_results_["mean_test_score"],
        grid.cv_results_["mean_test_score"],
        strict=True,
    ):
        print(f"| {params['alpha']:g} | {a:.4f} | {b:.4f} | {a - b:+.4f} |")
    speed_up = seconds["GridSearchCV(n_jobs=1)"] / seconds["SoftmaxSearchCV"]
    print("\n| search | time (s) | GridSearchCV(n_jobs=1) / it |")
    print("|---|---:|---:|")
    for name, value in seconds.items():
        print(f"| {name} | {value:.1f} | {seconds['GridSearchCV(n_jobs=1)'] / value:.2f}x |")
    print(
        f"\nbest alpha: SoftmaxSearchCV {ours.best_params_['alpha']:g} "
        f"(CV {ours.best_score_:.4f}), "
        f"GridSearchCV {grid.best_params_['alpha']:g} (CV {grid.best_score_:.4f}); "
        f"stacked share {ours.stacked_time_.sum() * ours.n_splits_:.1f} s, "
        f"refit {ours.refit_time_:.1f} s"
    )
    print_targets(
        [
            (f"never slower than GridSearchCV ({speed_up:.2f}x)", speed_up >= 1),
            (f"goal: >= 1.5x ({speed_up:.2f}x)", speed_up >= 1.5),
            ("the same best alpha", ours.best_params_ == grid.best_params_),
        ]
    )


if __name__ == "__main__":
    main()
