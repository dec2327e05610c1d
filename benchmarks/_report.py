"""What the benchmark scripts share: the machine, the floor of a step, timing, results files.

Every benchmark measures side by side in one run and writes what it measured,
with the machine it ran on, to ``benchmarks/results/<name>.json``; the README
and the documentation take their numbers from those files
(``benchmarks/render.py``).
"""

import datetime
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


# ------------------------------------------------------------- the machine


def machine():
    """The machine and software a benchmark ran on: CPU model and vector flags, cores,
    GPU, library versions, date."""
    import numpy
    import sklearn
    import skorch
    import torch

    import sk_softmax

    cpu, flags = platform.processor() or platform.machine(), []
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read()
        cpu = next(
            line.split(":", 1)[1].strip() for line in info.splitlines() if "model name" in line
        )
        found = next(
            line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")
        )
        flags = sorted({f for f in found if f in ("avx", "avx2", "fma", "avx512f", "avx512_bf16")})
    except (OSError, StopIteration):
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {
        "cpu": cpu,
        "cpu_flags": flags,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "gpu": gpu,
        "python": platform.python_version(),
        "versions": {
            "sk_softmax": sk_softmax.__version__,
            "torch": torch.__version__,
            "skorch": skorch.__version__,
            "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__,
        },
        "date": datetime.date.today().isoformat(),
    }


def describe(info):
    """One line naming the machine of ``info`` (:func:`machine`)."""
    cores = f"{info['cores']} cores"
    gpu = f", {info['gpu']}" if info.get("gpu") else ", no GPU"
    flags = "/".join(f.upper() for f in info["cpu_flags"] if f in ("avx2", "avx512f"))
    return f"{info['cpu']} ({flags}), {cores}{gpu}; torch {info['versions']['torch']}"


# --------------------------------------------------------------- the floor


def step_floor(n_rows, n_features, n_outputs, batch, *, sparse=None, device="cpu", repeats=5):
    """Seconds of the bare work of one minibatch step at this shape, on this machine.

    The batch's rows gathered from ``n_rows`` (``index_select`` of random rows;
    none for a full batch, ``batch == n_rows``), the logits ``Xb @ W.T`` and the
    weights' gradient ``G.T @ Xb``, with torch's threads as they stand: what no
    training step can do without. ``sparse`` is a scipy CSR matrix to take the
    rows from instead of a dense one (with their transpose, as training builds
    it). The least of ``repeats`` runs of up to 50
    steps.
    """
    import torch

    full = batch >= n_rows
    steps = 5 if full else 50
    W = torch.rand(n_outputs, n_features, device=device)
    if sparse is None:
        X = torch.rand(n_rows, n_features, device=device)
    elif full:
        whole = _csr_tensor(sparse), _csr_tensor(sparse.T.tocsr())
    best = float("inf")
    for _ in range(repeats):
        rows = torch.randint(X.shape[0] if sparse is None else sparse.shape[0], (steps, batch))
        start = time.perf_counter()
        for step in range(steps):
            if sparse is None:
                Xb = X if full else X.index_select(0, rows[step].to(device))
                Z = Xb @ W.T
                (Z.T @ Xb).sum()
            else:
                # The rows and their transpose as CSR tensors, as training takes
                # them: a full batch converted once, a minibatch at every step.
                if full:
                    Xb, Xb_t = whole
                else:
                    block = sparse[rows[step].numpy()]
                    Xb, Xb_t = _csr_tensor(block), _csr_tensor(block.T.tocsr())
                Z = Xb @ W.T
                (Xb_t @ Z).sum()
        if device != "cpu":
            torch.cuda.synchronize()
        best = min(best, (time.perf_counter() - start) / steps)
    return best


def floor_row(name, seconds, steps, floor):
    """A table row of a run against its floor: ``[name, seconds, steps, ms per step,
    floor ms per step, seconds / floor]`` (``floor``: the seconds of all its steps)."""
    return [
        name,
        round(seconds, 2),
        steps,
        round(seconds / steps * 1e3, 3),
        round(floor / steps * 1e3, 3),
        round(seconds / floor, 2),
    ]


# ----------------------------------------------------------------- timing


