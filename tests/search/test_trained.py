"""TrainedModels: models found by (split, candidate), held-out logits computed once."""

import numpy as np

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV
from sk_softmax._prediction import _affine


def test_fits_find_their_model_and_others_find_none(blobs):
    X, y = blobs
    search = SoftmaxSearchCV(SoftmaxClassifier(random_state=0), {"lr": [0.1]}, cv=3)
    trained = search._train(X, y, list(_splits(X, y)), [dict(lr=0.1, max_epochs=5)], {})
    params = SoftmaxClassifier(random_state=0, lr=0.1, max_epochs=5).get_params()
    rows = trained.train_sets[1]
    found = trained.find(params, rows)
    assert found.split == 1 and found.model.n_epochs <= 5
    assert trained.find(params, rows[:-1]) is None  # other rows: an ordinary fit
    assert trained.find({**params, "batch_size": 7}, rows) is None


def _splits(X, y):
    from sklearn.model_selection import StratifiedKFold

    return StratifiedKFold(3).split(X, y)


def test_held_out_logits_are_the_prediction_of_every_checkpoint(blobs):
    X, y = blobs
    search = SoftmaxSearchCV(SoftmaxClassifier(random_state=0), {"lr": [0.1]}, cv=3)
    splits = list(_splits(X, y))
    trained = search._train(X, y, splits, [{"lr": 0.1, "max_epochs": 4}], {})
    params = SoftmaxClassifier(random_state=0, lr=0.1, max_epochs=4).get_params()
    for train, test in splits:
        found = trained.find(params, train)
        rows, logits = found.held_out(4)
        coef, intercept, _ = found.model.at(4)
        np.testing.assert_array_equal(rows, X[test])
        np.testing.assert_array_equal(logits, _affine(X[test], coef, intercept))
    assert trained.score_seconds > 0 and trained.stacked_seconds(params, 3) > 0
