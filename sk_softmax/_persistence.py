"""Model files that hold only data: ``dump`` and ``load`` without pickle.

A model file is one safetensors file: the tensors ``coef``, ``intercept`` and
``classes`` (string labels as UTF-32 code points, numpy's own layout), and in
its metadata a JSON document (the format name and version, the parameters,
``feature_names_in_``, the epoch history) and a SHA-256 of that document's
text and of the tensors together, so that no changed byte of either goes
unnoticed. Loading parses safetensors, which checks every tensor's size
against the bytes present, and JSON, nothing else: a file from a stranger
runs no code.
"""

import hashlib
import json
import os
import re
import sys

import numpy as np
import safetensors
import safetensors.numpy

from ._estimator import SoftmaxClassifier
from ._files import atomic_path
from ._version import __version__

FORMAT_NAME = "sk_softmax.SoftmaxClassifier"
FORMAT_VERSION = 3
_DOCUMENT_KEYS = {"format", "format_version", "sk_softmax_version", "params", "fitted"}
_FITTED_KEYS = {"object_classes", "feature_names_in", "history"}
_ENVELOPE_KEYS = {"description", "sha256"}


class _Refused(ValueError):
    """A model file that ``load`` will not read."""


def _require(condition, message):
    if not condition:
        raise _Refused(message)


def dump(model: SoftmaxClassifier, path: str | os.PathLike) -> None:
    """Write ``model`` to ``path`` in a data-only format that :func:`load` reads.

    Read more in the :ref:`User Guide <persistence>`.

    Loading the file never runs code, so model files can be shared. It is
    written to a temporary name next to ``path`` and renamed into place, with
    the mode ``open()`` would give it (or that of the file it replaces).
    Per-batch losses and the optimizer's state are not stored.

    Parameters
    ----------
    model : SoftmaxClassifier
        A fitted or unfitted model whose parameters are plain data:
        ``callbacks`` None or empty, ``optimizer`` a string or a class of
        ``torch.optim``, ``random_state`` None or an int.
    path : str or os.PathLike
        Where to write the file; an existing file is replaced.

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`SoftmaxClassifier`.
    ValueError
        If a parameter or the classes cannot be stored as data (e.g. skorch
        callbacks): use pickle or joblib for such models.

    See Also
    --------
    load : Read a file written by ``dump``; its example shows both.
    """
    if type(model) is not SoftmaxClassifier:
        raise TypeError(
            f"dump writes SoftmaxClassifier models only, got {type(model).__name__}. "
            "Use pickle or joblib for other objects."
        )
    params = {name: _encode_param(name, v) for name, v in model.get_params(deep=False).items()}
    document = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "params": params}
    document.update(sk_softmax_version=__version__, fitted=None)
    tensors = {}
    if hasattr(model, "coef_"):
        classes = model.classes_
        object_classes = classes.dtype == object and all(isinstance(c, str) for c in classes)
        classes = classes.astype(str) if object_classes else classes
        if classes.dtype.byteorder == ">":  # stored little-endian, as safetensors' tensors are
            classes = classes.astype(classes.dtype.newbyteorder("<"))
        if classes.dtype.kind not in "biufU":
            raise ValueError(
                f"classes_ of dtype {classes.dtype} cannot be stored in a data-only model file "
                "(strings, integers, floats or booleans can). Use pickle or joblib."
            )
        if classes.dtype.kind == "U":
            classes = classes.view(np.uint32).reshape(len(classes), -1)
        tensors = {
            "coef": np.ascontiguousarray(model.coef_, dtype=np.float32),
            "intercept": np.ascontiguousarray(model.intercept_, dtype=np.float32),
            "classes": np.ascontiguousarray(classes),
        }
        document["fitted"] = {
            "object_classes": bool(object_classes),
            "feature_names_in": [str(n) for n in getattr(model, "feature_names_in_", [])] or None,
            "history": [{k: v for k, v in e.items() if k != "batches"} for e in model.history_],
        }
    try:
        text = json.dumps(document, default=lambda v: _plain(v, strict=True))
    except TypeError as exc:
        raise ValueError(f"The model holds data that JSON cannot store: {exc}") from exc
    # One metadata entry (safetensors writes several in no fixed order): the
    # description's text and the checksum of that text and the tensors.
    envelope = {"description": text, "sha256": _checksum(text, tensors)}
    data = safetensors.numpy.save(tensors, metadata={"model": json.dumps(envelope)})
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def _plain(value, strict=False):
    """A numpy scalar as a Python one; with ``strict``, anything else is refused."""
    if isinstance(value, np.generic):
        return value.item()
    if strict:
        raise TypeError(f"{value!r} of type {type(value).__name__} is not JSON data")
    return value


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_scalar(value):
    return value is None or isinstance(value, (bool, int, float, str))


