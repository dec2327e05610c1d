"""Out-of-the-box defaults: SoftmaxClassifier() against scikit-learn's linear classifiers.

Seven data sets, built offline, each split 75/25 stratified with seed 0 (the
small ones averaged over split seeds 0, 1 and 2; Fashion-MNIST uses its
official test set). In one run, side by side, for every model with default
parameters: test accuracy, fit time, epochs, and whether a ConvergenceWarning
was raised; for SoftmaxClassifier() also the time of an epoch's steps against
their floor (``_report.step_floor``: the bare products, and row gather, of
those steps on this machine); then one streaming pass of ``partial_fit``
(SoftmaxClassifier vs SGDClassifier). Ends with the targets and whether each
is met. Writes ``results/bench_defaults.json``. (The chapter's and the default
fit's times beside a busy process are ``bench_fit.py``'s.)

    python benchmarks/bench_defaults.py --data-home ~/scikit_learn_data
    python benchmarks/bench_defaults.py --data-home ~/scikit_learn_data --only iris digits
"""

import argparse
import math
import statistics
import time
import warnings

import numpy as np
import scipy.sparse as sp
from _report import Results, print_targets, step_floor
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler, normalize

from sk_softmax import SoftmaxClassifier
from sk_softmax.datasets import fetch_fashion_mnist

SMALL_SEEDS = (0, 1, 2)
# Fit-time targets: seconds, or a multiple of LogisticRegression()'s time.
TIME_TARGETS = {
    "iris": (0.2, None),
    "wine": (0.2, None),
    "breast_cancer": (0.2, None),
    "digits": (0.2, None),
    "sparse": (None, 2.0),
    "Fashion-MNIST": (None, 0.5),
    "make_classification": (None, 1.0),
}
MODELS = {
    "SoftmaxClassifier()": lambda: SoftmaxClassifier(random_state=0),
    "LogisticRegression()": lambda: LogisticRegression(),
    'SGDClassifier(loss="log_loss")': lambda: SGDClassifier(loss="log_loss", random_state=0),
    "MLPClassifier(hidden_layer_sizes=())": lambda: MLPClassifier(
        hidden_layer_sizes=(), random_state=0
    ),
}
OURS, REFERENCE = "SoftmaxClassifier()", "LogisticRegression()"


# ---------------------------------------------------------------- data


def text_like(n_samples=20_000, n_features=5_000, n_classes=5, seed=0):
    """Sparse tf-idf-like rows: Zipf-distributed word counts plus class-specific words.

    Every document draws about 60 words from one Zipf distribution over the
    vocabulary shared by all classes, and about 2 more from 40 words of its
    class; counts go through log1p and each row is L2-normalised (float32 CSR).
    LogisticRegression() scores about 0.83 on it.
    """
    rng = np.random.default_rng(seed)
    y = rng.integers(n_classes, size=n_samples)
    common = 1.0 / np.arange(1, n_features + 1) ** 1.1
    common /= common.sum()
    specific = rng.choice(n_features, size=(n_classes, 40), replace=False)
    rows, cols = [], []
    for i, label in enumerate(y):
        words = rng.choice(n_features, size=rng.poisson(60), p=common)
        words = np.concatenate([words, rng.choice(specific[label], size=rng.poisson(2))])
        rows.append(np.full(len(words), i))
        cols.append(words)
    counts = sp.csr_matrix(
        (np.ones(sum(map(len, cols))), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_samples, n_features),
    )
    counts.sum_duplicates()
    counts.data = np.log1p(counts.data)
    return normalize(counts).astype(np.float32), y


def synthetic():
    X, y = make_classification(
        n_samples=200_000,
        n_features=200,
        n_informative=40,
        n_redundant=20,
        n_classes=5,
        flip_y=0.01,
        random_state=0,
    )
    return X.astype(np.float32), y


def _split(X, y, seed, standardise=False):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=seed
    )
    if standardise:
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    return X_train, X_test, y_train, y_test


