"""Overfitting on Fashion-MNIST, and what helps
============================================

d2l 3.7, exercise 2. Trains ``SoftmaxClassifier`` for many epochs with a
large learning rate (Adam, lr 0.01, 100 epochs, no stopping rule) while
recording the accuracy on the training images, on a held-out validation set
(10 % of the training set, stratified) and on the test set after every epoch.
Then it trains the same model with each remedy and prints every variant's
final test accuracy::

    python examples/overfitting.py --data-home ~/scikit_learn_data --plots docs/images
    python examples/overfitting.py --quick

A progress bar follows each of the four fits. ``--quick`` trains on a
stratified 3,000 of the 60,000 training images for 40 epochs instead of all
of them for 100 (``--train-size`` and ``--max-epochs`` still win): with fewer
images the model overfits sooner, so the quick run shows the same story; the
test set is always the full 10,000 images. ``--plots DIR`` draws one panel per
variant, saves the figure as ``overfitting.png`` into ``DIR`` and leaves it
open.

Why test accuracy falls when training goes on too long: training minimises the
loss on the training images only, and the cross-entropy keeps rewarding more
confident logits long after the predictions are right. The first epochs learn
what every shirt or sneaker has in common; later epochs buy smaller training
loss by growing weights on pixels that single out particular training images
-- their noise, not the class. Training accuracy goes on rising, accuracy on
images the model has never seen peaks and then slips back: the model overfits,
and the widening gap between the training and validation curves shows it. A
large learning rate adds to this: every update jumps to a noticeably different
model, so test accuracy wanders from epoch to epoch and the last epoch is just
wherever the last step happened to land, often not near the best one.

What to do about it: hold out a validation set (never the test set, which would
then stop measuring unseen data) and stop where its accuracy stops improving,
keeping the best weights (``early_stopping=True``, ``validation_fraction=0.1``,
``n_iter_no_change=5``); penalise large weights with an L2 term (``alpha``),
which trades a little training fit for a simpler model; or take smaller steps
(smaller ``lr``), which both slows the fitting of noise and removes the
epoch-to-epoch jumps. Softmax regression has only 7,850 parameters for 54,000
training images, so on all of them the effect is modest -- about one point of
test accuracy in the full run (``python examples/overfitting.py``: 0.8354 after
100 epochs, 0.8457 at the best validation epoch) -- but it is there, and the
remedies recover most of it.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from fashion_mnist import EpochAccuracy, EpochProgress
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sk_softmax import SoftmaxClassifier
from sk_softmax.datasets import fetch_fashion_mnist

QUICK_ROWS, QUICK_EPOCHS = 3_000, 40
DPI = 120
# One colour per data set, in every panel; the variants are told apart by panel.
CURVES = {
    "train_acc": ("training images", "tab:blue"),
    "valid_acc": ("validation images", "tab:orange"),
    "test_acc": ("test images", "tab:green"),
}
REFERENCE = dict(color="0.6", linestyle=":", linewidth=1.1)  # the first variant's test curve


def run(name, params, data, *, track_validation=True):
    """Fit one variant; return it with its per-epoch accuracies and fit time."""
    X_train, y_train, X_valid, y_valid, X_test, y_test = data
    callbacks = [EpochAccuracy(X_train, y_train, name="train_acc")]
    if track_validation:
        callbacks.append(EpochAccuracy(X_valid, y_valid, name="valid_acc"))
        X_fit, y_fit = X_train, y_train
    else:  # early stopping holds out its own validation set, recorded as valid_acc
        X_fit, y_fit = np.concatenate([X_train, X_valid]), np.concatenate([y_train, y_valid])
    callbacks.append(EpochAccuracy(X_test, y_test, name="test_acc"))
    callbacks.append(EpochProgress(params["max_epochs"], desc=name, columns=tuple(CURVES)))
    clf = SoftmaxClassifier(**params, callbacks=callbacks)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # The long runs have no stopping rule on purpose.
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_fit, y_fit)
    seconds = time.perf_counter() - start
    curves = {key: np.array(clf.history_[:, key]) for key in CURVES}
    return name, clf, curves, seconds


def plot(results, titles, path):
    """One panel per variant, sharing both axes; save it to ``path`` and return the figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        2, 2, figsize=(8.5, 6.8), sharex=True, sharey=True, layout="constrained"
    )
    reference = results[0][2]["test_acc"]
    for ax, (_, clf, curves, _), title in zip(axes.flat, results, titles, strict=True):
        if ax is not axes.flat[0]:
            ax.plot(
                np.arange(1, len(reference) + 1),
                reference,
                label="test images without a remedy (top-left panel), for comparison",
                **REFERENCE,
            )
        for key, (label, color) in CURVES.items():
            epochs = np.arange(1, len(curves[key]) + 1)
            ax.plot(epochs, curves[key], color=color, linewidth=1.3, label=label)
        if clf.early_stopping:
            kept = 1 + list(clf.validation_scores_).index(clf.best_validation_score_)
            ax.axvline(
                kept,
                color="black",
                linestyle="--",
                linewidth=1,
                label="epoch whose weights early stopping keeps",
            )
        ax.set_title(title, fontsize="medium")
        ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("epoch")
    for ax in axes[:, 0]:
        ax.set_ylabel("accuracy")
    fig.suptitle("Accuracy after every epoch, without and with each remedy")
    handles = {}
    for ax in axes.flat:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    order = [label for label, _ in CURVES.values()]
    labels = order + [label for label in handles if label not in order]
    fig.legend([handles[label] for label in labels], labels, loc="outside lower center", ncol=2)
    fig.savefig(path, dpi=DPI)
    return fig


