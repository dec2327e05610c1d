"""Searching a Pipeline: scaling fitted inside each fold
=====================================================

The idiom every scikit-learn user writes: a ``StandardScaler`` in front of the
classifier, so that the scaling is fitted on each fold's training rows only,
and a search over the pipeline's parameters. ``SoftmaxSearchCV`` fits the
scaler once per scaler setting and split (here 2 x 3 times, where
``GridSearchCV`` fits it once per candidate and split, 24 x 3 times) and stacks
the classifier candidates on each split's scaled rows. The script runs both on
the same Fashion-MNIST rows, prints their times and best candidates, and draws
the CV accuracy of every candidate by epochs::

    python examples/pipeline_search.py --data-home ~/scikit_learn_data --plot pipeline.png
    python examples/pipeline_search.py --quick

``--quick`` searches on a tenth of the training set (``--fraction`` sets
another share); the test set is always the full 10,000 images.
"""

import sys

import matplotlib.pyplot as plt
from _search_setup import save, search_data, timed_fit
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV
from sk_softmax.plotting import plot_search_scores

GRID = {
    "scale__with_std": [True, False],
    "clf__lr": [0.001, 0.003, 0.01, 0.03],
    "clf__max_epochs": [5, 10, 20],
}


def main(argv=None):
    args, X, y, X_test, y_test = search_data(__doc__, argv)
    pipe = Pipeline([("scale", StandardScaler()), ("clf", SoftmaxClassifier(random_state=0))])
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    ours = SoftmaxSearchCV(pipe, GRID, cv=cv)
    theirs = GridSearchCV(pipe, GRID, cv=cv)
    seconds = {"SoftmaxSearchCV": timed_fit(ours, X, y), "GridSearchCV": timed_fit(theirs, X, y)}
    n = len(ours.cv_results_["params"])
    print(f"{len(y):,} training rows, {n} candidates, 3 folds")
    for name, search in (("SoftmaxSearchCV", ours), ("GridSearchCV", theirs)):
        print(
            f"{name:<16} {seconds[name]:6.1f} s  best {search.best_params_}  "
            f"CV {search.best_score_:.4f}  test {search.score(X_test, y_test):.4f}"
        )
    print(
        f"SoftmaxSearchCV: {seconds['GridSearchCV'] / seconds['SoftmaxSearchCV']:.1f}x faster, "
        f"{ours.n_stacked_runs_} stacked runs (2 scaler settings x 3 splits)"
    )
    fig, ax = plt.subplots(figsize=(9, 4.8), layout="constrained")
    plot_search_scores(ours, x="clf__max_epochs", lines="clf__lr", ax=ax)
    ax.set_title(
        "Searching StandardScaler + SoftmaxClassifier on Fashion-MNIST\n"
        "(each point: the better of with_std=True and False)"
    )
    save(fig, args.plot)
    return ours, theirs


if __name__ == "__main__":
    # Under a Jupyter kernel (the gallery's notebooks) sys.argv is the kernel's: no arguments.
    main([] if "ipykernel" in sys.modules else None)