def _encode_param(name, value):
    value = _plain(value)
    if _is_scalar(value) or (name == "callbacks" and value == []):
        return value
    torch = sys.modules.get("torch")  # without torch imported, no value is torch's
    optim = getattr(torch, "optim", None)
    if name == "optimizer" and getattr(optim, getattr(value, "__name__", ""), 0) is value:
        return {"torch.optim": value.__name__}
    if torch is not None and isinstance(value, torch.device):
        return {"torch.device": str(value)}
    if isinstance(value, dict):
        pairs = [[_plain(k), _plain(v)] for k, v in value.items()]
        if all(_is_scalar(item) for pair in pairs for item in pair):
            return {"dict": pairs}  # JSON object keys are strings; pairs keep {0: 2.0} intact
    raise ValueError(
        f"The parameter {name}={value!r} (type {type(value).__name__}) cannot be stored in a "
        "data-only model file (callbacks, optimizers from outside torch.optim and "
        "RandomState instances cannot). Use pickle or joblib to save this model."
    )


def _optimizer(name):
    import torch

    optimizer = getattr(torch.optim, str(name), None)
    if isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
        if optimizer is not torch.optim.Optimizer:
            return optimizer
    raise ValueError(f"{name!r} is not an optimizer of torch.optim")


def _scalar_dict(pairs):
    _require(
        all(len(pair) == 2 and all(map(_is_scalar, pair)) for pair in pairs)
        and len({json.dumps(key) for key, _ in pairs}) == len(pairs),
        "a dict parameter must be distinct [key, value] pairs of scalars.",
    )
    return dict(pairs)


_DEVICE = re.compile(r"(cpu|cuda|mps)(:[0-9]+)?|auto")


def _device(name):
    import torch

    return torch.device(name)


_DECODERS = {"torch.optim": _optimizer, "torch.device": _device, "dict": _scalar_dict}


def _checksum(text, tensors):
    """SHA-256 of the description's text and of every tensor's name, dtype, shape and bytes."""
    digest = hashlib.sha256(text.encode())
    for name, array in sorted(tensors.items()):
        digest.update(f"{name}{array.dtype.str}{array.shape}".encode() + array.tobytes())
    return digest.hexdigest()


def load(path: str | os.PathLike, *, device=None) -> SoftmaxClassifier:
    """Read a model written by :func:`dump`, running no code from the file.

    Read more in the :ref:`User Guide <persistence>`.

    The checksum of the whole content (description and tensors), the format
    name and version, every key, the parameters, the classes and the shapes
    and dtypes of the tensors are checked before the model is rebuilt; it
    predicts exactly as the model that was dumped.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`dump`.
    device : str or torch.device, default=None
        Put the model on this device instead of its own, like ``map_location``
        of :func:`torch.load` (e.g. ``"cpu"`` for a model trained on a GPU).

    Returns
    -------
    model : SoftmaxClassifier
        The model, fitted if it was fitted when dumped.

    Raises
    ------
    ValueError
        If the file is not what :func:`dump` writes in this format version (a
        pickle, a ``torch.save`` file, random, truncated or damaged bytes, a
        description or tensors changed without their checksum); the message
        says why. The checksum is no signature: whoever can write a file can
        write any model into it (loading it still runs no code), so trust a
        model file as much as its source.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sk_softmax import SoftmaxClassifier, dump, load
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SoftmaxClassifier(lr=0.05, max_epochs=20, random_state=0).fit(X, y)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     dump(clf, os.path.join(folder, "iris.safetensors"))
    ...     restored = load(os.path.join(folder, "iris.safetensors"))
    >>> bool((restored.predict_proba(X) == clf.predict_proba(X)).all())
    True
    """
    path = os.fspath(path)
    with open(path, "rb") as file:
        head = file.read(2)
    try:
        try:
            with safetensors.safe_open(path, framework="numpy") as file:
                metadata = file.metadata() or {}
                tensors = {name: file.get_tensor(name) for name in file.keys()}
        except Exception as exc:  # safetensors raises its own SafetensorError
            raise _Refused(f"{_describe(head)} ({exc}).") from None
        try:
            document = _checked_description(metadata, tensors)
            _require(set(document) == _DOCUMENT_KEYS, f"it needs the keys {_DOCUMENT_KEYS}.")
            if device is not None:
                document["params"]["device"] = _encode_param("device", device)
            return _rebuild(document["params"], document["fitted"], tensors)
        except _Refused:
            raise
        except Exception as exc:  # whatever a malformed description makes fail is a refusal
            raise _Refused(f"{type(exc).__name__}: {exc}") from None
    except _Refused as exc:
        raise ValueError(f"Refusing to load {path!r}: {exc}") from None