def datasets(data_home):
    """name -> (list of (X_train, X_test, y_train, y_test) splits, streaming chunk size)."""
    iris, wine, cancer, digits = (
        loader(return_X_y=True)
        for loader in (load_iris, load_wine, load_breast_cancer, load_digits)
    )
    fm_train = fetch_fashion_mnist(data_home=data_home, return_X_y=True)
    fm_test = fetch_fashion_mnist(subset="test", data_home=data_home, return_X_y=True)
    return {
        "iris (raw)": (lambda: [_split(*iris, s) for s in SMALL_SEEDS], None),
        "wine (standardised)": (lambda: [_split(*wine, s, True) for s in SMALL_SEEDS], None),
        "breast_cancer (std.)": (lambda: [_split(*cancer, s, True) for s in SMALL_SEEDS], None),
        "digits (X/16)": (
            lambda: [_split(digits[0] / 16, digits[1], s) for s in SMALL_SEEDS],
            "5 chunks",
        ),
        "sparse text-like 20,000 x 5,000": (lambda: [_split(*text_like(), 0)], 1_000),
        "Fashion-MNIST": (lambda: [(fm_train[0], fm_test[0], fm_train[1], fm_test[1])], 1_000),
        "make_classification 200,000 x 200": (lambda: [_split(*synthetic(), 0, True)], 10_000),
    }


# ------------------------------------------------------------ measuring


def fit_once(make, X_train, X_test, y_train, y_test):
    model = make()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    epochs = np.max(getattr(model, "n_iter_", 0))
    solver = str(model.net_.recipe.optimizer) if hasattr(model, "net_") else ""
    floor = _epoch_floor(model, X_train) if hasattr(model, "net_") else 0.0
    return model.score(X_test, y_test), seconds, int(epochs), warned, solver, floor


def _epoch_floor(model, X):
    """The floor of one epoch of ``model``'s fit on ``X``: its steps' bare products."""
    batch, n_rows = model.net_.batch_size, X.shape[0]
    steps = math.ceil(n_rows / batch)
    sparse = sp.csr_matrix(X) if sp.issparse(X) else None
    n_outputs = len(model.classes_)
    return steps * step_floor(n_rows, X.shape[1], n_outputs, batch, sparse=sparse, repeats=3)


def batch_row(make, splits):
    runs = [fit_once(make, *split) for split in splits]
    accuracy, seconds, epochs, _ = (statistics.mean(r[i] for r in runs) for i in range(4))
    floor = statistics.mean(r[5] for r in runs)
    solver = "/".join({r[4] for r in runs})
    return accuracy, seconds, epochs, any(r[3] for r in runs), solver, floor


def stream_once(make, chunk, X_train, X_test, y_train, y_test):
    """Accuracy after one pass of ``partial_fit`` over the chunks, and its time."""
    n = X_train.shape[0]
    bounds = (
        np.linspace(0, n, 6).astype(int)
        if chunk == "5 chunks"
        else np.r_[np.arange(0, n, chunk), n]
    )
    model, classes = make(), np.unique(y_train)
    start = time.perf_counter()
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        model.partial_fit(X_train[lo:hi], y_train[lo:hi], classes=classes)
    return model.score(X_test, y_test), time.perf_counter() - start


