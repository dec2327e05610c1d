"""SoftmaxSearchCV against GridSearchCV: the same search, side by side in one run.

Fashion-MNIST's 60,000 training images, ``SoftmaxClassifier(optimizer="adam",
batch_size=256, random_state=0)``, lr in {0.0003, 0.001, 0.003, 0.01, 0.03} x
max_epochs in {5, 10, 20, 40}, ``StratifiedKFold(3, shuffle=True,
random_state=0)``. Prints every candidate's mean CV accuracy under both; the
times (quiet, pinned to one core, beside one process spinning on a core) and
the speed-ups; and the stacked search's whole wall time (``refit=False``, in a
warm process) against the floor of all its steps (``_report.step_floor`` at
each epoch's number of models still training). Writes
``results/bench_search.json`` (``_pipeline`` or ``_randomized`` with the
options below).

    python benchmarks/bench_search.py --data-home ~/scikit_learn_data
    python benchmarks/bench_search.py --data-home ~/scikit_learn_data --skip-parallel-grid
    python benchmarks/bench_search.py --data-home ~/scikit_learn_data --pipeline

``--pipeline`` searches ``Pipeline([("scale", StandardScaler()), ("clf", ...)])``
over the same grid (``clf__lr``, ``clf__max_epochs``) instead. ``--randomized``
compares SoftmaxRandomizedSearchCV with RandomizedSearchCV: 16 candidates drawn
with ``random_state=0`` from lr ~ loguniform(1e-4, 1e-1), alpha ~
loguniform(1e-6, 1e-3), max_epochs in {5, 10, 20, 40}.

    python benchmarks/bench_search.py --data-home ~/scikit_learn_data --randomized
"""

import argparse
import math

import numpy as np
from _report import (
    Results,
    beside_a_busy_process,
    floor_row,
    on_one_core,
    print_targets,
    seconds,
    step_floor,
)
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sk_softmax import SoftmaxClassifier, SoftmaxRandomizedSearchCV, SoftmaxSearchCV
from sk_softmax.datasets import fetch_fashion_mnist

GRID = {"lr": [0.0003, 0.001, 0.003, 0.01, 0.03], "max_epochs": [5, 10, 20, 40]}


def _randomized(search):
    """``search`` with RandomizedSearchCV's arguments of this benchmark."""
    return lambda estimator, distributions, **kwargs: search(
        estimator, distributions, n_iter=16, random_state=0, **kwargs
    )


def stacked_floor(search, X, y):
    """Seconds of the floor of every step of ``search``'s stacked runs: each epoch's steps
    at the number of models then still training."""
    splits = list(search.cv.split(X, y))
    trained = search._train(X, y, splits, search._candidates(), {})
    if trained is None:
        return 0.0, 0
    # a Pipeline's trained models come by transformer setting
    stores = [s.trained for s in trained.settings] if hasattr(trained, "settings") else [trained]
    total, steps = 0.0, 0
    floors = {}
    for store in stores:
        for run, models in zip(store.plan.runs, store.models, strict=True):
            n_rows = len(splits[run.split][0])
            batch = min(256, n_rows)
            per_epoch = math.ceil(n_rows / batch)
            for epoch in range(1, max(m.n_epochs for m in models) + 1):
                live = sum(m.n_epochs >= epoch for m in models)
                key = (n_rows, live)
                if key not in floors:
                    floors[key] = step_floor(n_rows, X.shape[1], 10 * live, batch, repeats=3)
                total += per_epoch * floors[key]
                steps += per_epoch
    return total, steps