def _checked_description(metadata, tensors):
    """The description of a model file whose checksum matches, parsed; else refused.

    Files of format 2 and older hold the description itself, without the
    checksum: they are refused by their version.
    """
    envelope = json.loads(metadata.get("model", "null")) if set(metadata) == {"model"} else None
    signed = isinstance(envelope, dict) and "description" in envelope
    document = envelope
    if signed:
        _require(
            set(envelope) == _ENVELOPE_KEYS
            and isinstance(envelope["description"], str)
            and envelope["sha256"] == _checksum(envelope["description"], tensors),
            "its SHA-256 does not match its content: the file is damaged or was changed.",
        )
        document = json.loads(envelope["description"])
    _require(
        isinstance(document, dict) and document.get("format") == FORMAT_NAME,
        f"it is a safetensors file but not a {FORMAT_NAME} model file.",
    )
    version = document.get("format_version")
    _require(
        version == FORMAT_VERSION,
        f"it is in format version {version!r}; sk_softmax {__version__} reads version "
        f"{FORMAT_VERSION}. Load it with the sk_softmax that wrote it, or refit.",
    )
    _require(signed, "it has no SHA-256 of its content.")
    return document


def _describe(head):
    if head[:1] == b"\x80":
        return "it is a pickle, and sk_softmax.load never unpickles"
    if head == b"PK":
        return (
            "it is a zip archive: a torch.save file, or a model file of sk_softmax 0.1 "
            "(format 1), which this version no longer reads (fit the model again)"
        )
    return "it is not a model file written by sk_softmax.dump"


def _rebuild(params, fitted, tensors):
    """The model ``params`` and ``fitted`` describe; any malformed value raises."""
    _require(isinstance(params, dict), "params must be a JSON object.")
    for name, value in params.items():
        _require(not isinstance(value, list) or value == [], f"{name!r} cannot be a list.")
        if isinstance(value, dict):
            (key, item), *rest = value.items()
            _require(key in _DECODERS and not rest, f"{name!r} has no known encoding {value!r}")
            params[name] = _DECODERS[key](item)
    model = SoftmaxClassifier(**params)
    model._validate_params()
    _require(
        _DEVICE.fullmatch(str(model.device)) is not None,  # a torch.device prints as its name
        f"device {str(model.device)!r} is not one SoftmaxClassifier trains on "
        "('cpu', 'cuda', 'cuda:N', 'mps' or 'auto').",
    )
    expected = {"coef", "intercept", "classes"} if fitted is not None else set()
    _require(set(tensors) == expected, f"it holds tensors {sorted(tensors)}, not {expected}.")
    if fitted is None:
        return model
    _require(set(fitted) == _FITTED_KEYS, f"fitted needs the keys {sorted(_FITTED_KEYS)}.")
    coef, intercept, classes = tensors["coef"], tensors["intercept"], _decode_classes(tensors)
    n_classes, n_features = len(classes), coef.shape[-1] if coef.ndim == 2 else 0
    _require(
        coef.dtype == intercept.dtype == np.float32
        and coef.shape == (n_classes, n_features) != (n_classes, 0)
        and intercept.shape == (n_classes,)
        and np.isfinite(coef).all()
        and np.isfinite(intercept).all(),
        f"coef {coef.dtype} {coef.shape} and intercept {intercept.dtype} {intercept.shape} "
        f"are not finite float32 weights for {n_classes} classes.",
    )
    names, history = fitted["feature_names_in"], fitted["history"]
    _require(
        names is None or (isinstance(names, list) and list(map(type, names)) == [str] * n_features),
        f"feature_names_in must be null or {n_features} strings.",
    )
    _require(
        isinstance(history, list)
        and history
        and all(
            isinstance(e, dict) and type(e.get("epoch")) is int and _is_number(e.get("train_loss"))
            for e in history
        ),
        "history must list the epochs, each with an integer epoch and a number train_loss.",
    )
    _require(
        fitted["object_classes"] in (classes.dtype.kind == "U", False),
        "object_classes must be false, or true for string classes.",
    )
    model.classes_ = classes.astype(object) if fitted["object_classes"] else classes
    model.n_features_in_ = n_features
    if names is not None:
        model.feature_names_in_ = np.asarray(names, dtype=object)
    model._set_weights(coef, intercept, history)
    return model


def _decode_classes(tensors):
    stored = tensors["classes"]
    if stored.dtype == np.uint32 and stored.ndim == 2:  # UTF-32 code points
        _require(stored.size and stored.max() <= 0x10FFFF, "the string classes are no text.")
        stored = np.ascontiguousarray(stored).view(f"<U{stored.shape[1]}")[:, 0]
    _require(
        stored.ndim == 1 and stored.dtype.kind in "biufU" and len(stored) >= 2,
        f"classes must hold at least 2 labels, got {stored.dtype} of shape {stored.shape}.",
    )
    finite = stored.dtype.kind != "f" or np.isfinite(stored).all()
    _require(
        finite and np.array_equal(np.unique(stored), stored),
        "classes must be sorted, distinct and finite.",
    )
    return stored