def seconds(function):
    """Wall seconds of one call of ``function()``, its ConvergenceWarnings silenced."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        function()
    return time.perf_counter() - start


def median_seconds(function, calls):
    """Median wall time of ``calls`` calls of ``function()``."""
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fit_seconds(search, X, y):
    """Wall time of ``search.fit(X, y)`` (a search or a model), its ConvergenceWarnings silenced."""
    return seconds(lambda: search.fit(X, y))


def interleaved(jobs, repeats):
    """``{name: median seconds}`` of ``jobs`` (name -> function), run in turn, A B A B ...:
    a moment of load hits every job alike."""
    times = {name: [] for name in jobs}
    for _ in range(repeats):
        for name, job in jobs.items():
            times[name].append(seconds(job))
    return {name: statistics.median(values) for name, values in times.items()}


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


def _pin(cores):
    """Every thread of this process (torch's and BLAS's pools included) on ``cores``."""
    for task in os.listdir("/proc/self/task"):
        os.sched_setaffinity(int(task), cores)


@contextmanager
def on_one_core():
    """Run the block as on a machine of one core: every thread of the process pinned to
    one core, torch's and BLAS's thread pools at one thread (as a process started on
    one core sizes them)."""
    import torch
    from threadpoolctl import threadpool_limits

    everything, threads = os.sched_getaffinity(0), torch.get_num_threads()
    _pin({min(everything)})
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        torch.set_num_threads(threads)
        _pin(everything)


def quiet_one_core_busy(jobs, repeats):
    """``{name: {"quiet", "one core", "busy"}}``: medians of interleaved runs of each job
    on an idle machine, pinned to one core, and beside one busy process."""
    quiet = interleaved(jobs, repeats)
    with on_one_core():
        one = interleaved(jobs, repeats)
    with beside_a_busy_process():
        busy = interleaved(jobs, repeats)
    return {
        name: {"quiet": quiet[name], "one core": one[name], "busy": busy[name]} for name in jobs
    }


def _csr_tensor(block):
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's notes on sparse CSR tensors
        return torch.sparse_csr_tensor(
            torch.from_numpy(block.indptr.astype("int64")),
            torch.from_numpy(block.indices.astype("int64")),
            torch.from_numpy(block.data),
            size=block.shape,
        )


# ---------------------------------------------------------------- results


class Results:
    """What one benchmark run measured: tables and values, written with the machine.

    ``benchmarks/results/<name>.json`` holds ``machine`` (:func:`machine`),
    ``command``, ``tables`` (name -> {"columns": [...], "rows": [[...]], "note"})
    and ``values`` (name -> number).
    """

    def __init__(self, name):
        self.name = name
        self.machine = machine()
        self.tables, self.values = {}, {}
        print(describe(self.machine))

    def table(self, name, columns, rows, note=""):
        """Record a table (and print it as Markdown)."""
        self.tables[name] = {
            "columns": list(columns),
            "rows": [list(r) for r in rows],
            "note": note,
        }
        print(f"\n{note}" if note else "")
        print(markdown(self.tables[name]))

    def value(self, name, number):
        self.values[name] = number

    def write(self, name=None):
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{name or self.name}.json"
        document = {
            "benchmark": self.name,
            "command": command(),
            "machine": self.machine,
            "tables": self.tables,
            "values": self.values,
        }
        path.write_text(json.dumps(document, indent=1, default=_plain) + "\n")
        print(f"\nwrote {path.relative_to(RESULTS.parent.parent)}")


def command():
    """The command line that ran this benchmark, as anyone would type it: from the
    repository's root, the data folder as ``$SK_SOFTMAX_DATA``."""
    arguments = list(sys.argv[1:])
    for i, argument in enumerate(arguments[:-1]):
        if argument == "--data-home":
            arguments[i + 1] = "$SK_SOFTMAX_DATA"
    return " ".join(["python", f"benchmarks/{Path(sys.argv[0]).name}", *arguments])


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{value!r} is not JSON data")


def cell(value):
    """A table cell as text: floats as they were rounded when recorded."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def markdown(table):
    """A recorded table as a Markdown table."""
    columns = table["columns"]
    align = ["---" if i == 0 else "---:" for i in range(len(columns))]
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table["rows"]]
    return "\n".join(lines)


def print_targets(targets):
    """A Markdown table of ``(label, met)`` pairs."""
    print("\n| target | met |")
    print("|---|:---:|")
    for label, met in targets:
        print(f"| {label} | {'yes' if met else 'NO'} |")


def git_head():
    """The commit the benchmark ran on (or "unknown")."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        )
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"
