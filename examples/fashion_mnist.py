"""Softmax regression on Fashion-MNIST
===================================

d2l.ai section 3.7 in one command. Trains ``SoftmaxClassifier`` with the
chapter's settings (SGD, lr 0.1, batches of 256, 10 epochs, weights drawn from
N(0, 0.01²)), shows a progress bar and a per-epoch table with the training
loss and the training and test accuracy (the bar only on a terminal), then
prints the test accuracy and the fit time::

    python examples/fashion_mnist.py --data-home ~/scikit_learn_data --plots docs/images
    python examples/fashion_mnist.py --quick

``--defaults`` trains with the project's defaults instead (on these 60,000 x
784 values, Adam with lr 0.03, up to 300 epochs, stopping once the training
loss stops improving); ``--lr``,
``--max-epochs``, ``--batch-size`` and ``--optimizer`` override single
settings. ``--quick`` trains on a stratified 10,000 of the 60,000 training
images for 3 epochs (``--max-epochs`` still wins); the test set is always the
full 10,000 images. ``--plots DIR`` draws the learned weight templates, the
learning curves, a grid of test predictions and the confusion matrix, saves
them into ``DIR`` as PNGs and leaves the figures open.
"""

import argparse
import copy
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from skorch.callbacks import Callback

from sk_softmax import SoftmaxClassifier
from sk_softmax.datasets import fetch_fashion_mnist

# The chapter's settings: plain SGD at a constant rate for exactly 10 epochs, no penalty.
CHAPTER = dict(
    lr=0.1, max_epochs=10, batch_size=256, optimizer="sgd", alpha=0.0, lr_schedule="constant"
)
QUICK_ROWS, QUICK_EPOCHS = 10_000, 3
DPI = 120


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


class EpochProgress(Callback):
    """A progress bar over the epochs of a fit, with the latest values of some columns.

    Put it after the callbacks that record those columns.

    Parameters
    ----------
    total : int
        Epochs the fit may run (the bar's length); a fit that stops early
        leaves the bar short.
    desc : str, default=None
        Text in front of the bar.
    columns : tuple of str, default=("train_loss",)
        History columns shown after the bar, when the epoch has them.
    """

    def __init__(self, total, desc=None, columns=("train_loss",)):
        self.total = total
        self.desc = desc
        self.columns = columns

    def on_train_begin(self, net, **kwargs):
        from tqdm import tqdm

        # A bar only where a terminal shows it; elsewhere (a log, a page) it is noise.
        self.bar_ = tqdm(
            total=self.total,
            desc=self.desc,
            unit="epoch",
            leave=True,
            disable=not sys.stderr.isatty(),
        )

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        shown = {key: f"{row[key]:.4f}" for key in self.columns if key in row}
        self.bar_.set_postfix(shown, refresh=False)
        self.bar_.update()

    def on_train_end(self, net, **kwargs):
        self.bar_.close()


def write_plots(clf, names, X_test, y_test, folder, title):
    """Draw the weights, learning curves, predictions and confusion matrix; save them as PNGs.

    ``title`` heads the learning curves. The figures stay open, for whoever
    runs the script to show them.
    """
    from sk_softmax.plotting import (
        plot_confusion_matrix,
        plot_learning_curves,
        plot_predictions,
        plot_weights,
    )

    folder.mkdir(parents=True, exist_ok=True)
    y_pred = clf.predict(X_test)
    accuracy = np.mean(y_pred == y_test)

    axes = plot_weights(clf, class_names=names)
    axes[0].figure.suptitle("Learned weights: one 28×28 template per class")
    _save(axes[0].figure, folder / "fashion_mnist_weights.png")

    axes = plot_learning_curves(clf)
    axes[0].figure.suptitle(title, fontsize="medium")
    _save(axes[0].figure, folder / "fashion_mnist_learning_curves.png")

    # The first 6 test images as they come, then the next 6 the model gets wrong.
    wrong = 6 + np.flatnonzero(y_pred[6:] != y_test[6:])[:6]
    shown = np.concatenate([np.arange(6), wrong])
    axes = plot_predictions(
        X_test[shown],
        y_test[shown],
        y_pred[shown],
        class_names=names,
        title=(
            "Test images: the first 6 (top row), then the next 6 misclassified ones "
            "(bottom row)\nwrong predictions framed in red"
        ),
    )
    _save(axes[0].figure, folder / "fashion_mnist_predictions.png")

    display = plot_confusion_matrix(
        y_test, y_pred, display_labels=names, colorbar=False, values_format="d"
    )
    display.figure_.set_size_inches(7.5, 7)
    display.ax_.set_title(f"Confusion matrix on the test images (accuracy {accuracy:.3f})")
    _save(display.figure_, folder / "fashion_mnist_confusion_matrix.png")


