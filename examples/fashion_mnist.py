"""Softmax regression on Fashion-MNIST: d2l.ai section 3.7 in one command.

Trains ``SoftmaxClassifier`` with the chapter's settings (SGD, lr 0.1, batches
of 256, 10 epochs, weights drawn from N(0, 0.01^2)), shows a progress bar and
a per-epoch table with the training loss and the training and test accuracy,
then prints the test accuracy and the fit time::

    python examples/fashion_mnist.py --data-home ../shared/data --plots docs

``--defaults`` trains with the project's defaults (Adam, lr 0.003, up to 200
epochs, stopping once the training loss stops improving) instead; ``--lr``,
``--max-epochs``, ``--batch-size`` and ``--optimizer`` override single
settings. ``--plots DIR`` writes the learned weight templates, the learning
curves, a grid of test predictions and the confusion matrix as PNGs.
"""

import argparse
import copy
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

from sk_softmax import SoftmaxClassifier
from sk_softmax.datasets import fetch_fashion_mnist

# The chapter's settings: plain SGD at a constant rate for exactly 10 epochs, no penalty.
CHAPTER = dict(
    lr=0.1, max_epochs=10, batch_size=256, optimizer="sgd", alpha=0.0, lr_schedule="constant"
)


class EpochAccuracy(Callback):
    """Record the accuracy on ``(X, y)`` in the history at the end of every epoch.

    ``y`` holds class indices, the positions of the labels in the estimator's
    ``classes_`` (Fashion-MNIST's targets 0-9 are their own indices). The
    arrays are shared, not copied, when the estimator copies its callbacks.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), dtype float32
        Samples to score.
    y : ndarray of shape (n_samples,)
        Their class indices.
    name : str, default="test_acc"
        Column of the history (and of the printed table).
    """

    def __init__(self, X, y, name="test_acc"):
        self.X = X
        self.y = y
        self.name = name

    def __deepcopy__(self, memo):
        return copy.copy(self)

    def on_epoch_end(self, net, **kwargs):
        X = torch.as_tensor(self.X, device=net.device)
        predicted = net.evaluation_step((X, None)).argmax(dim=1).cpu().numpy()
        net.history.record(self.name, float(np.mean(predicted == self.y)))


def write_plots(clf, train, X_test, y_test, folder):
    """Save the weights, learning curves, predictions and confusion matrix as PNGs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sk_softmax.plotting import (
        plot_confusion_matrix,
        plot_learning_curves,
        plot_predictions,
        plot_weights,
    )

    folder.mkdir(parents=True, exist_ok=True)
    names = train.target_names
    y_pred = clf.predict(X_test)

    plot_weights(clf, class_names=names)
    plt.gcf().suptitle("Learned weights: one 28x28 template per class")
    _save(plt, folder / "fashion_mnist_weights.png")

    plot_learning_curves(clf)
    _save(plt, folder / "fashion_mnist_learning_curves.png")

    wrong = np.flatnonzero(y_pred != y_test)[:6]
    shown = np.concatenate([np.arange(6), wrong])
    plot_predictions(X_test[shown], y_test[shown], y_pred[shown], class_names=names)
    plt.gcf().suptitle("Test images: true label over predicted (errors in red)")
    _save(plt, folder / "fashion_mnist_predictions.png")

    display = plot_confusion_matrix(
        y_test, y_pred, display_labels=names, colorbar=False, values_format="d"
    )
    display.figure_.set_size_inches(7.5, 7)
    display.ax_.set_title(f"Confusion matrix, test set (accuracy {np.mean(y_pred == y_test):.3f})")
    _save(plt, folder / "fashion_mnist_confusion_matrix.png")


def _save(plt, path):
    if plt.gcf().get_layout_engine() is None:
        plt.gcf().tight_layout()
    plt.savefig(path, dpi=72)
    plt.close("all")
    print(f"wrote {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lr", type=float, help="learning rate (chapter: 0.1)")
    parser.add_argument("--max-epochs", type=int, help="epochs (chapter: 10)")
    parser.add_argument("--batch-size", type=int, help="minibatch size (chapter: 256)")
    parser.add_argument("--optimizer", choices=["sgd", "adam"], help="chapter: sgd")
    parser.add_argument(
        "--defaults",
        action="store_true",
        help="start from the project's defaults, not the chapter's",
    )
    parser.add_argument(
        "--data-home",
        help="folder holding fashion-mnist/ (default: $SK_SOFTMAX_DATA, then sklearn's)",
    )
    parser.add_argument("--plots", type=Path, metavar="DIR", help="write PNG pictures into DIR")
    parser.add_argument("--seed", type=int, default=0, help="random_state of the model")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    train = fetch_fashion_mnist(subset="train", data_home=args.data_home)
    X_test, y_test = fetch_fashion_mnist(subset="test", data_home=args.data_home, return_X_y=True)
    load_seconds = time.perf_counter() - start
    print(
        f"Fashion-MNIST: {len(train.data)} training and {len(X_test)} test images "
        f"(loaded in {load_seconds:.2f} s)"
    )

    settings = {} if args.defaults else dict(CHAPTER)
    settings["random_state"] = args.seed
    flags = dict(
        lr=args.lr, max_epochs=args.max_epochs, batch_size=args.batch_size, optimizer=args.optimizer
    )
    settings.update({key: value for key, value in flags.items() if value is not None})
    clf = SoftmaxClassifier(
        **settings,
        verbose=1,
        callbacks=[
            EpochAccuracy(train.data, train.target, name="train_acc"),
            EpochAccuracy(X_test, y_test, name="test_acc"),
        ],
    )
    shown = ", ".join(
        f"{key}={value!r}" for key, value in clf.get_params().items() if key in settings
    )
    threads = torch.get_num_threads()
    print(f"SoftmaxClassifier({shown}) on {threads} torch thread(s)")

    start = time.perf_counter()
    with warnings.catch_warnings():
        if not args.defaults:
            # The chapter stops after a fixed number of epochs on purpose.
            warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(train.data, train.target)
    fit_seconds = time.perf_counter() - start

    accuracy = clf.score(X_test, y_test)
    print(f"test accuracy {accuracy:.4f} after {clf.n_iter_} epochs, fit {fit_seconds:.1f} s")

    if args.plots is not None:
        write_plots(clf, train, X_test, y_test, args.plots)


if __name__ == "__main__":
    main()
