"""What the benchmark scripts share: timing a call, a busy core, whether targets are met."""

import multiprocessing
import statistics
import time
import warnings
from contextlib import contextmanager

from sklearn.exceptions import ConvergenceWarning


def _spin(stop):
    while not stop.is_set():
        pass


@contextmanager
def beside_a_busy_process():
    """Run the block beside one process spinning ``while True: pass`` on a core."""
    stop = multiprocessing.Event()
    spinner = multiprocessing.Process(target=_spin, args=(stop,), daemon=True)
    spinner.start()
    try:
        yield
    finally:
        stop.set()
        spinner.join()


def fit_seconds(search, X, y):
    """Wall time of ``search.fit(X, y)`` (a search or a model), its ConvergenceWarnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        search.fit(X, y)
    return time.perf_counter() - start


def median_seconds(function, calls):
    """Median wall time of ``calls`` calls of ``function()``."""
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def print_targets(targets):
    """A Markdown table of ``(label, met)`` pairs."""
    print("\n| target | met |")
    print("|---|:---:|")
    for label, met in targets:
        print(f"| {label} | {'yes' if met else 'NO'} |")
