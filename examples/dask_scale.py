"""Fashion-MNIST on a dask cluster
===============================

Stream chunks through ``partial_fit``, search in parallel. Two things grow
past one machine: the data, and the number of models a search fits. This
script shows both on a local cluster (worker processes on this machine); point
``--scheduler`` at a real cluster's scheduler address and the same code runs
there::

    python examples/dask_scale.py --data-home ~/scikit_learn_data
    python examples/dask_scale.py --scheduler tcp://10.0.0.5:8786
    python examples/dask_scale.py --quick

1. ``dask_ml.wrappers.Incremental(SoftmaxClassifier())`` streams the blocks of
   a chunked dask array through ``partial_fit``, one block at a time, so only a
   block has to fit in memory. A line per pass shows the test accuracy, and a
   figure draws it.
2. ``GridSearchCV(..., n_jobs=-1)`` under ``joblib.parallel_backend("dask")``
   sends each cross-validation fit to a worker, and ``SoftmaxSearchCV(...,
   n_jobs=-1)`` each stacked run; one line per search.

``--quick`` streams 2 passes instead of 5 and searches 2 candidates instead of
4 on 5 % of the training set instead of 25 % (``--passes`` and ``--fraction``
still win).
"""

import argparse
import sys
import time
import warnings

import dask.array as da
import joblib
import numpy as np
from dask_ml.wrappers import Incremental
from distributed import Client, LocalCluster
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV
from sk_softmax.datasets import fetch_fashion_mnist

PARAM_GRID = {"lr": [0.001, 0.003], "max_epochs": [10, 20]}
QUICK_GRID = {"lr": [0.003], "max_epochs": [5, 10]}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0] or None)
    parser.add_argument("--data-home", default=None, help="folder holding fashion-mnist/")
    parser.add_argument("--scheduler", default=None, help="address of a running dask scheduler")
    parser.add_argument("--workers", type=int, default=2, help="local workers without --scheduler")
    parser.add_argument("--chunk-size", type=int, default=10_000, help="rows per dask block")
    parser.add_argument("--passes", type=int, help="passes over the chunked data (default: 5)")
    parser.add_argument(
        "--fraction", type=float, help="share of the training set for the search (default: 0.25)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer passes, a smaller search on fewer rows"
    )
    parser.add_argument(
        "--dashboard",
        default=None,
        metavar="ADDRESS",
        help="serve the local cluster's dashboard there (e.g. :8787); off by default",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    args.passes = args.passes or (2 if args.quick else 5)
    args.fraction = args.fraction or (0.05 if args.quick else 0.25)
    args.grid = QUICK_GRID if args.quick else PARAM_GRID
    return args


def stream(args, X_train, y_train, X_test, y_test):
    # Here the blocks come from an array in memory, which dask ships to the workers
    # once (and warns about); real out-of-core data is read by dask itself, e.g.
    # da.from_zarr or dask.dataframe.read_parquet, and never gathered on one machine.
    warnings.filterwarnings("ignore", message="Sending large graph")
    X_chunks = da.from_array(X_train, chunks=(args.chunk_size, X_train.shape[1]))
    y_chunks = da.from_array(y_train, chunks=args.chunk_size)
    model = Incremental(SoftmaxClassifier(random_state=args.seed))
    start = time.perf_counter()
    accuracies = []
    for done in range(1, args.passes + 1):
        model.partial_fit(X_chunks, y_chunks, classes=np.arange(10))
        accuracy = model.estimator_.score(X_test, y_test)
        accuracies.append(accuracy)
        print(
            f"  pass {done}: {X_chunks.numblocks[0]} blocks, test accuracy {accuracy:.4f}",
            flush=True,
        )
    print(f"  streamed in {time.perf_counter() - start:.1f} s")
    return accuracies


def plot_passes(accuracies, n_blocks):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.6), layout="constrained")
    passes = np.arange(1, len(accuracies) + 1)
    ax.plot(passes, accuracies, marker="o")
    ax.set_xticks(passes)
    # a scale that shows a change of a point as small as it is
    ax.set_ylim(max(0.0, min(accuracies) - 0.05), min(1.0, max(accuracies) + 0.05))
    ax.set_xlabel(f"passes over the {n_blocks} dask blocks (partial_fit per block)")
    ax.set_ylabel("test accuracy")
    ax.set_title("Incremental(SoftmaxClassifier()): test accuracy after each pass")
    ax.grid(alpha=0.3)
    return fig


def search(args, X_train, y_train, X_test, y_test):
    X_part, _, y_part, _ = train_test_split(
        X_train, y_train, train_size=args.fraction, stratify=y_train, random_state=args.seed
    )
    for search in (GridSearchCV, SoftmaxSearchCV):
        found = search(SoftmaxClassifier(random_state=args.seed), args.grid, cv=3, n_jobs=-1)
        start = time.perf_counter()
        with warnings.catch_warnings(), joblib.parallel_backend("dask"):
            warnings.simplefilter("ignore", ConvergenceWarning)  # short candidates, on purpose
            found.fit(X_part, y_part)
        print(
            f"  {search.__name__}: {time.perf_counter() - start:.1f} s, best {found.best_params_}, "
            f"CV accuracy {found.best_score_:.4f}, test accuracy {found.score(X_test, y_test):.4f}",
            flush=True,
        )


def main(argv=None):
    args = parse_args(argv)
    X_train, y_train = fetch_fashion_mnist(
        subset="train", data_home=args.data_home, return_X_y=True
    )
    X_test, y_test = fetch_fashion_mnist(subset="test", data_home=args.data_home, return_X_y=True)
    print(f"Fashion-MNIST: {len(X_train)} training and {len(X_test)} test images", flush=True)
    if args.scheduler:
        print(f"connecting to the dask scheduler at {args.scheduler}", flush=True)
        client = Client(args.scheduler)
    else:
        print(f"starting a local dask cluster of {args.workers} worker processes", flush=True)
        # Without --dashboard: no dashboard, and the scheduler's own HTTP endpoints
        # take any free port (dask's default would claim 8787).
        cluster = LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=args.dashboard or ":0",
            scheduler_kwargs={"dashboard": args.dashboard is not None},
        )
        client = Client(cluster)
    with client:
        print(f"dask cluster: {len(client.scheduler_info()['workers'])} workers", flush=True)
        print("Incremental(SoftmaxClassifier()) over chunks:", flush=True)
        accuracies = stream(args, X_train, y_train, X_test, y_test)
        print("Searches on the dask backend:", flush=True)
        search(args, X_train, y_train, X_test, y_test)
    plot_passes(accuracies, -(-len(X_train) // args.chunk_size))


if __name__ == "__main__":
    # Under a Jupyter kernel (the gallery's notebooks) sys.argv is the kernel's: no arguments.
    main([] if "ipykernel" in sys.modules else None)
