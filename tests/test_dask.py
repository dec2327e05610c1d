"""Dask: streaming through partial_fit with dask-ml, searches on a dask cluster.

A real ``LocalCluster`` (two worker processes, loopback only) runs the work.
"""

import warnings

import dask.array as da
import distributed
import joblib
import numpy as np
import pytest
from dask_ml import wrappers as dask_ml_wrappers
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sk_softmax import SoftmaxClassifier


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            # No dashboard; the scheduler's HTTP endpoints take any free port.
            dashboard_address=":0",
            scheduler_kwargs={"dashboard": False},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture
def digits32(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    return X_train.astype(np.float32), X_test.astype(np.float32), y_train, y_test


def test_incremental_over_chunks_matches_in_memory_training(client, digits32):
    X_train, X_test, y_train, y_test = digits32
    X_chunked = da.from_array(X_train, chunks=(300, X_train.shape[1]))
    y_chunked = da.from_array(y_train, chunks=300)
    incremental = dask_ml_wrappers.Incremental(SoftmaxClassifier(lr=0.01, random_state=0))
    for _ in range(8):
        incremental.partial_fit(X_chunked, y_chunked, classes=np.unique(y_train))
    streamed = incremental.estimator_
    assert streamed.n_iter_ == 8 * X_chunked.numblocks[0]

    in_memory = SoftmaxClassifier(lr=0.01, max_epochs=8, random_state=0).fit(X_train, y_train)
    assert streamed.score(X_test, y_test) > 0.9
    assert streamed.score(X_test, y_test) >= in_memory.score(X_test, y_test) - 0.03


def test_grid_search_runs_on_the_dask_backend(client, digits32):
    X_train, X_test, y_train, y_test = digits32
    grid = GridSearchCV(
        SoftmaxClassifier(optimizer="adam", max_epochs=15, random_state=0),
        {"lr": [1e-5, 0.01]},
        cv=2,
        n_jobs=-1,
    )
    with (
        warnings.catch_warnings(),
        joblib.parallel_backend("dask"),
        distributed.get_task_stream(client) as tasks,
    ):
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X_train, y_train)
    assert grid.best_params_ == {"lr": 0.01}
    assert grid.score(X_test, y_test) > 0.9
    # The four cross-validation fits ran as tasks on the cluster's workers.
    assert len(tasks.data) >= 1
    assert {task["worker"] for task in tasks.data} <= set(client.scheduler_info()["workers"])


def test_a_stacked_search_on_the_dask_backend_gives_the_local_results(client, digits32):
    from sk_softmax import SoftmaxSearchCV

    X_train, _, y_train, _ = digits32
    grid = {"lr": [0.001, 0.01, 0.1], "max_epochs": [3, 10]}

    def search():
        return SoftmaxSearchCV(SoftmaxClassifier(random_state=0), grid, cv=3, n_jobs=-1)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        local = search().fit(X_train, y_train)
        with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as tasks:
            remote = search().fit(X_train, y_train)
    assert remote.n_stacked_runs_ == 3 and remote.n_separate_fits_ == 0
    assert len(tasks.data) >= 3  # the stacked runs ran on the cluster's workers
    assert {task["worker"] for task in tasks.data} <= set(client.scheduler_info()["workers"])
    for key in ("params", "mean_test_score", "rank_test_score"):
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
