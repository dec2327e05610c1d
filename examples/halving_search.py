"""Successive halving over epochs on Fashion-MNIST
===============================================

``SoftmaxHalvingSearchCV`` searches 30 candidates (10 learning rates × 3
penalties) with the number of epochs as the resource: all start with one
epoch; at each rung the best third, by mean CV accuracy, train on from where
they are (3, then 9, then 27 epochs) and the others stop. It prints the rungs
and the winner, and draws every candidate's CV accuracy by epochs, each line
ending where its candidate was left behind::

    python examples/halving_search.py --data-home ~/scikit_learn_data --plot halving.png
    python examples/halving_search.py --quick

``--quick`` searches on a tenth of the training set (``--fraction`` sets
another share); the test set is always the full 10,000 images.
"""

import sys

import matplotlib.pyplot as plt
import numpy as np
from _search_setup import save, search_data, timed_fit
from sklearn.model_selection import StratifiedKFold

from sk_softmax import SoftmaxClassifier, SoftmaxHalvingSearchCV

GRID = {"lr": list(np.logspace(-4, -0.5, 10).round(6)), "alpha": [0.0, 1e-5, 1e-4]}


def plot_rungs(search, ax):
    """Each candidate's mean CV accuracy against the epochs of the rungs it reached."""
    results = search.cv_results_
    keys = [str({k: v for k, v in p.items() if k != "max_epochs"}) for p in results["params"]]
    best = keys[search.best_index_]
    for key in dict.fromkeys(keys):
        rows = [i for i, k in enumerate(keys) if k == key]
        epochs = results["n_resources"][rows]
        scores = results["mean_test_score"][rows]
        if key == best:
            continue
        ax.plot(epochs, scores, marker="o", color="0.6", linewidth=1, markersize=3, alpha=0.8)
    rows = [i for i, k in enumerate(keys) if k == best]
    params = search.best_params_
    ax.plot(
        results["n_resources"][rows],
        results["mean_test_score"][rows],
        marker="o",
        color="tab:red",
        linewidth=2.5,
        label=f"winner: lr {params['lr']:.4g}, alpha {params['alpha']:g}",
    )
    ax.set_xscale("log")
    rungs = zip(search.n_resources_, search.n_candidates_, strict=True)
    ax.set_xticks(search.n_resources_, [f"{e}\n({n} candidates)" for e, n in rungs])
    ax.minorticks_off()
    ax.set_xlabel("epochs trained (the rung's resource)")
    ax.set_ylabel("mean CV accuracy")
    ax.set_title("Successive halving: the best third trains on at each rung")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", frameon=True)
    return ax


def main(argv=None):
    args, X, y, X_test, y_test = search_data(__doc__, argv)
    search = SoftmaxHalvingSearchCV(
        SoftmaxClassifier(batch_size=256, random_state=0),
        GRID,
        factor=3,
        min_resources=1,
        max_resources=27,
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        return_train_score=False,
    )
    seconds = timed_fit(search, X, y)
    print(f"{len(y):,} training rows, 30 candidates, 3 folds: {seconds:.1f} s")
    for epochs, n in zip(search.n_resources_, search.n_candidates_, strict=True):
        print(f"  rung of {epochs:>2} epochs: {n:>2} candidates")
    print(f"best: {search.best_params_}, CV accuracy {search.best_score_:.4f}")
    print(f"test accuracy of the refit winner: {search.score(X_test, y_test):.4f}")
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    plot_rungs(search, ax)
    save(fig, args.plot)
    return search


if __name__ == "__main__":
    # Under a Jupyter kernel (the gallery's notebooks) sys.argv is the kernel's: no arguments.
    main([] if "ipykernel" in sys.modules else None)
