"""Out-of-the-box defaults: SoftmaxClassifier() against scikit-learn's linear classifiers.

Seven data sets, built offline, each split 75/25 stratified with seed 0 (the
small ones averaged over split seeds 0, 1 and 2; Fashion-MNIST uses its
official test set). In one run, side by side, for every model with default
parameters: test accuracy, fit time, epochs, and whether a ConvergenceWarning
was raised; then one streaming pass of ``partial_fit`` (SoftmaxClassifier vs
SGDClassifier); then the book chapter's fit on a quiet machine and beside one
busy process. Ends with the targets and whether each is met.

    python benchmarks/bench_defaults.py --data-home ~/scikit_learn_data
    python benchmarks/bench_defaults.py --data-home ~/scikit_learn_data --only iris digits
"""

import argparse
import platform
import statistics
import time
import warnings

import numpy as np
import scipy.sparse as sp
import sklearn
import torch
from _report import beside_a_busy_process, print_targets
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
CHAPTER = dict(
    lr=0.1, max_epochs=10, batch_size=256, optimizer="sgd", alpha=0.0, lr_schedule="constant"
)
THREAD_POLICIES = {
    'n_threads="auto" (default)': "auto",
    "n_threads=None (torch's setting)": None,
    "n_threads=1": 1,
}
DEFAULT_POLICY = 'n_threads="auto" (default)'

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
    return model.score(X_test, y_test), seconds, int(epochs), warned, solver


def batch_row(make, splits):
    runs = [fit_once(make, *split) for split in splits]
    accuracy, seconds, epochs, _ = (statistics.mean(r[i] for r in runs) for i in range(4))
    return accuracy, seconds, epochs, any(r[3] for r in runs), "/".join({r[4] for r in runs})


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


def busy_times(X, y):
    """Fit times, quiet and beside one process spinning on a core, per thread policy.

    The chapter fit (its 10 epochs, not converging, on purpose) and the
    defaults fit; median of three fits each. Returns ``{(fit, policy):
    (quiet, busy)}`` and whether every policy gave each fit the same model.
    """
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    fits = {"chapter": CHAPTER, "defaults": {}}
    models = {}

    def timings():
        out = {}
        for name, settings in fits.items():
            for policy, n in THREAD_POLICIES.items():
                clf = SoftmaxClassifier(**settings, n_threads=n, random_state=0)
                out[name, policy] = statistics.median(
                    _seconds(lambda clf=clf: clf.fit(X, y)) for _ in range(3)
                )
                models.setdefault(name, []).append(clf.coef_)
        return out

    SoftmaxClassifier(**CHAPTER, random_state=0).fit(X, y)  # warm up
    quiet = timings()
    with beside_a_busy_process():
        busy = timings()
    same = all(all(np.array_equal(c, coefs[0]) for c in coefs) for coefs in models.values())
    return {key: (quiet[key], busy[key]) for key in quiet}, same


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
    print(
        f"{platform.processor() or platform.machine()}, torch {torch.__version__} on "
        f"{torch.get_num_threads()} thread(s), scikit-learn {sklearn.__version__}"
    )
    warm_up = load_iris(return_X_y=True)
    for make in MODELS.values():  # imports and first-call costs stay out of the timings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            make().fit(*warm_up)
    targets = []
    print("\n| data | model | test accuracy | fit (s) | epochs | ConvergenceWarning |")
    print("|---|---|---:|---:|---:|:---:|")
    streams = {}
    for name, (make_splits, chunk) in datasets(args.data_home).items():
        if args.only and not any(name.startswith(prefix) for prefix in args.only):
            continue
        splits = make_splits()
        rows = {}
        for model_name, make in MODELS.items():
            rows[model_name] = batch_row(make, splits)
            accuracy, seconds, epochs, warned, solver = rows[model_name]
            if solver:  # ours: the optimizer "auto" chose
                model_name = f"{model_name} ({'L-BFGS' if solver == 'lbfgs' else solver})"
            print(
                f"| {name} | {model_name} | {accuracy:.4f} | {seconds:.2f} | {epochs:.0f} | "
                f"{'yes' if warned else ''} |",
                flush=True,
            )
        ours, reference = rows[OURS], rows[REFERENCE]
        targets.append(
            (f"{name}: accuracy >= LogisticRegression - 0.005", ours[0] - reference[0] + 0.005 >= 0)
        )
        targets.append((f"{name}: no ConvergenceWarning", not ours[3]))
        seconds, ratio = next(v for k, v in TIME_TARGETS.items() if name.startswith(k))
        if seconds is not None:
            targets.append((f"{name}: fit <= {seconds} s ({ours[1]:.2f} s)", ours[1] <= seconds))
        else:
            measured = ours[1] / reference[1]
            targets.append(
                (
                    f"{name}: fit <= {ratio}x LogisticRegression's ({measured:.2f}x)",
                    measured <= ratio,
                )
            )
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
    print("\n| data | SoftmaxClassifier one pass | SGDClassifier one pass |")
    print("|---|---:|---:|")
    for name, (ours, sgd) in streams.items():
        print(f"| {name} | {ours:.4f} | {sgd:.4f} |")
    if not args.only or any("Fashion".startswith(p) for p in args.only):
        X, y = fetch_fashion_mnist(data_home=args.data_home, return_X_y=True)
        times, same = busy_times(X, y)
        print(
            "\n| fit (Fashion-MNIST) | n_threads | quiet (s) | beside a busy process (s) "
            "| busy / quiet | quiet / default quiet |"
        )
        print("|---|---|---:|---:|---:|---:|")
        for (fit, policy), (quiet, busy) in times.items():
            default_quiet = times[fit, DEFAULT_POLICY][0]
            print(
                f"| {fit} | {policy} | {quiet:.2f} | {busy:.2f} | {busy / quiet:.2f} | "
                f"{quiet / default_quiet:.2f} |"
            )
        for fit in ("chapter", "defaults"):
            quiet, busy = times[fit, DEFAULT_POLICY]
            targets.append(
                (f"busy / quiet {fit} fit <= 1.3 ({busy / quiet:.2f}x)", busy / quiet <= 1.3)
            )
        targets.append(("the same model for every thread policy, quiet and busy", same))
    if not args.only or any("digits".startswith(p) for p in args.only):
        digits = load_digits(return_X_y=True)
        accuracy = dask_ml_one_pass([_split(digits[0] / 16, digits[1], s) for s in SMALL_SEEDS])
        print(f"\ndask-ml Incremental(SoftmaxClassifier()), digits, one pass: {accuracy:.4f}")
        targets.append((f"dask-ml one pass on digits >= 0.85 ({accuracy:.4f})", accuracy >= 0.85))
    print_targets(targets)


if __name__ == "__main__":
    main()
