"""Inference from many threads at once on one fitted model gives the serial answers."""

import threading

import numpy as np
import pandas as pd
import pytest

from sk_softmax import SoftmaxClassifier

N_THREADS = 8
METHODS = ["predict", "predict_proba", "predict_log_proba", "decision_function", "score"]


def _run_in_threads(tasks, call):
    """Run ``call(task)`` for every task, spread over threads that start together."""
    barrier = threading.Barrier(N_THREADS)
    results = [None] * len(tasks)

    def worker(offset):
        barrier.wait()
        for index in range(offset, len(tasks), N_THREADS):
            try:
                results[index] = call(tasks[index])
            except Exception as exc:  # collected and compared below
                results[index] = exc

    threads = [threading.Thread(target=worker, args=(offset,)) for offset in range(N_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture(scope="module")
def model_and_chunks(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    names = np.array([f"digit {d}" for d in range(10)])
    model = SoftmaxClassifier(lr=0.05, max_epochs=5, random_state=0).fit(X_train, names[y_train])
    bounds = np.linspace(0, len(X_test), 9).astype(int)
    chunks = [
        (X_test[a:b], names[y_test[a:b]]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    chunks += [(X_test, names[y_test]), (X_test[:1], names[y_test[:1]])]
    return model, chunks


def _call(model, method, X, y):
    return getattr(model, method)(X, y) if method == "score" else getattr(model, method)(X)


def test_concurrent_inference_equals_serial(model_and_chunks):
    model, chunks = model_and_chunks
    coef = model.coef_
    attributes = dict(vars(model))
    tasks = [(method, i) for method in METHODS for i in range(len(chunks))] * 4
    np.random.default_rng(0).shuffle(tasks)
    expected = {task: _call(model, task[0], *chunks[task[1]]) for task in set(tasks)}

    results = _run_in_threads(tasks, lambda task: _call(model, task[0], *chunks[task[1]]))

    for task, result in zip(tasks, results, strict=True):
        assert not isinstance(result, Exception), (task, result)
        np.testing.assert_array_equal(result, expected[task], err_msg=str(task))
    np.testing.assert_array_equal(model.coef_, coef)
    assert vars(model) == attributes


def test_concurrent_inference_with_feature_names_and_errors(digits_split):
    X_train, X_test, y_train, _ = digits_split
    columns = [f"pixel {i}" for i in range(X_train.shape[1])]
    model = SoftmaxClassifier(lr=0.05, max_epochs=3, random_state=0)
    model.fit(pd.DataFrame(X_train, columns=columns), y_train)
    frame = pd.DataFrame(X_test, columns=columns)
    expected = model.predict_proba(frame)
    tasks = ["frame", "wrong width"] * (4 * N_THREADS)

    def call(task):
        return model.predict_proba(frame if task == "frame" else frame.iloc[:, :5])

    for task, result in zip(tasks, _run_in_threads(tasks, call), strict=True):
        if task == "frame":
            np.testing.assert_array_equal(result, expected)
        else:
            assert isinstance(result, ValueError) and "feature" in str(result)
    np.testing.assert_array_equal(model.predict_proba(frame), expected)
