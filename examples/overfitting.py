"""Overfitting on Fashion-MNIST, and what helps (d2l 3.7, exercise 2).

Trains ``SoftmaxClassifier`` for many epochs with a large learning rate (Adam,
lr 0.01, 100 epochs, no stopping rule) while recording the accuracy on the
training images, on a held-out validation set (10 % of the training set,
stratified) and on the test set after every epoch. Then it trains the same
model with each remedy and prints every variant's final test accuracy::

    python examples/overfitting.py --data-home ../shared/data --plots docs

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
training images, so the effect is modest -- a few tenths of a point to one
point of test accuracy -- but it is there, and the remedies recover it.
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
from fashion_mnist import EpochAccuracy
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sk_softmax import SoftmaxClassifier
from sk_softmax.datasets import fetch_fashion_mnist


def run(name, params, data, *, track_validation=True):
    """Fit one variant; return it with its per-epoch accuracies and fit time."""
    X_train, y_train, X_valid, y_valid, X_test, y_test = data
    callbacks = [EpochAccuracy(X_train, y_train, name="train_acc")]
    if track_validation:
        callbacks.append(EpochAccuracy(X_valid, y_valid, name="valid_acc"))
        X_fit, y_fit = X_train, y_train
    else:
        X_fit, y_fit = np.concatenate([X_train, X_valid]), np.concatenate([y_train, y_valid])
    callbacks.append(EpochAccuracy(X_test, y_test, name="test_acc"))
    clf = SoftmaxClassifier(**params, callbacks=callbacks)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # The long runs have no stopping rule on purpose.
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_fit, y_fit)
    seconds = time.perf_counter() - start
    curves = {key: np.array(clf.history_[:, key]) for key in ("train_acc", "valid_acc", "test_acc")}
    return name, clf, curves, seconds


def plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    name, _, curves, _ = results[0]
    epochs = np.arange(1, len(curves["train_acc"]) + 1)
    for key, label in [("train_acc", "train"), ("valid_acc", "validation"), ("test_acc", "test")]:
        left.plot(epochs, curves[key], label=label)
    left.set_title(f"{name}: train vs validation")
    for name, _, curves, _ in results:
        right.plot(np.arange(1, len(curves["test_acc"]) + 1), curves["test_acc"], label=name)
    right.set_title("test accuracy per epoch, with each remedy")
    for ax in (left, right):
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy")
        ax.legend(fontsize="small")
    fig.savefig(path, dpi=72)
    plt.close(fig)
    print(f"wrote {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lr", type=float, default=0.01, help="Adam's learning rate")
    parser.add_argument("--max-epochs", type=int, default=100)
    parser.add_argument("--alpha", type=float, default=1e-4, help="L2 strength of the remedy")
    parser.add_argument("--small-lr", type=float, default=0.001, help="lr of the remedy")
    parser.add_argument(
        "--data-home",
        help="folder holding fashion-mnist/ (default: $SK_SOFTMAX_DATA, then sklearn's)",
    )
    parser.add_argument("--plots", type=Path, metavar="DIR", help="write overfitting.png into DIR")
    parser.add_argument("--seed", type=int, default=0, help="random_state of split and models")
    args = parser.parse_args(argv)

    X, y = fetch_fashion_mnist(subset="train", data_home=args.data_home, return_X_y=True)
    X_test, y_test = fetch_fashion_mnist(subset="test", data_home=args.data_home, return_X_y=True)
    X_train, X_valid, y_train, y_valid = train_test_split(
        X, y, test_size=0.1, stratify=y, random_state=args.seed
    )
    data = (X_train, y_train, X_valid, y_valid, X_test, y_test)
    print(
        f"Fashion-MNIST: {len(X_train)} training, {len(X_valid)} validation, "
        f"{len(X_test)} test images"
    )

    epochs = args.max_epochs
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
        plot(results, args.plots / "overfitting.png")


if __name__ == "__main__":
    main()
