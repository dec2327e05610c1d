"""Randomized search on a log scale
================================

Learning rates and penalties are searched on a log scale, as with
``RandomizedSearchCV(..., {"lr": loguniform(1e-4, 1e-1)})``.
``SoftmaxRandomizedSearchCV`` takes the same arguments and draws the same
candidates for the same ``random_state`` (scikit-learn's ``ParameterSampler``);
``lr`` and ``alpha`` are per-model values, so all the candidates drawn train
side by side on each split, and the ``max_epochs`` values drawn are checkpoints
of those runs. The script runs it and ``RandomizedSearchCV`` on the same
Fashion-MNIST rows, prints both times and best candidates, and draws every
candidate's CV accuracy against its learning rate and penalty::

    python examples/randomized_search.py --data-home ~/scikit_learn_data --plot random.png
    python examples/randomized_search.py --quick

``--quick`` searches on a tenth of the training set (``--fraction`` sets
another share); the test set is always the full 10,000 images.
"""

import sys

import matplotlib.pyplot as plt
import numpy as np
from _search_setup import save, search_data, timed_fit
from scipy.stats import loguniform
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold

from sk_softmax import SoftmaxClassifier, SoftmaxRandomizedSearchCV

DISTRIBUTIONS = {
    "lr": loguniform(1e-4, 1e-1),
    "alpha": loguniform(1e-6, 1e-2),
    "max_epochs": [5, 10, 20],
}
N_ITER = 16


def plot_candidates(search, ax):
    """Each candidate at its (lr, alpha), coloured by its mean CV accuracy."""
    params, scores = search.cv_results_["params"], search.cv_results_["mean_test_score"]
    lrs = np.array([p["lr"] for p in params])
    alphas = np.array([p["alpha"] for p in params])
    epochs = np.array([p["max_epochs"] for p in params])
    markers = dict(zip(sorted(set(epochs)), "o^s", strict=False))
    for value, marker in markers.items():
        rows = epochs == value
        points = ax.scatter(
            lrs[rows], alphas[rows], c=scores[rows], cmap="viridis", marker=marker, s=70,
            vmin=scores.min(), vmax=scores.max(), edgecolors="black", linewidths=0.5,
        )  # fmt: skip
    best = search.best_index_
    ax.scatter(lrs[best], alphas[best], marker="*", s=400, facecolors="none",
               edgecolors="tab:red", linewidths=2)  # fmt: skip
    # The legend says which marker is which max_epochs; the colour bar gives the score.
    handles = [
        ax.scatter([], [], marker=m, s=70, c="white", edgecolors="black", label=f"{v} epochs")
        for v, m in markers.items()
    ]
    handles.append(
        ax.scatter(
            [],
            [],
            marker="*",
            s=250,
            facecolors="none",
            edgecolors="tab:red",
            linewidths=2,
            label="best candidate",
        )  # fmt: skip
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("L2 penalty alpha (log scale)")
    ax.set_title(f"{len(params)} candidates drawn from log-uniform distributions")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=4)
    ax.grid(alpha=0.3)
    plt.colorbar(points, ax=ax, label="mean CV accuracy")
    return ax


def main(argv=None):
    args, X, y, X_test, y_test = search_data(__doc__, argv)
    estimator = SoftmaxClassifier(random_state=0)
    kwargs = dict(n_iter=N_ITER, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    ours = SoftmaxRandomizedSearchCV(estimator, DISTRIBUTIONS, random_state=0, **kwargs)
    theirs = RandomizedSearchCV(estimator, DISTRIBUTIONS, random_state=0, **kwargs)
    seconds = {
        "SoftmaxRandomizedSearchCV": timed_fit(ours, X, y),
        "RandomizedSearchCV": timed_fit(theirs, X, y),
    }
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]  # the same draws
    print(f"{len(y):,} training rows, {N_ITER} candidates drawn, 3 folds")
    for name, search in (("SoftmaxRandomizedSearchCV", ours), ("RandomizedSearchCV", theirs)):
        best = {
            k: float(f"{v:.3g}") if isinstance(v, float) else v
            for k, v in search.best_params_.items()
        }
        print(
            f"{name:<26} {seconds[name]:6.1f} s  best {best}  "
            f"CV {search.best_score_:.4f}  test {search.score(X_test, y_test):.4f}"
        )
    ratio = seconds["RandomizedSearchCV"] / seconds["SoftmaxRandomizedSearchCV"]
    print(f"SoftmaxRandomizedSearchCV: {ratio:.1f}x faster, {ours.n_stacked_runs_} stacked runs")
    fig, ax = plt.subplots(figsize=(7.5, 5.2), layout="constrained")
    plot_candidates(ours, ax)
    save(fig, args.plot)
    return ours, theirs


if __name__ == "__main__":
    # Under a Jupyter kernel (the gallery's notebooks) sys.argv is the kernel's: no arguments.
    main([] if "ipykernel" in sys.modules else None)
