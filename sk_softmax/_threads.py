"""How many CPU threads training and prediction use: the ``n_threads`` parameter."""

import time
from contextlib import contextmanager, nullcontext

from threadpoolctl import threadpool_limits


@contextmanager
def torch_threads(n_threads):
    """Run a training block with torch's intra-op threads at ``n_threads``, then restore them.

    ``None`` changes nothing: torch's own setting holds (all cores, or what a
    joblib/loky worker was limited to). ``"auto"`` starts from that setting
    and lets :class:`ThreadPolicy` change it, and restores it afterwards. The
    setting belongs to the calling thread (an OpenMP setting), so fits
    running in other threads keep theirs. numpy's BLAS runs on one thread
    meanwhile: training's numpy arithmetic (L-BFGS's vectors) is small, and
    BLAS threads left spinning after it would take the cores from torch's.
    """
    import torch

    saved = torch.get_num_threads()
    if n_threads not in (None, "auto"):
        torch.set_num_threads(n_threads)
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            yield
    finally:
        if torch.get_num_threads() != saved:
            torch.set_num_threads(saved)


class ThreadPolicy:
    """``n_threads="auto"``: train with the faster of all threads or one, re-checked as it goes.

    A probe times training batches with one thread, then with torch's thread
    count at the start of training, each for at least ``seconds``; training
    goes on with the setting whose mean batch time was lower. On an idle
    machine all threads usually win; when other work keeps a core busy,
    threads that wait for a descheduled sibling lose to one thread. Those
    waits come in bursts of the scheduler's time slice (milliseconds), so
    each run spans many batches and is judged by its mean, not by its fastest
    batches; the run of all threads ends early once its mean is already
    half as slow again as one thread's, so that a probe beside busy work
    costs little. A probe may span epochs (a full batch is one step an
    epoch). Training probes at its start, again after an epoch whose mean
    batch time exceeded the chosen setting's by half, and after every
    ``every`` seconds of training, so a machine whose load changes is
    followed.

    The choice changes speed only: every sum of a training step has a shape
    that no thread count changes (:mod:`sk_softmax._kernel`). A fit and a
    search's stacked runs both follow it (:class:`~sk_softmax._stack.Stack`).

    Attributes
    ----------
    threads : list of int or None
        The thread count each epoch ended with (None: too few threads to
        choose from).
    """

    def __init__(self, seconds=0.02, every=2.0):
        self.seconds = seconds
        self.every = every
        self.many = _get_threads()
        self.threads = []
        self._chosen, self._expected, self._since = self.many, None, 0.0
        self._probing = False

    def epoch_begin(self):
        self._epoch = [0, 0.0]
        if self._probing:
            return  # a probe goes on across epochs until both runs have their time
        self._probing = self.many > 1 and (self._expected is None or self._since >= self.every)
        if self._probing:
            self._runs = [[1, 0, 0.0], [self.many, 0, 0.0]]  # threads, batches, seconds
        _set_threads(1 if self._probing else self._chosen)

    def batch_begin(self):
        self._start = time.perf_counter()

    def batch_end(self):
        seconds = time.perf_counter() - self._start
        self._since += seconds
        if not self._probing:
            self._epoch[0] += 1
            self._epoch[1] += seconds
            return
        one, many = self._runs
        run = one if one[2] < self.seconds else many
        run[1] += 1
        run[2] += seconds
        if run is one:
            if one[2] >= self.seconds:
                _set_threads(self.many)
            return
        losing = many[2] / many[1] > 1.5 * one[2] / one[1]
        if many[2] >= self.seconds or losing:
            best = min(self._runs, key=lambda r: r[2] / r[1])
            self._chosen, self._expected = best[0], best[2] / best[1]
            self._probing, self._since = False, 0.0
            _set_threads(self._chosen)

    def epoch_end(self):
        self.threads.append(_get_threads() if self.many > 1 else None)
        batches, seconds = self._epoch
        if batches and self._expected is not None and seconds / batches > 1.5 * self._expected:
            self._since = self.every  # slower than when chosen: probe again


def _get_threads():
    import torch

    return torch.get_num_threads()


def _set_threads(n_threads):
    import torch

    if torch.get_num_threads() != n_threads:
        torch.set_num_threads(n_threads)


def blas_threads(n_threads):
    """A context limiting numpy's BLAS to ``n_threads`` (threadpoolctl); none for None/"auto"."""
    if n_threads is None or n_threads == "auto":
        return nullcontext()
    return threadpool_limits(limits=n_threads, user_api="blas")
