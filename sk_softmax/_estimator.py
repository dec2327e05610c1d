"""SoftmaxClassifier: multinomial logistic regression trained by skorch."""

from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ._checks import (
    TorchDevice,
    check_object_labels,
    check_partial_fit,
    check_validation_split,
    encode,
)
from ._history import History
from ._prediction import LinearSoftmaxMixin
from ._recipe import data_size, recipe, row_weights
from ._threads import torch_threads
from ._upstream import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
)


@contextmanager
def _restored_on_error(estimator):
    """Put ``estimator.__dict__`` back as it was if the block raises."""
    saved = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(saved)
        raise


class SoftmaxClassifier(LinearSoftmaxMixin, ClassifierMixin, BaseEstimator):
    """Softmax (multinomial logistic) regression trained with PyTorch through skorch.

    Read more in the :ref:`User Guide <model>`.

    The model is one linear layer, ``logits = X @ coef_.T + intercept_``,
    trained by full-batch L-BFGS or minibatch gradient descent (see
    ``optimizer``) on the cross-entropy of the logits, the loss of
    :class:`torch.nn.CrossEntropyLoss` written out with its log-sum-exp
    trick; the softmax is applied only when probabilities are asked for. Training runs
    in a :class:`skorch.NeuralNetClassifier`, kept as ``net_``, so skorch
    callbacks, devices and histories work as in skorch.

    An epoch is one pass over the training data, for every optimizer: one row
    of ``history_``, counted by ``n_iter_`` and bounded by ``max_epochs``. A
    minibatch optimizer takes a step per batch in a pass; L-BFGS evaluates
    the loss and its gradient on all the rows once per pass (a line-search
    trial included).

    Parameters
    ----------
    lr : float or "auto", default="auto"
        Initial learning rate of the minibatch optimizers (see
        ``lr_schedule``); for ``optimizer="lbfgs"``, the step each line
        search tries first. ``"auto"`` is 0.03 for SGD and Adam and 1 for
        L-BFGS, and leaves the choice of optimizer to ``optimizer="auto"``; a
        given ``lr`` always trains with an optimizer that uses it.
    max_epochs : int, default=300
        Most passes over the training data (for L-BFGS, evaluations of the
        loss); training stops earlier once it has converged (see ``tol``).
        ``max_epochs=3`` gives three epochs unless training converged first.
    batch_size : int or "auto", default="auto"
        Rows per minibatch. ``"auto"`` takes ``4 * sqrt(n_samples)``, but at
        most ``n_samples / 8`` (at least eight steps per epoch), clipped to
        [16, 4096]: few, large batches where the data is large, where each
        step is cheap per row, and enough steps per epoch where it is small.
        ``partial_fit`` applies it to the rows of each call. A value larger
        than the number of samples trains full-batch (the parameter itself is
        left unchanged). L-BFGS always trains on all the rows.
    optimizer : {"auto", "adam", "sgd", "lbfgs"} or subclass of \
            torch.optim.Optimizer, default="auto"
        The optimizer. ``"auto"`` takes full-batch L-BFGS only where ``lr`` is
        ``"auto"`` too, for the rows of each ``fit``, on data that is small (at
        most 1,000,000 stored values: rows x features, or the non-zeros of
        sparse ``X``) or tall (at least 100 rows per feature), as long as rows
        x classes stays within 10,000,000; else, and wherever ``lr`` is given,
        Adam. Measured on 14 data sets (:ref:`defaults`): where the time goes
        into many small steps, or the problem is well determined, L-BFGS
        converges in a few dozen passes to ``LogisticRegression``'s optimum;
        on large, wide data Adam's minibatches converge in fewer passes.
        ``partial_fit`` trains with a minibatch optimizer (``"auto"`` is Adam
        there, and ``"lbfgs"`` is refused: a line search cannot span chunks of
        different rows). ``"lbfgs"`` ends training on its own convergence
        test: no gradient entry above ``tol / 10`` (``LogisticRegression``'s
        ``tol`` by default), or an iteration that lowers the loss by less than
        float32 can show; ``n_iter_no_change`` and ``lr_schedule`` do not
        apply to it, and a fit that runs out of epochs in the middle of a line
        search keeps its last accepted point. A class (any subclass of
        :class:`torch.optim.Optimizer`) is built with the model's parameters
        and ``lr``; ``torch.optim.LBFGS`` trains full-batch.
    momentum : float, default=0.0
        Momentum for ``optimizer="sgd"``; ignored by the other optimizers.
    alpha : float or "auto", default="auto"
        Strength of the L2 penalty ``alpha / 2 * ||coef_||^2`` added to the
        (weighted) mean cross-entropy. The intercept is not penalised.
        ``LogisticRegression(C=C)`` minimises ``C * sum(loss) + ||coef_||^2 / 2``;
        dividing by ``C * n_samples`` shows it is the same objective as
        ``alpha = 1 / (C * n_samples)`` (with sample weights, ``n_samples``
        becomes their sum). ``"auto"`` is ``1 / n_samples_seen_``:
        ``LogisticRegression()``'s ``C=1.0`` on the data seen so far (for
        ``partial_fit``, all the rows of all its calls).
    init_std : float, default=0.01
        Initial weights are drawn from ``N(0, init_std**2)``; the intercept
        starts at zero.
    tol : float, default=1e-3
        Relative improvement that counts: an epoch improves when its mean
        training loss falls below ``(1 - tol)`` times the best so far. After
        ``n_iter_no_change`` epochs in a row without an improvement, the loss
        has reached a plateau (see ``lr_schedule``). A relative threshold
        means the same whatever the scale of the loss. L-BFGS converges once
        no gradient entry exceeds ``tol / 10``. If ``max_epochs`` runs out
        before training converged, a ``ConvergenceWarning``
        (:class:`~sk_softmax.MaxEpochsWarning`) is raised.
    n_iter_no_change : int, default=2
        Epochs without an improvement that make a plateau.
    lr_schedule : {"adaptive", "constant"}, default="adaptive"
        ``"adaptive"``: at each of the first two plateaus the learning rate
        is divided by 10 (a minibatch optimizer stalls at a noise floor set by
        its step size; a smaller step gets below it), and the third plateau
        ends training, converged. ``"constant"``: ``lr`` stays, and the first
        plateau ends training. Each epoch's rate is in ``history_[:, "lr"]``.
        ``partial_fit`` always uses ``lr``; L-BFGS keeps its ``lr``.
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the training data
        (skorch's ``ValidSplit``), watch the validation accuracy instead of
        the training loss (same ``tol``, ``n_iter_no_change`` and
        ``lr_schedule``), and restore the weights of the best epoch.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping`` is on.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, ``{label: weight}`` (missing
        labels weigh 1) or ``"balanced"`` (``n_samples / (n_classes *
        count)``, as in scikit-learn). Multiplied with ``sample_weight``.
    warm_start : bool, default=False
        With True, ``fit`` continues from the current weights for up to
        ``max_epochs`` more epochs (the labels must be among ``classes_``).
    n_threads : int, "auto" or None, default="auto"
        CPU threads for training (torch's intra-op threads) and, when an int,
        prediction (numpy's BLAS, through threadpoolctl); set for the call
        and restored after it, in the calling thread only. ``"auto"`` times
        batches with one thread and with torch's thread count, trains on
        with the faster, and probes again after a slow epoch and every 2
        seconds of training: all cores on an idle machine, one thread beside
        busy work. numpy's BLAS is held to one thread during training. None
        leaves torch's setting as it is (all cores, or what a joblib/loky
        worker was limited to). The thread count changes speed only, never
        the model: every sum over a minibatch's rows is taken in chunks of a
        fixed shape, each on one thread, so the same data and
        ``random_state`` give the identical model whatever the threads, the
        load, the thread or process the fit runs in, and the dtype or layout
        of ``X``. Not covered: GPUs (CUDA and MPS kernels choose their own
        reduction order) and optimizer classes from outside torch.
    device : str, default="cpu"
        Where to train and predict: ``"cpu"``, ``"cuda"``, ``"cuda:N"``,
        ``"mps"``, or ``"auto"`` (CUDA when available). The data is moved to
        the device once and sliced there.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks, passed to the net. They are copied at ``fit``,
        so the instances given here are never modified.
    verbose : int, default=0
        0 prints nothing. 1 prints a table of the epochs and why training
        stopped, with a progress bar where the output is a terminal.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights and the order of the minibatches, through
        private generators: the same integer gives bit-identical models, and
        torch's global random state is never used. With None a seed is drawn
        from numpy's global random state, as in scikit-learn.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` had string column names.
    net_ : skorch.NeuralNetClassifier
        The skorch net that trained the model in this process;
        ``net_.module_`` is the torch module. A model loaded from a file has
        none: its fitted attributes are plain values, and ``warm_start`` or
        ``partial_fit`` train on from its weights and history.
    coef_ : ndarray of shape (n_classes, `n_features_in_`), float64
        The trained weights, one row of logit weights per class (also for two
        classes). Predictions are ``X @ coef_.T + intercept_`` in float64.
    intercept_ : ndarray of shape (n_classes,), float64
        The bias of each class's logit.
    n_samples_seen_ : int or float
        Rows the model has learned from: those of the last ``fit``, each
        counted with its weight (``sample_weight`` times ``class_weight``),
        plus the rows of every ``partial_fit`` call since. ``alpha="auto"`` is
        its inverse, which makes the objective ``LogisticRegression()``'s.
    n_iter_ : int
        Number of epochs actually run: ``len(history_)``.
    loss_curve_ : list of float
        Mean training loss (penalty included) of each epoch.
    best_loss_ : float
        The smallest value in ``loss_curve_``.
    validation_scores_ : list of float or None
        Validation accuracy of each epoch with ``early_stopping``, else None.
    best_validation_score_ : float or None
        The best of ``validation_scores_``, whose weights the model holds.
    history_ : History
        One dict per epoch (``epoch``, ``train_loss``, ``lr``, ``dur``, the
        validation scores and the batches), indexed as skorch's history is:
        ``history_[:, "train_loss"]``, ``history_[-1, "valid_acc"]``. Plain
        values: a model loaded from a file answers them without torch.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The same model, fit by a
        deterministic solver.
    sklearn.neural_network.MLPClassifier : Neural networks trained by SGD or
        Adam in numpy.

    Notes
    -----
    The defaults were chosen by measurement, side by side with
    ``LogisticRegression()`` on data sets of very different sizes
    (``benchmarks/bench_defaults.py``; its table is on the defaults page of
    the user guide): ``optimizer="auto"`` trains small and tall data with
    full-batch L-BFGS, to ``LogisticRegression()``'s optimum
    (``alpha="auto"`` is its ``C=1.0``), and large, wide data with Adam on
    minibatches of ``batch_size="auto"`` rows, whose learning rate drops
    tenfold at each of the first two plateaus of the training loss. A given
    ``lr`` trains with Adam on any data, so that a search over ``lr`` and
    ``max_epochs`` changes the model with every value. The
    settings of the book chapter this model comes from (d2l.ai, section 3.7:
    minibatch SGD, ``lr=0.1``, 10 epochs, no penalty, 0.82-0.83 test accuracy
    on Fashion-MNIST) are one call away::

        SoftmaxClassifier(lr=0.1, max_epochs=10, batch_size=256, optimizer="sgd",
                          alpha=0.0, lr_schedule="constant", init_std=0.01)

    Torch trains the model; predictions are computed like scikit-learn's
    linear models, in float64 with numpy, so a row's scores do not depend on
    the batch it comes in. A ``fit`` or ``partial_fit`` call that fails, or is
    interrupted (Ctrl-C propagates, with a warning naming the epoch and
    batch), leaves the model as it was before the call, optimizer state
    included. A callback that raises ``KeyboardInterrupt`` at the end of an
    epoch (skorch's way to stop, as its ``EarlyStopping`` does) ends training
    normally.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sk_softmax import SoftmaxClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SoftmaxClassifier(random_state=0).fit(X, y)
    >>> clf.predict(X[:3])
    array([0, 0, 0])
    >>> clf.predict_proba(X[:1]).shape
    (1, 3)
    """

    _parameter_constraints: dict = {
        "lr": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "optimizer": [StrOptions({"auto", "adam", "sgd", "lbfgs"}), type],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "init_std": [Interval(Real, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "lr_schedule": [StrOptions({"adaptive", "constant"})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "warm_start": ["boolean"],
        "n_threads": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"}), None],
        "device": [str, TorchDevice],
        "callbacks": [list, None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        lr="auto",
        max_epochs=300,
        batch_size="auto",
        optimizer="auto",
        momentum=0.0,
        alpha="auto",
        init_std=0.01,
        tol=1e-3,
        n_iter_no_change=2,
        lr_schedule="adaptive",
        early_stopping=False,
        validation_fraction=0.1,
        class_weight=None,
        warm_start=False,
        n_threads="auto",
        device="cpu",
        callbacks=None,
        verbose=0,
        random_state=None,
    ):
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.momentum = momentum
        self.alpha = alpha
        self.init_std = init_std
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.n_threads = n_threads
        self.device = device
        self.callbacks = callbacks
        self.verbose = verbose
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the model on ``X`` and ``y``.

        Starts from a fresh initialisation, or with ``warm_start=True`` from
        the current weights (running up to ``max_epochs`` more epochs).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Converted to float32 once (no copy when it already
            is C-contiguous float32); sparse input stays sparse.
        y : array-like of shape (n_samples,)
            Class labels of any type (ints, strings, ...), at least two classes.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss; multiplied by the
            ``class_weight`` of each sample's class.

        Returns
        -------
        self : SoftmaxClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch over ``X`` and ``y``, continuing from the current weights.

        For data that arrives in chunks or does not fit in memory. Early
        stopping does not apply; every call is one pass over the given data,
        with the current parameters (``lr``, ``alpha``, ... may change between
        calls) and, while the optimizer stays the same, its state (e.g. Adam's
        moments) carried over. ``optimizer="auto"`` is Adam here, whatever the
        size of the chunk (a ``fit`` before may have taken L-BFGS: the stream
        then starts a fresh Adam state from its weights). Sample and class
        weights are taken as they are here, not rescaled per call, so that a
        heavier chunk takes larger steps.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,)
            Its labels; each must be one of ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every label the model will see. Required on the first call,
            optional afterwards (it must then equal ``classes_``).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : SoftmaxClassifier
            The updated estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, classes=classes, incremental=True)

    def _fit(self, X, y, *, sample_weight=None, classes=None, incremental):
        """The one training path of ``fit``, ``warm_start`` and ``partial_fit``.

        ``partial_fit`` runs one epoch, takes sample weights as they are and
        carries the optimizer's state over; ``fit`` runs up to ``max_epochs``,
        from scratch or (``warm_start``) from the current weights. A call that
        raises leaves the estimator exactly as it was.
        """
        from ._batches import ArrayDataset
        from ._device import resolve_device
        from ._training import build_net, fitted_history, stop_reason, train, warn_if_not_converged

        with _restored_on_error(self), torch_threads(self.n_threads):
            fitted = hasattr(self, "coef_")
            if incremental:
                check_partial_fit(self, classes)
            going_on = fitted and (incremental or self.warm_start)
            X, y = self._validate_data(X, y, reset=not going_on)
            if incremental or going_on:  # the classes are known: partial_fit's or fit's
                y_encoded = encode(y, self.classes_)
            else:
                self.classes_, y_encoded = np.unique(y, return_inverse=True)
                if len(self.classes_) < 2:
                    raise ValueError(
                        "SoftmaxClassifier needs samples of at least 2 classes in y; "
                        f"got 1 class: {self.classes_[0]!r}."
                    )
            n_classes = len(self.classes_)
            if self.early_stopping and not incremental:
                check_validation_split(self.validation_fraction, y_encoded, n_classes)
            if sample_weight is not None:
                sample_weight = _check_sample_weight(
                    sample_weight, X, dtype=np.float64, ensure_non_negative=True
                )
            weights, total_weight = row_weights(
                sample_weight, self.class_weight, self.classes_, y_encoded, rescale=not incremental
            )
            if incremental:  # weights are taken as they are: rows count
                seen = len(y) + (self.n_samples_seen_ if going_on else 0)
            else:  # weights are rescaled to mean 1: rows count by their weight
                seen = total_weight
            params = self.get_params(deep=False)
            size = data_size(X, n_classes)
            fit_recipe = recipe(params, [params], size, [seen], incremental=incremental)
            dataset = ArrayDataset(X, y_encoded, weights, device=resolve_device(self.device))
            net = build_net(params, fit_recipe, X.shape[1], n_classes, dataset.device)
            previous = self._training_so_far() if going_on else None
            epochs = 1 if incremental else None
            epochs_run = train(net, dataset, y_encoded, previous=previous, epochs=epochs)
            net.history.record("n_samples_seen", seen)
            if not incremental:
                if self.verbose:
                    print(stop_reason(net, params, epochs_run))
                warn_if_not_converged(net, params)
            linear = net.module_.linear
            self._set_weights(
                linear.weight.detach().cpu().numpy(),
                linear.bias.detach().cpu().numpy(),
                fitted_history(net),
            )
            self.net_ = net
        return self

    def _training_so_far(self):
        """What a warm start or the next ``partial_fit`` goes on from: the weights and
        history, and the net that trained them where there is one (its minibatch
        order and optimizer state)."""
        return self.coef_, self.intercept_, self.history_, self.__dict__.get("net_")

    def _set_weights(self, coef, intercept, history):
        """Become fitted with these weights and epoch history (plain values).

        ``classes_`` and the feature attributes are the caller's to set; a net
        that trained the model is the caller's to keep as ``net_``.
        """
        self.__dict__.pop("net_", None)
        self.coef_ = np.asarray(coef, dtype=np.float64)
        self.intercept_ = np.asarray(intercept, dtype=np.float64)
        self.history_ = History(history)
        self.n_iter_ = len(self.history_)
        self.n_samples_seen_ = self.history_[-1].get("n_samples_seen")
        self.loss_curve_ = [float(loss) for loss in self.history_[:, "train_loss"]]
        self.best_loss_ = min(self.loss_curve_)
        validated = any("valid_acc" in epoch for epoch in self.history_)
        self.validation_scores_ = (
            [float(epoch.get("valid_acc", np.nan)) for epoch in self.history_]
            if validated
            else None
        )
        scores = self.validation_scores_
        self.best_validation_score_ = None if scores is None else float(np.nanmax(scores))

    def _validate_data(self, X, y, *, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=np.float32,
            order="C",
            reset=reset,
        )
        check_object_labels(y)
        check_classification_targets(y)
        return X, y
