"""One seed, one model: whatever the thread count, the load, the thread or process, the dtype."""

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV

SETTINGS = [
    dict(),  # the defaults: Adam, auto batch, alpha="auto", adaptive lr
    dict(optimizer="sgd", lr=0.1, momentum=0.9, batch_size=100, max_epochs=8),
    dict(optimizer="lbfgs", lr=1.0, max_epochs=5),
    dict(early_stopping=True, max_epochs=15),
]


def same_model(a, b):
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.intercept_, b.intercept_)
    assert a.n_iter_ == b.n_iter_
    assert a.loss_curve_ == b.loss_curve_


def fit(X, y, **params):
    return SoftmaxClassifier(random_state=7, **{"max_epochs": 30, **params}).fit(X, y)


@pytest.mark.parametrize("setting", SETTINGS, ids=["defaults", "sgd", "lbfgs", "early-stop"])
def test_the_thread_count_changes_nothing(digits_split, two_threads, setting):
    X, _, y, _ = digits_split
    one = fit(X, y, n_threads=1, **setting)
    for n_threads in (2, "auto", None):
        same_model(one, fit(X, y, n_threads=n_threads, **setting))


def test_sparse_input_is_reproducible_across_threads_too(digits_split, two_threads):
    X, _, y, _ = digits_split
    X = sp.csr_matrix(X)
    same_model(fit(X, y, n_threads=1), fit(X, y, n_threads=2))


def test_partial_fit_streams_are_reproducible_across_threads(digits_split, two_threads):
    X, _, y, _ = digits_split

    def stream(n_threads):
        clf = SoftmaxClassifier(random_state=3, n_threads=n_threads)
        for rows in np.array_split(np.arange(len(y)), 4):
            clf.partial_fit(X[rows], y[rows], classes=np.arange(10))
        return clf

    same_model(stream(1), stream(2))


def test_same_model_in_a_thread_pool_and_a_loky_worker(digits_split):
    X, _, y, _ = digits_split
    main = fit(X, y)
    with ThreadPoolExecutor(2) as pool:
        for other in pool.map(lambda _: fit(X, y), range(2)):
            same_model(main, other)
    [in_worker] = Parallel(n_jobs=2, backend="loky")(delayed(fit)(X, y) for _ in range(1))
    same_model(main, in_worker)


def test_same_values_in_any_dtype_or_layout_give_the_same_model(digits_split, tmp_path):
    X, _, y, _ = digits_split
    counts = np.rint(X * 16).astype(np.int8)  # digits are counts 0..16
    reference = fit(counts.astype(np.float32), y)
    path = tmp_path / "X.npy"
    np.save(path, counts.astype(np.float32))
    variants = [
        counts,
        counts.astype(np.float16),
        counts.astype(np.float64),
        np.asfortranarray(counts.astype(np.float32)),
        np.load(path, mmap_mode="r"),
    ]
    for variant in variants:
        same_model(reference, fit(variant, y))


_BUSY_SCRIPT = """
import pickle, sys
import numpy as np
from sklearn.datasets import load_digits
from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV
X, y = load_digits(return_X_y=True)
X = X / 16
clf = SoftmaxClassifier(random_state=7).fit(X, y)
stream = SoftmaxClassifier(random_state=7)
for rows in np.array_split(np.arange(len(y)), 4):
    stream.partial_fit(X[rows], y[rows], classes=np.arange(10))
search = SoftmaxSearchCV(
    SoftmaxClassifier(random_state=7), {"lr": [0.01, 0.1], "max_epochs": [3, 10]}, cv=3
).fit(X, y)
pickle.dump(
    [clf.coef_, clf.loss_curve_, stream.coef_, search.cv_results_["split0_test_score"],
     search.best_estimator_.coef_],
    sys.stdout.buffer,
)
"""


def _run_fits():
    import pickle

    out = subprocess.run([sys.executable, "-c", _BUSY_SCRIPT], capture_output=True, check=True)
    return pickle.loads(out.stdout)


def test_a_busy_machine_gives_the_same_models():
    quiet = _run_fits()
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        busy = _run_fits()
    finally:
        spinner.kill()
        spinner.wait()
    for a, b in zip(quiet, busy, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_refit_is_the_separate_fit_of_the_best_parameters(digits_split):
    X, _, y, _ = digits_split
    grid = {"lr": [0.003, 0.03], "max_epochs": [5, 20]}
    search = SoftmaxSearchCV(SoftmaxClassifier(random_state=0), grid, cv=3).fit(X, y)
    separate = SoftmaxClassifier(random_state=0, **search.best_params_).fit(X, y)
    same_model(search.best_estimator_, separate)
    assert type(search.best_estimator_) is SoftmaxClassifier


def _repeating_splits(n):
    rng = np.random.RandomState(0)
    splits = []
    for fold in np.array_split(rng.permutation(n), 3):
        train = np.setdiff1d(np.arange(n), fold)
        splits.append((np.concatenate([train, train[: len(train) // 2]]), fold))
    return splits


def test_repeated_training_indices_count_as_repeated_rows(digits_split):
    # One candidate trains alone in its run: its scores are GridSearchCV's exactly.
    X, _, y, _ = digits_split
    grid = {"lr": [0.05], "max_epochs": [4]}
    splits = _repeating_splits(len(y))
    estimator = SoftmaxClassifier(optimizer="adam", random_state=0)
    ours = SoftmaxSearchCV(estimator, grid, cv=splits).fit(X, y)
    theirs = GridSearchCV(estimator, grid, cv=splits).fit(X, y)
    unique = [(np.unique(train), test) for train, test in splits]
    once = SoftmaxSearchCV(estimator, grid, cv=unique).fit(X, y)
    for split in range(3):
        key = f"split{split}_test_score"
        np.testing.assert_allclose(ours.cv_results_[key], theirs.cv_results_[key], rtol=1e-12)
    assert ours.n_stacked_runs_ == 3
    logits = ours.best_estimator_.decision_function(X)  # the refit is unaffected
    np.testing.assert_array_equal(logits, once.best_estimator_.decision_function(X))
    model = SoftmaxClassifier(random_state=0, lr=0.05, max_epochs=4)
    repeated = model.fit(X[splits[0][0]], y[splits[0][0]]).coef_
    assert not np.array_equal(repeated, model.fit(X[unique[0][0]], y[unique[0][0]]).coef_)


def _first_pixel_on_scorer(estimator, X, y):
    on = X[:, 20] > 0  # indexes columns: needs the user's array
    return accuracy_score(y[on], estimator.predict(X[on]))


def test_a_scorer_gets_the_users_array_and_grid_search_scores(digits_split):
    X, _, y, _ = digits_split
    grid = {"lr": [0.01, 0.1], "max_epochs": [3, 8]}
    estimator = SoftmaxClassifier(random_state=0)
    ours = SoftmaxSearchCV(estimator, grid, cv=3, scoring=_first_pixel_on_scorer).fit(X, y)
    theirs = GridSearchCV(estimator, grid, cv=3, scoring=_first_pixel_on_scorer).fit(X, y)
    scores = ours.cv_results_["mean_test_score"]
    assert np.isfinite(scores).all()
    np.testing.assert_allclose(scores, theirs.cv_results_["mean_test_score"], atol=0.02)
