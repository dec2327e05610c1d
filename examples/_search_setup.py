"""What the search examples share: their command line, their Fashion-MNIST rows, a timed fit.

Not an example itself (the gallery leaves out files whose name starts with
``_``); ``halving_search.py``, ``pipeline_search.py`` and
``randomized_search.py`` import it.
"""

import argparse
import time
import warnings
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sk_softmax.datasets import fetch_fashion_mnist

QUICK_FRACTION = 0.1


def search_data(doc, argv=None):
    """``(args, X, y, X_test, y_test)`` from the examples' shared options.

    ``--data-home``, ``--quick`` (a tenth of the training set), ``--fraction``
    (another share, stratified) and ``--plot``; the test set is always the
    full 10,000 images. ``doc`` is the example's docstring, whose first line
    describes it.
    """
    parser = argparse.ArgumentParser(description=(doc or "").partition("\n")[0] or None)
    parser.add_argument("--data-home", default=None, help="folder holding fashion-mnist/")
    parser.add_argument("--quick", action="store_true", help="a tenth of the training set")
    parser.add_argument("--fraction", type=float, default=None, help="share of training rows")
    parser.add_argument("--plot", type=Path, default=None, help="save the figure to this file")
    args = parser.parse_args(argv)
    X, y = fetch_fashion_mnist(data_home=args.data_home, return_X_y=True)
    X_test, y_test = fetch_fashion_mnist(subset="test", data_home=args.data_home, return_X_y=True)
    fraction = args.fraction or (QUICK_FRACTION if args.quick else None)
    if fraction is not None:
        X, _, y, _ = train_test_split(X, y, train_size=fraction, stratify=y, random_state=0)
    return args, X, y, X_test, y_test


def timed_fit(search, X, y):
    """Seconds of ``search.fit(X, y)``; the short candidates' ConvergenceWarnings, on
    purpose, are silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        search.fit(X, y)
    return time.perf_counter() - start


def save(fig, path):
    """Save ``fig`` to ``path`` (its folder made if needed), when a path was given."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
