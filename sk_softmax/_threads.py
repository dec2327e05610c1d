"""How many CPU threads training and prediction use: the ``n_threads`` parameter."""

from contextlib import contextmanager, nullcontext

import torch
from threadpoolctl import threadpool_limits


@contextmanager
def torch_threads(n_threads):
    """Run the block with torch's intra-op threads set to ``n_threads``, then restore them.

    ``None`` changes nothing: torch's own setting holds (all cores, or what a
    joblib/loky worker was limited to). The setting belongs to the calling
    thread (an OpenMP setting), so fits running in other threads keep theirs.
    """
    if n_threads is None:
        yield
        return
    saved = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(saved)


def blas_threads(n_threads):
    """A context limiting numpy's BLAS to ``n_threads`` (threadpoolctl), or none for None."""
    if n_threads is None:
        return nullcontext()
    return threadpool_limits(limits=n_threads, user_api="blas")
