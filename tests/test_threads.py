import threading

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback
from threadpoolctl import threadpool_info

from sk_softmax import SoftmaxClassifier
from sk_softmax._threads import blas_threads


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
