"""What the benchmark scripts share: timing a call, and printing whether targets are met."""

import statistics
import time


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