def _save(figure, path):
    if figure.get_layout_engine() is None:
        figure.tight_layout()
    figure.savefig(path, dpi=DPI)


def main(argv=None):
    """Train and report; return the fitted model and its fit time in seconds."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0] or None)
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
        "--quick",
        action="store_true",
        help=f"train on {QUICK_ROWS} training images for {QUICK_EPOCHS} epochs",
    )
    parser.add_argument(
        "--data-home",
        help="folder holding fashion-mnist/ (default: $SK_SOFTMAX_DATA, then sklearn's)",
    )
    parser.add_argument(
        "--plots", type=Path, metavar="DIR", help="save the pictures into DIR (e.g. docs/images)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random_state of the model")
    args = parser.parse_args(argv)

    train = fetch_fashion_mnist(subset="train", data_home=args.data_home)
    X_train, y_train = train.data, train.target
    X_test, y_test = fetch_fashion_mnist(subset="test", data_home=args.data_home, return_X_y=True)
    if args.quick:
        X_train, _, y_train, _ = train_test_split(
            X_train, y_train, train_size=QUICK_ROWS, stratify=y_train, random_state=args.seed
        )
    print(f"Fashion-MNIST: {len(X_train)} training and {len(X_test)} test images", flush=True)

    settings = {} if args.defaults else dict(CHAPTER)
    if args.quick:
        settings["max_epochs"] = QUICK_EPOCHS
    settings["random_state"] = args.seed
    flags = dict(
        lr=args.lr, max_epochs=args.max_epochs, batch_size=args.batch_size, optimizer=args.optimizer
    )
    settings.update({key: value for key, value in flags.items() if value is not None})
    clf = SoftmaxClassifier(
        **settings,
        verbose=1,
        callbacks=[
            EpochAccuracy(X_train, y_train, name="train_acc"),
            EpochAccuracy(X_test, y_test, name="test_acc"),
        ],
    )
    shown = ", ".join(
        f"{key}={value!r}" for key, value in clf.get_params().items() if key in settings
    )
    threads = torch.get_num_threads()
    print(f"SoftmaxClassifier({shown}) on {threads} torch thread(s)", flush=True)

    start = time.perf_counter()
    with warnings.catch_warnings():
        if not args.defaults:
            # The chapter stops after a fixed number of epochs on purpose.
            warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start

    accuracy = clf.score(X_test, y_test)
    print(f"test accuracy {accuracy:.4f} after {clf.n_iter_} epochs")
    print(f"fit time {fit_seconds:.1f} s (scoring the training and test sets every epoch)")

    if args.plots is not None:
        shown = ("optimizer", "lr", "batch_size", "max_epochs")
        described = [f"{key}={settings[key]!r}" for key in shown if key in settings]
        described = ", ".join(["the project's defaults"] * args.defaults + described)
        title = f"SoftmaxClassifier on {len(X_train):,} Fashion-MNIST training images"
        write_plots(clf, train.target_names, X_test, y_test, args.plots, f"{title}\n{described}")
    return clf, fit_seconds


if __name__ == "__main__":
    # Under a Jupyter kernel (the gallery's notebooks) sys.argv is the kernel's: no arguments.
    main([] if "ipykernel" in sys.modules else None)