def main(argv=None):
    """Run the four variants; return ``[(name, model, curves, fit seconds), ...]``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0] or None)
    parser.add_argument("--lr", type=float, default=0.01, help="Adam's learning rate")
    parser.add_argument("--max-epochs", type=int, help="epochs of each fit (default: 100)")
    parser.add_argument("--alpha", type=float, default=1e-4, help="L2 strength of the remedy")
    parser.add_argument("--small-lr", type=float, default=0.001, help="lr of the remedy")
    parser.add_argument(
        "--train-size",
        type=int,
        help="training images to use, a stratified subset (default: all 60,000)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_ROWS} training images and {QUICK_EPOCHS} epochs",
    )
    parser.add_argument(
        "--data-home",
        help="folder holding fashion-mnist/ (default: $SK_SOFTMAX_DATA, then sklearn's)",
    )
    parser.add_argument(
        "--plots", type=Path, metavar="DIR", help="save overfitting.png into DIR (e.g. docs/images)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random_state of split and models")
    args = parser.parse_args(argv)
    epochs = args.max_epochs or (QUICK_EPOCHS if args.quick else 100)
    train_size = args.train_size or (QUICK_ROWS if args.quick else None)

    X, y = fetch_fashion_mnist(subset="train", data_home=args.data_home, return_X_y=True)
    X_test, y_test = fetch_fashion_mnist(subset="test", data_home=args.data_home, return_X_y=True)
    if train_size is not None and train_size < len(X):
        X, _, y, _ = train_test_split(
            X, y, train_size=train_size, stratify=y, random_state=args.seed
        )
    X_train, X_valid, y_train, y_valid = train_test_split(
        X, y, test_size=0.1, stratify=y, random_state=args.seed
    )
    data = (X_train, y_train, X_valid, y_valid, X_test, y_test)
    print(
        f"Fashion-MNIST: {len(X_train)} training, {len(X_valid)} validation, "
        f"{len(X_test)} test images; four fits of up to {epochs} epochs",
        flush=True,
    )

    # Runs of a fixed length at a constant rate, without a penalty unless asked.
    long = dict(lr=args.lr, max_epochs=epochs, tol=0.0, n_iter_no_change=epochs)
    base = dict(
        optimizer="adam", batch_size=256, alpha=0.0, lr_schedule="constant", random_state=args.seed
    )
    results = [
        run(f"lr={args.lr}, {epochs} epochs", {**base, **long}, data),
        run(f"+ L2 alpha={args.alpha:g}", {**base, **long, "alpha": args.alpha}, data),
        run(f"lr={args.small_lr}", {**base, **long, "lr": args.small_lr}, data),
        run(
            "early stopping",
            {
                **base,
                "lr": args.lr,
                "max_epochs": epochs,
                "early_stopping": True,
                "validation_fraction": 0.1,
                "n_iter_no_change": 5,
            },
            data,
            track_validation=False,
        ),
    ]

    print(
        f"\n{'variant':<26} {'epochs':>6} {'train':>7} {'test':>7} {'best test':>15} {'fit s':>6}"
    )
    for name, clf, curves, seconds in results:
        test = clf.score(X_test, y_test)
        train = clf.score(X_train, y_train)
        best = curves["test_acc"].argmax()
        print(
            f"{name:<26} {clf.n_iter_:>6} {train:>7.4f} {test:>7.4f} "
            f"{curves['test_acc'][best]:>7.4f} (ep {best + 1:>2}) {seconds:>6.1f}"
        )
    _, _, curves, _ = results[0]
    chosen = curves["valid_acc"].argmax()
    print(
        f"\n{results[0][0]}: validation accuracy peaks at epoch {chosen + 1} "
        f"({curves['valid_acc'][chosen]:.4f}), where test accuracy is "
        f"{curves['test_acc'][chosen]:.4f}; the train-validation gap grows from "
        f"{curves['train_acc'][0] - curves['valid_acc'][0]:.4f} (epoch 1) to "
        f"{curves['train_acc'][-1] - curves['valid_acc'][-1]:.4f} (epoch {epochs})."
    )

    if args.plots is not None:
        args.plots.mkdir(parents=True, exist_ok=True)
        stopped = results[3][1].n_iter_
        titles = [
            f"No remedy: lr={args.lr}, {epochs} epochs",
            f"L2 penalty: alpha={args.alpha:g}, lr={args.lr}, {epochs} epochs",
            f"Smaller steps: lr={args.small_lr}, {epochs} epochs",
            f"Early stopping: lr={args.lr}, stopped after {stopped} epochs",
        ]
        plot(results, titles, args.plots / "overfitting.png")
    return results


if __name__ == "__main__":
    # Under a Jupyter kernel (the gallery's notebooks) sys.argv is the kernel's: no arguments.
    main([] if "ipykernel" in sys.modules else None)