def compare_scores(results, ours, grid, X_test, y_test, names):
    ours_scores = ours.cv_results_["mean_test_score"]
    grid_scores = grid.cv_results_["mean_test_score"]
    rows = []
    for params, a, b in zip(ours.cv_results_["params"], ours_scores, grid_scores, strict=True):
        params = {name.removeprefix("clf__"): value for name, value in params.items()}
        rows.append([f"{params['lr']:.4g}", params["max_epochs"], round(a, 4), round(b, 4)])
    results.table(
        "candidates",
        ["lr", "max_epochs", *names],
        rows,
        note="Mean CV accuracy of every candidate under both searches",
    )
    delta = np.abs(ours_scores - grid_scores)
    chosen_under_grid = grid_scores[ours.best_index_]
    ours_test, grid_test = ours.score(X_test, y_test), grid.score(X_test, y_test)
    results.value("best_ours", str(ours.best_params_))
    results.value("best_grid", str(grid.best_params_))
    results.value("test_ours", round(ours_test, 4))
    results.value("test_grid", round(grid_test, 4))
    return [
        (f"mean |difference| <= 0.004 ({delta.mean():.4f})", delta.mean() <= 0.004),
        (f"max |difference| <= 0.01 ({delta.max():.4f})", delta.max() <= 0.01),
        (
            "chosen candidate within 0.003 of GridSearchCV's best "
            f"({grid.best_score_ - chosen_under_grid:.4f})",
            grid.best_score_ - chosen_under_grid <= 0.003,
        ),
        (
            f"refit test accuracy within 0.005 ({abs(ours_test - grid_test):.4f})",
            abs(ours_test - grid_test) <= 0.005,
        ),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None, help="folder holding fashion-mnist/")
    parser.add_argument("--skip-parallel-grid", action="store_true", help="no n_jobs=2 run")
    parser.add_argument("--skip-busy", action="store_true", help="no busy or one-core runs")
    parser.add_argument(
        "--pipeline", action="store_true", help="search StandardScaler + the classifier"
    )
    parser.add_argument(
        "--randomized", action="store_true", help="randomized searches, 16 candidates"
    )
    parser.add_argument("--rows", type=int, default=None, help="training rows (all 60,000)")
    args = parser.parse_args(argv)
    X, y = fetch_fashion_mnist(data_home=args.data_home, return_X_y=True)
    X, y = X[: args.rows], y[: args.rows]
    X_test, y_test = fetch_fashion_mnist(subset="test", data_home=args.data_home, return_X_y=True)
    kind = "_pipeline" if args.pipeline else "_randomized" if args.randomized else ""
    results = Results(f"bench_search{kind}")
    SoftmaxClassifier(max_epochs=2).fit(*load_iris(return_X_y=True))  # first-call costs
    estimator = SoftmaxClassifier(optimizer="adam", batch_size=256, random_state=0)
    grid = GRID
    if args.pipeline:
        estimator = Pipeline([("scale", StandardScaler()), ("clf", estimator)])
        grid = {f"clf__{name}": values for name, values in GRID.items()}
        print("searching Pipeline([StandardScaler(), SoftmaxClassifier(...)])")
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    ours, theirs = SoftmaxSearchCV, GridSearchCV
    ours_name, theirs_name = "SoftmaxSearchCV", "GridSearchCV"
    if args.randomized:
        ours_name, theirs_name = "SoftmaxRandomizedSearchCV", "RandomizedSearchCV"
        ours, theirs = _randomized(SoftmaxRandomizedSearchCV), _randomized(RandomizedSearchCV)
        grid = {
            "lr": loguniform(1e-4, 1e-1),
            "alpha": loguniform(1e-6, 1e-3),
            "max_epochs": [5, 10, 20, 40],
        }
        print("randomized searches, 16 candidates, random_state=0")
    searches = {
        "SoftmaxSearchCV": ours(estimator, grid, cv=cv),
        "GridSearchCV(n_jobs=1)": theirs(estimator, grid, cv=cv, n_jobs=1),
    }
    if not args.skip_parallel_grid:
        searches["GridSearchCV(n_jobs=2)"] = theirs(estimator, grid, cv=cv, n_jobs=2)
    quiet = {}
    for name, search in searches.items():
        quiet[name] = seconds(lambda s=search: s.fit(X, y))
        print(f"{name}: {quiet[name]:.1f} s", flush=True)
    one, busy, same = {}, {}, True
    if not args.skip_busy:
        for label, context, record in (
            ("pinned to one core", on_one_core, one),
            ("beside a busy process", beside_a_busy_process, busy),
        ):
            with context():
                for name in ("SoftmaxSearchCV",):
                    again = clone(searches[name])
                    record[name] = seconds(lambda a=again: a.fit(X, y))
                    print(f"{name} {label}: {record[name]:.1f} s", flush=True)
                    if name == "SoftmaxSearchCV":
                        same &= np.array_equal(
                            again.cv_results_["mean_test_score"],
                            searches[name].cv_results_["mean_test_score"],
                        )
    targets = compare_scores(
        results,
        searches["SoftmaxSearchCV"],
        searches["GridSearchCV(n_jobs=1)"],
        X_test,
        y_test,
        (ours_name, theirs_name),
    )
    # the rows named after the searches that ran
    shown = {"SoftmaxSearchCV": ours_name, "GridSearchCV(n_jobs=1)": f"{theirs_name}(n_jobs=1)"}
    shown["GridSearchCV(n_jobs=2)"] = f"{theirs_name}(n_jobs=2)"
    rows = []
    for name, value in quiet.items():
        row = [shown[name], round(value, 1), round(quiet["GridSearchCV(n_jobs=1)"] / value, 2)]
        row += [round(one[name], 1), round(busy[name], 1)] if name in busy else ["", ""]
        rows.append(row)
    results.table(
        "times",
        [
            "search",
            "quiet (s)",
            f"speed-up over {theirs_name}(n_jobs=1)",
            "one core (s)",
            "busy (s)",
        ],
        rows,
        note="One fit each: idle, and for ours on one core and beside `while True: pass`",
    )
    # The stacked search alone, as a user waits for it: no refit, a warm process.
    bare = clone(searches["SoftmaxSearchCV"]).set_params(refit=False)
    wall = min(seconds(lambda: bare.fit(X, y)) for _ in range(2))
    floor, steps = stacked_floor(bare, X, y)
    results.table(
        "floor",
        ["search", "wall (s)", "steps", "ms per step", "floor (ms per step)", "wall / floor"],
        [floor_row(f"{ours_name}(refit=False)", wall, steps, floor)],
        note="The whole search against the floor of all its steps (warm process, best of 2)",
    )
    targets.append((f"wall time <= 1.5x the floor ({wall / floor:.2f}x)", wall / floor <= 1.5))
    if busy:
        ratio = busy["SoftmaxSearchCV"] / one["SoftmaxSearchCV"]
        targets += [
            (f"SoftmaxSearchCV busy <= 1.2x one core ({ratio:.2f}x)", ratio <= 1.2),
            ("the same cv_results_ quiet, on one core and busy", same),
        ]
    results.value("speed_up", round(quiet["GridSearchCV(n_jobs=1)"] / quiet["SoftmaxSearchCV"], 2))
    print_targets(targets)
    results.write()


if __name__ == "__main__":
    main()