def dask_ml_one_pass(splits):
    """Test accuracy of dask-ml's Incremental(SoftmaxClassifier()) after one pass in 5 blocks."""
    import dask.array as da
    from dask_ml.wrappers import Incremental

    scores = []
    for X_train, X_test, y_train, y_test in splits:
        rows = -(-len(y_train) // 5)
        model = Incremental(SoftmaxClassifier(random_state=0))
        model.fit(
            da.from_array(X_train, chunks=(rows, -1)),
            da.from_array(y_train, chunks=rows),
            classes=np.unique(y_train),
        )
        scores.append(model.score(X_test, y_test))
    return statistics.mean(scores)


def _seconds(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


# ----------------------------------------------------------------- main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None, help="folder holding fashion-mnist/")
    parser.add_argument("--only", nargs="*", default=None, help="data sets whose name starts so")
    args = parser.parse_args(argv)
    results = Results("bench_defaults")
    warm_up = load_iris(return_X_y=True)
    for make in MODELS.values():  # imports and first-call costs stay out of the timings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            make().fit(*warm_up)
    targets, rows, others, epochs, streams = [], [], [], [], {}
    for name, (make_splits, chunk) in datasets(args.data_home).items():
        if args.only and not any(name.startswith(prefix) for prefix in args.only):
            continue
        splits = make_splits()
        measured = {model_name: batch_row(make, splits) for model_name, make in MODELS.items()}
        ours, reference = measured[OURS], measured[REFERENCE]
        accuracy, seconds, n_epochs, warned, solver, floor = ours
        rows.append(
            [
                name,
                round(accuracy, 4),
                round(seconds, 2),
                "L-BFGS" if solver == "lbfgs" else solver.capitalize(),
                "yes" if warned else "no",
                round(reference[0], 4),
                round(reference[1], 2),
                round(seconds / reference[1], 2),
            ]
        )
        per_epoch = seconds / n_epochs
        epochs.append(
            [
                name,
                round(n_epochs, 1),
                round(per_epoch * 1e3, 2),
                round(floor * 1e3, 2),
                round(per_epoch / floor, 1),
            ]
        )
        for model_name in MODELS:
            if model_name not in (OURS, REFERENCE):
                other = measured[model_name]
                others.append(
                    [
                        name,
                        model_name,
                        round(other[0], 4),
                        round(other[1], 2),
                        "yes" if other[3] else "no",
                    ]
                )
        targets += _targets(name, ours, reference)
        if chunk is not None:
            streams[name] = [
                statistics.mean(stream_once(MODELS[m], chunk, *s)[0] for s in splits)
                for m in (OURS, 'SGDClassifier(loss="log_loss")')
            ]
            targets.append(
                (
                    f"{name}: one streaming pass >= SGDClassifier",
                    streams[name][0] >= streams[name][1],
                )
            )
    results.table(
        "defaults",
        [
            "data",
            "accuracy",
            "fit (s)",
            "optimizer",
            "warned",
            "LogisticRegression() accuracy",
            "its fit (s)",
            "fit / its fit",
        ],
        rows,
        note="SoftmaxClassifier()'s test accuracy, fit time, optimizer and ConvergenceWarning, "
        "and LogisticRegression()'s; small sets averaged over 3 splits",
    )
    results.table(
        "epochs",
        ["data", "epochs", "ms per epoch", "floor (ms)", "/ floor"],
        epochs,
        note="SoftmaxClassifier(): an epoch's time against the floor of its steps",
    )
    results.table(
        "others",
        ["data", "model", "test accuracy", "fit (s)", "warned"],
        others,
        note="scikit-learn's other linear classifiers with their defaults",
    )
    results.table(
        "streaming",
        ["data", "SoftmaxClassifier one pass", "SGDClassifier one pass"],
        [[name, round(a, 4), round(b, 4)] for name, (a, b) in streams.items()],
        note="Test accuracy after one pass of partial_fit over the chunks",
    )
    if not args.only or any("digits".startswith(p) for p in args.only):
        digits = load_digits(return_X_y=True)
        accuracy = dask_ml_one_pass([_split(digits[0] / 16, digits[1], s) for s in SMALL_SEEDS])
        print(f"\ndask-ml Incremental(SoftmaxClassifier()), digits, one pass: {accuracy:.4f}")
        results.value("dask_ml_one_pass_digits", round(accuracy, 4))
        targets.append((f"dask-ml one pass on digits >= 0.85 ({accuracy:.4f})", accuracy >= 0.85))
    print_targets(targets)
    results.write()


def _targets(name, ours, reference):
    targets = [
        (f"{name}: accuracy >= LogisticRegression - 0.005", ours[0] - reference[0] + 0.005 >= 0),
        (f"{name}: no ConvergenceWarning", not ours[3]),
    ]
    seconds, ratio = next(v for k, v in TIME_TARGETS.items() if name.startswith(k))
    if seconds is not None:
        targets.append((f"{name}: fit <= {seconds} s ({ours[1]:.2f} s)", ours[1] <= seconds))
    else:
        measured = ours[1] / reference[1]
        targets.append(
            (f"{name}: fit <= {ratio}x LogisticRegression's ({measured:.2f}x)", measured <= ratio)
        )
    return targets


if __name__ == "__main__":
    main()
