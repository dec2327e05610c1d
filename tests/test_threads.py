import threading

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback
from threadpoolctl import threadpool_info

from sk_softmax import SoftmaxClassifier
from sk_softmax._threads import ThreadPolicy, blas_threads


class RecordThreads(Callback):
    def initialize(self):
        self.seen_ = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.seen_.append(torch.get_num_threads())


class Fail(Callback):
    def on_epoch_end(self, net, **kwargs):
        raise RuntimeError("callback failed")


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield 2
    torch.set_num_threads(before)


def test_fit_trains_with_n_threads_and_restores_the_callers_setting(blobs, two_threads):
    X, y = blobs
    clf = SoftmaxClassifier(n_threads=1, max_epochs=3, callbacks=[("record", RecordThreads())])
    clf.fit(X, y)
    assert dict(clf.net_.callbacks_)["record"].seen_ == [1, 1, 1]
    assert torch.get_num_threads() == two_threads
    clf.set_params(n_threads=None).partial_fit(X, y)
    assert dict(clf.net_.callbacks_)["record"].seen_ == [two_threads]


def test_a_failed_fit_restores_the_threads_too(blobs, two_threads):
    X, y = blobs
    with pytest.raises(RuntimeError, match="callback failed"):
        SoftmaxClassifier(n_threads=1, callbacks=[Fail()]).fit(X, y)
    assert torch.get_num_threads() == two_threads


def test_the_setting_belongs_to_the_thread_that_fits(blobs, two_threads):
    X, y = blobs
    seen = {}

    def fit_in_a_thread():
        clf = SoftmaxClassifier(n_threads=1, max_epochs=2, callbacks=[("r", RecordThreads())])
        seen["inside"] = dict(clf.fit(X, y).net_.callbacks_)["r"].seen_

    worker = threading.Thread(target=fit_in_a_thread)
    worker.start()
    worker.join()
    assert seen["inside"] == [1, 1]
    assert torch.get_num_threads() == two_threads


def _blas_limits():
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_prediction_limits_blas_threads_only_during_the_call(blobs):
    X, y = blobs
    before = _blas_limits()
    with blas_threads(1):
        assert all(n == 1 for n in _blas_limits())
    assert _blas_limits() == before
    clf = SoftmaxClassifier(n_threads=1, max_epochs=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(
        clf.predict_proba(X), clf.set_params(n_threads=None).predict_proba(X)
    )
    assert _blas_limits() == before


class FakeClock:
    """perf_counter for ThreadPolicy: each batch takes ``cost[threads]`` seconds."""

    def __init__(self, cost):
        self.cost, self.now = cost, 0.0

    def __call__(self):
        return self.now

    def batch(self, policy):
        policy.batch_begin()
        self.now += self.cost(torch.get_num_threads())
        policy.batch_end()


def drive(policy, clock, epochs, batches=40):
    for _ in range(epochs):
        policy.epoch_begin()
        for _ in range(batches):
            clock.batch(policy)
        policy.epoch_end()


@pytest.fixture
def clock(monkeypatch):
    clock = FakeClock(lambda threads: 0.001)
    monkeypatch.setattr("sk_softmax._threads.time.perf_counter", clock)
    return clock


@pytest.mark.parametrize(("many_ms", "one_ms", "chosen"), [(2.0, 1.0, 1), (0.5, 1.0, 2)])
def test_the_probe_trains_with_the_faster_setting(clock, two_threads, many_ms, one_ms, chosen):
    clock.cost = lambda threads: (many_ms if threads > 1 else one_ms) / 1000
    policy = ThreadPolicy(seconds=0.01, every=5.0)
    drive(policy, clock, epochs=3)
    assert policy.threads == [chosen] * 3
    assert torch.get_num_threads() == chosen  # fit's torch_threads restores it afterwards


def test_a_slower_epoch_makes_the_probe_look_again(clock, two_threads):
    policy = ThreadPolicy(seconds=0.01, every=100.0)
    clock.cost = lambda threads: 0.0005 if threads > 1 else 0.001
    drive(policy, clock, epochs=1)
    assert policy.threads == [2]
    # Another process takes a core: two threads now wait for each other.
    clock.cost = lambda threads: 0.003 if threads > 1 else 0.001
    drive(policy, clock, epochs=2)
    assert policy.threads == [2, 2, 1]


def test_a_losing_run_of_all_threads_ends_early_and_training_probes_again_in_time(
    clock, two_threads
):
    policy = ThreadPolicy(seconds=0.01, every=0.5)
    clock.cost = lambda threads: 0.02 if threads > 1 else 0.001  # a busy machine
    policy.epoch_begin()
    for _ in range(11):  # ten one-thread batches make the run's 10 ms, then one of two threads
        clock.batch(policy)
    assert torch.get_num_threads() == 1 and clock.now == pytest.approx(0.01 + 0.02)
    policy.epoch_end()
    drive(policy, clock, epochs=3, batches=300)  # after 0.6 s of training, a new probe
    assert policy.threads == [1, 1, 1, 1] and policy._since < 0.3


def test_auto_fit_restores_the_callers_threads(blobs, two_threads):
    X, y = blobs
    clf = SoftmaxClassifier(optimizer="adam", max_epochs=3, random_state=0).fit(X, y)
    assert clf.n_threads == "auto"
    assert len(clf.net_.stack_.policy.threads) == 3
    assert torch.get_num_threads() == two_threads
