"""Fit-time benchmark: SoftmaxClassifier against its baselines on Fashion-MNIST.

Every model is trained in one run, on the same data, with the same seed; the
fits are interleaved (A B C A B C ...) and each time is the median of ``--reps``.
For every model trained in minibatch steps, the time of one step is set against
its floor: the bare row gather and two products of a step of that shape on this
machine (``_report.step_floor``). The chapter and default fits are also timed
pinned to one core and beside one process spinning on a core::

    python benchmarks/bench_fit.py --data-home /path/to/data --reps 3

``--data-home`` is the folder that holds ``fashion-mnist/`` with the four
official gzipped IDX files. Peak memory is the growth of the process's resident
set size (RSS) during one extra, untimed fit: Linux's high-water mark
``VmHWM`` is reset through ``/proc/self/clear_refs`` before the fit and read
after it (elsewhere a thread samples the RSS every millisecond with psutil).
It counts memory the process did not already hold: buffers of a few MB reuse
heap pages freed by earlier fits and show as 0, while a copy of X (far above
glibc's mmap threshold) always shows in full. Writes ``results/bench_fit.json``.
"""

import argparse
import gc
import math
import threading
import time
import warnings

import numpy as np
import torch
from _report import (
    Results,
    interleaved,
    print_targets,
    quiet_one_core_busy,
    step_floor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from skorch import NeuralNetClassifier
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from sk_softmax import SoftmaxClassifier
from sk_softmax._device import resolve_device
from sk_softmax.datasets import fetch_fashion_mnist

SEED = 0
# The chapter's settings: plain SGD at a constant rate for exactly 10 epochs, no penalty.
CHAPTER = dict(
    lr=0.1, max_epochs=10, batch_size=256, optimizer="sgd", alpha=0.0, lr_schedule="constant"
)
# Reaches LogisticRegression's test accuracy in a fraction of its time.
FAST = dict(lr=0.002, max_epochs=10, batch_size=128, optimizer="adam")
FAST_NAME = "SoftmaxClassifier (Adam lr 0.002, batch 128, 10 epochs)"
REFERENCE = "SoftmaxClassifier (chapter)"
DEFAULTS = "SoftmaxClassifier (defaults)"
HAND = "hand-written torch loop (tensor slices)"
MIB = 2**20


# ---------------------------------------------------------------- data


def load_fashion_mnist(subset, data_home):
    """``(X, y)``: X float32 in [0, 1] of shape (n, 784), y int64."""
    return fetch_fashion_mnist(
        subset=subset, data_home=data_home, download_if_missing=False, return_X_y=True
    )


# -------------------------------------------------------------- memory


def _hwm_resettable():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _proc_status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


class PeakRSS:
    """Context manager: ``growth`` is the peak RSS inside the block minus RSS before it."""

    def __enter__(self):
        gc.collect()
        self._hwm = _hwm_resettable()
        if self._hwm:
            self._start = _proc_status_kb("VmRSS") * 1024
        else:
            import psutil  # only where /proc/self/clear_refs is missing

            self._proc = psutil.Process()
            self._start = self._proc.memory_info().rss
            self._peak = self._start
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self._peak = max(self._peak, self._proc.memory_info().rss)
            time.sleep(0.001)

    def __exit__(self, *exc):
        if self._hwm:
            self._peak = _proc_status_kb("VmHWM") * 1024
        else:
            self._stop.set()
            self._thread.join()
        self.growth = max(self._peak - self._start, 0)
        return False


# --------------------------------------------------------------- models


class TorchLinear:
    """A trained ``nn.Linear`` with sklearn's ``predict_proba``: one forward pass."""

    def __init__(self, model, device):
        self.model, self.device = model, device

    def predict_proba(self, X):
        with torch.no_grad():
            logits = self.model(torch.from_numpy(X).to(self.device))
        return torch.softmax(logits, dim=1).cpu().numpy()


def _chapter_loop(X, y, device, batches):
    """10 epochs of the chapter's SGD on an ``nn.Linear``; ``batches(generator)`` yields them."""
    generator = torch.Generator().manual_seed(SEED)
    model = nn.Linear(X.shape[1], int(y.max()) + 1)
    with torch.no_grad():
        model.weight.normal_(0.0, 0.01, generator=generator)
        model.bias.zero_()
    model = model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(10):
        for X_batch, y_batch in batches(generator):
            loss = loss_fn(model(X_batch.to(device)), y_batch.to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss.item()
    return TorchLinear(model, device)


def fit_hand_loop(X, y, device):
    """Minibatch SGD over shuffled slices of whole tensors."""
    X_t, y_t = torch.from_numpy(X).to(device), torch.from_numpy(y).to(device)

    def batches(generator):
        order = torch.randperm(len(X_t), generator=generator).to(device)
        for start in range(0, len(X_t), 256):
            rows = order[start : start + 256]
            yield X_t[rows], y_t[rows]

    return _chapter_loop(X, y, device, batches)


def fit_dataloader_loop(X, y, device):
    """The book chapter's loop: TensorDataset + DataLoader(shuffle=True)."""
    dataset = TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    return _chapter_loop(
        X,
        y,
        device,
        lambda generator: DataLoader(dataset, batch_size=256, shuffle=True, generator=generator),
    )


class LinearModule(nn.Module):
    """What a skorch user writes first: a linear layer returning logits."""

    def __init__(self, n_features=784, n_classes=10):
        super().__init__()
        self.linear = nn.Linear(n_features, n_classes)

    def forward(self, X):
        return self.linear(X)


def fit_plain_skorch(X, y, device):
    torch.manual_seed(SEED)
    net = NeuralNetClassifier(
        LinearModule,
        module__n_features=X.shape[1],
        module__n_classes=int(y.max()) + 1,
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.SGD,
        lr=0.1,
        max_epochs=10,
        batch_size=256,
        train_split=None,
        verbose=0,
        device=device,
    )
    return net.fit(X, y)


def models(device):
    """name -> fit(X, y) returning an object with ``predict_proba``."""
    return {
        REFERENCE: lambda X, y: SoftmaxClassifier(**CHAPTER, device=device, random_state=SEED).fit(
            X, y
        ),
        DEFAULTS: lambda X, y: SoftmaxClassifier(device=device, random_state=SEED).fit(X, y),
        FAST_NAME: lambda X, y: SoftmaxClassifier(**FAST, device=device, random_state=SEED).fit(
            X, y
        ),
        "hand-written torch loop (tensor slices)": lambda X, y: fit_hand_loop(X, y, device),
        "torch DataLoader loop (chapter)": lambda X, y: fit_dataloader_loop(X, y, device),
        "skorch NeuralNetClassifier (plain)": lambda X, y: fit_plain_skorch(X, y, device),
        "LogisticRegression() (lbfgs)": lambda X, y: LogisticRegression().fit(X, y),
        'SGDClassifier(loss="log_loss")': lambda X, y: SGDClassifier(
            loss="log_loss", random_state=SEED
        ).fit(X, y),
    }


# ------------------------------------------------------------ measuring


def _accuracy(model, X, y):
    return float((model.predict_proba(X).argmax(axis=1) == y).mean())


def steps_of(name, model, n_rows):
    """``(steps, batch)`` a fitted model took, for the minibatch fits; else None."""
    batches = {REFERENCE: 256, FAST_NAME: 128, HAND: 256}
    batches["torch DataLoader loop (chapter)"] = batches["skorch NeuralNetClassifier (plain)"] = 256
    if name == DEFAULTS:
        batch = model.net_.batch_size
        return model.n_iter_ * math.ceil(n_rows / batch), batch
    if name in batches:
        epochs = getattr(model, "n_iter_", 10)
        return epochs * math.ceil(n_rows / batches[name]), batches[name]
    return None


def fit_table(results, data, device, reps):
    X_train, y_train, X_test, y_test = data
    fits = models(device)
    fitted = {name: fit(X_train, y_train) for name, fit in fits.items()}  # warm, and for scoring
    times = interleaved(
        {name: (lambda f=fit: f(X_train, y_train)) for name, fit in fits.items()}, reps
    )
    floors = {}
    rows = []
    for name, model in fitted.items():
        steps = steps_of(name, model, len(y_train))
        per_step = floor = ratio = ""
        if steps is not None:
            n_steps, batch = steps
            if batch not in floors:
                floors[batch] = step_floor(len(y_train), X_train.shape[1], 10, batch, device=device)
            per_step = round(times[name] / n_steps * 1e3, 3)
            floor = round(floors[batch] * 1e3, 3)
            ratio = round(times[name] / n_steps / floors[batch], 2)
        rows.append(
            [
                name,
                round(times[name], 2),
                round(_accuracy(model, X_test, y_test), 4),
                per_step,
                floor,
                ratio,
                round(times[name] / times[REFERENCE], 2),
            ]
        )
    results.table(
        "fits",
        [
            "model",
            "fit (s)",
            "test accuracy",
            "ms per step",
            "floor (ms)",
            "/ floor",
            "/ chapter fit",
        ],
        rows,
        note=f"Fashion-MNIST, {len(y_train):,} training rows; median of {reps} interleaved fits",
    )
    return times, {row[0]: row for row in rows}


def busy_table(results, data, device, reps):
    """The chapter and default fits quiet, pinned to one core and beside a busy process."""
    X_train, y_train, _, _ = data
    fits = models(device)
    jobs = {name: (lambda f=fits[name]: f(X_train, y_train)) for name in (REFERENCE, DEFAULTS)}
    measured = quiet_one_core_busy(jobs, reps)
    rows = [
        [
            name,
            round(m["quiet"], 2),
            round(m["one core"], 2),
            round(m["busy"], 2),
            round(m["busy"] / m["one core"], 2),
        ]
        for name, m in measured.items()
    ]
    results.table(
        "busy",
        ["fit", "quiet (s)", "one core (s)", "beside a busy process (s)", "busy / one core"],
        rows,
        note="Medians of interleaved fits: idle, pinned to one core, beside `while True: pass`",
    )
    return measured


def memory_table(results, X_train, y_train, device):
    copy_mb = X_train.nbytes / MIB
    rows = []
    for label, X in [("float32 C-contiguous", X_train), ("float64", X_train.astype(np.float64))]:
        with PeakRSS() as peak:
            SoftmaxClassifier(**CHAPTER, device=device, random_state=SEED).fit(X, y_train)
        rows.append([label, round(peak.growth / MIB), round(peak.growth / MIB / copy_mb, 2)])
    results.table(
        "memory",
        ["X given as", "peak RSS growth (MiB)", "float32 copies of X"],
        rows,
        note=f"The chapter fit's memory; one float32 copy of X is {copy_mb:.0f} MiB",
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-home", default=None, help="folder holding fashion-mnist/ (the 4 IDX .gz files)"
    )
    parser.add_argument("--reps", type=int, default=3, help="fits per model; the median is shown")
    parser.add_argument(
        "--n-samples", type=int, default=None, help="training rows to use (default: all 60,000)"
    )
    parser.add_argument("--device", default="cpu", help='torch device, e.g. "cpu" or "cuda"')
    args = parser.parse_args(argv)
    # Fixed epoch budgets and LogisticRegression's max_iter=100 stop early on purpose.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    device = str(resolve_device(args.device))
    X_train, y_train = load_fashion_mnist("train", args.data_home)
    X_test, y_test = load_fashion_mnist("test", args.data_home)
    if args.n_samples is not None:
        X_train, y_train = X_train[: args.n_samples], y_train[: args.n_samples]
    results = Results("bench_fit" if device == "cpu" else f"bench_fit_{device.split(':')[0]}")
    data = (X_train, y_train, X_test, y_test)
    times, rows = fit_table(results, data, device, args.reps)
    busy = busy_table(results, data, device, args.reps)
    memory_table(results, X_train, y_train, device)
    ours = rows[REFERENCE]
    targets = [
        (f"chapter fit <= 2.5x its floor per step ({ours[5]}x)", ours[5] <= 2.5),
        (
            f"chapter fit <= 1.1x the hand loop ({times[REFERENCE] / times[HAND]:.2f}x)",
            times[REFERENCE] / times[HAND] <= 1.1,
        ),
        (
            f"chapter test accuracy within 0.015 of the hand loop's, another seed's draw "
            f"({ours[2]} vs {rows[HAND][2]})",
            abs(ours[2] - rows[HAND][2]) <= 0.015,
        ),
    ]
    for name, m in busy.items():
        ratio = m["busy"] / m["one core"]
        targets.append((f"{name}: busy <= 1.2x one core ({ratio:.2f}x)", ratio <= 1.2))
    for name, value in (("chapter_vs_hand", times[REFERENCE] / times[HAND]),):
        results.value(name, round(value, 2))
    print_targets(targets)
    results.write()


if __name__ == "__main__":
    main()
