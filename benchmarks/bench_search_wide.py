"""A penalty sweep on wide models: SoftmaxSearchCV against GridSearchCV, side by side in one run.

Embedding-like data (48,000 x 512 float32, 200 classes: unit-norm rows around
one random centre per class, seed 0), ``SoftmaxClassifier(random_state=0)``
with its defaults, alpha in {1e-5, 1e-4, 1e-3, 1e-2}, ``StratifiedKFold(3,
shuffle=True, random_state=0)``. With 200 classes one model's product is
already wide, so stacking gains less than on the 10 classes of Fashion-MNIST:
the search must still never be slower than GridSearchCV over the same model.
Writes ``results/bench_search_wide.json``.

    python benchmarks/bench_search_wide.py
    python benchmarks/bench_search_wide.py --rows 12000   # a quicker look
"""

import argparse

import numpy as np
from _report import Results, fit_seconds, print_targets
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
    report = Results("bench_search_wide")
    print(f"X {X.shape[0]:,} x {X.shape[1]}, {len(np.unique(y))} classes")
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
    report.table(
        "candidates",
        ["alpha", "SoftmaxSearchCV", "GridSearchCV"],
        [
            [f"{p['alpha']:g}", round(a, 4), round(b, 4)]
            for p, a, b in zip(
                ours.cv_results_["params"],
                ours.cv_results_["mean_test_score"],
                grid.cv_results_["mean_test_score"],
                strict=True,
            )
        ],
        note="Mean CV accuracy of every candidate",
    )
    speed_up = seconds["GridSearchCV(n_jobs=1)"] / seconds["SoftmaxSearchCV"]
    report.table(
        "times",
        ["search", "time (s)", "speed-up over GridSearchCV(n_jobs=1)"],
        [
            [name, round(value, 1), round(seconds["GridSearchCV(n_jobs=1)"] / value, 2)]
            for name, value in seconds.items()
        ],
        note=f"{X.shape[0]:,} x {X.shape[1]} embeddings, {len(np.unique(y))} classes",
    )
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
    report.write()


if __name__ == "__main__":
    main()
