"""Model files that hold only data: ``dump`` and ``load`` without pickle.

A model file is a zip archive with two members: ``meta.json`` (format name and
version, the parameters, ``classes_``, ``n_features_in_``,
``feature_names_in_`` and the epoch history) and ``weights.safetensors`` (the
coefficients and intercepts). Reading one parses JSON and safetensors and
nothing else, so a file from a stranger cannot run code; everything in it is
checked before a model is built from it.
"""

import json
import math
import os
import re
import struct
import tempfile
import zipfile
import zlib

import numpy as np
import safetensors.numpy
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted
from skorch.history import History

from ._device import resolve_device
from ._estimator import SoftmaxClassifier

FORMAT_NAME = "sk_softmax.SoftmaxClassifier"
FORMAT_VERSION = 1

_META = "meta.json"
_WEIGHTS = "weights.safetensors"
_META_MAX_BYTES = 64 * 2**20
_MAX_EXPANSION = 200  # JSON compresses a few-fold; more than this is a zip bomb
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_CLASS_DTYPE = re.compile(r"[<>|=]?(b1|[iu][1248]|f[248]|U[0-9]{1,9}|O)")
_CLASS_KINDS = {"str": (str,), "int": (int,), "float": (float,), "bool": (bool,)}
_META_KEYS = {"format", "format_version", "sk_softmax_version", "params", "fitted"}
_FITTED_KEYS = {"classes", "n_features_in", "feature_names_in", "history"}
_CLASSES_KEYS = {"kind", "dtype", "values"}
_TRUST_HINT = (
    "sk_softmax.load reads only files written by sk_softmax.dump; it never unpickles. "
    "Open pickle or joblib files only if they come from a source you trust."
)


class _Refused(ValueError):
    """A model file that ``load`` will not read (an internal helper for messages)."""


def _optimizer_classes():
    """The optimizers a file may name: torch's own, keyed ``module:qualname``."""
    classes = {}
    for name in dir(torch.optim):
        candidate = getattr(torch.optim, name)
        if (
            isinstance(candidate, type)
            and issubclass(candidate, torch.optim.Optimizer)
            and candidate is not torch.optim.Optimizer
        ):
            classes[f"{candidate.__module__}:{candidate.__qualname__}"] = candidate
    return classes


# ------------------------------------------------------------------ dump


def dump(model: SoftmaxClassifier, path: str | os.PathLike) -> None:
    """Write ``model`` to ``path`` in a data-only format that :func:`load` reads.

    The file is a zip archive holding ``meta.json`` (parameters, classes,
    feature names, epoch history, format version) and ``weights.safetensors``
    (``coef_`` and ``intercept_``). Unlike a pickle, loading it never runs
    code, so model files can be shared and downloaded. The file is written
    to a temporary name next to ``path`` and renamed into place, so ``path``
    never holds half a model.

    Parameters
    ----------
    model : SoftmaxClassifier
        A fitted or unfitted model. Its parameters must be plain data:
        ``callbacks`` must be None (or empty), ``optimizer`` one of the
        strings or one of torch's own optimizer classes, ``random_state``
        None or an int.
    path : str or os.PathLike
        Where to write the file; an existing file is replaced.

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`SoftmaxClassifier`.
    ValueError
        If a parameter or the classes cannot be stored as data (e.g.
        skorch callbacks, a custom optimizer class): use pickle or joblib
        for such models.

    See Also
    --------
    load : Read a file written by ``dump``.

    Notes
    -----
    Per-batch losses of the history and the optimizer's internal state
    (e.g. Adam's moments) are not stored.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sk_softmax import SoftmaxClassifier
    >>> from sk_softmax import dump, load
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SoftmaxClassifier(lr=0.05, max_epochs=20, random_state=0).fit(X, y)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "iris-model.zip")
    ...     dump(clf, path)
    ...     restored = load(path)
    >>> bool((restored.predict_proba(X) == clf.predict_proba(X)).all())
    True
    """
    if type(model) is not SoftmaxClassifier:
        raise TypeError(
            f"dump writes SoftmaxClassifier models only, got {type(model).__name__}. "
            "Use pickle or joblib for other objects."
        )
    meta = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "sk_softmax_version": _package_version(),
        "params": {
            name: _encode_param(name, value) for name, value in model.get_params(deep=False).items()
        },
        "fitted": None,
    }
    members = {}
    try:
        check_is_fitted(model)
    except NotFittedError:
        pass
    else:
        meta["fitted"] = _encode_fitted(model)
        members[_WEIGHTS] = safetensors.numpy.save(
            {
                "coef": np.ascontiguousarray(model.coef_, dtype=np.float32),
                "intercept": np.ascontiguousarray(model.intercept_, dtype=np.float32),
            }
        )
    try:
        meta_bytes = json.dumps(meta, default=_json_default).encode("utf-8")
    except TypeError as exc:
        raise ValueError(f"The model holds data that JSON cannot store: {exc}") from exc
    members = {_META: meta_bytes, **members}
    _write_zip_atomically(os.fspath(path), members)


def _package_version():
    from . import __version__

    return __version__


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{value!r} of type {type(value).__name__} is not JSON data")


def _encode_param(name, value):
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if name == "optimizer" and isinstance(value, type):
        key = f"{value.__module__}:{value.__qualname__}"
        if _optimizer_classes().get(key) is not value:
            raise ValueError(
                f"optimizer={value!r} is not one of torch.optim's optimizers, and a "
                "data-only model file can only name those. Use pickle or joblib to "
                "save a model with a custom optimizer class."
            )
        return {"optimizer_class": key}
    if isinstance(value, torch.device):
        return {"torch_device": str(value)}
    if isinstance(value, dict) and all(_is_scalar(item) for pair in value.items() for item in pair):
        # JSON object keys are strings; pairs keep e.g. class_weight={0: 2.0} intact.
        return {"dict_items": [[_scalar(k), _scalar(v)] for k, v in value.items()]}
    if name == "callbacks" and isinstance(value, list) and not value:
        return []
    if name == "callbacks":
        raise ValueError(
            "callbacks holds skorch callback objects, which a data-only model file "
            "cannot store. Use pickle or joblib to save this model, or set "
            "callbacks=None before dump."
        )
    raise ValueError(
        f"The parameter {name}={value!r} (type {type(value).__name__}) cannot be stored "
        "in a data-only model file. Use pickle or joblib to save this model"
        + (", or set random_state to an int." if name == "random_state" else ".")
    )


def _is_scalar(value):
    return value is None or isinstance(value, (bool, int, float, str, np.generic))


def _scalar(value):
    return value.item() if isinstance(value, np.generic) else value


def _encode_fitted(model):
    classes = model.classes_
    fitted = {
        "classes": _encode_classes(classes),
        "n_features_in": int(model.n_features_in_),
        "feature_names_in": None,
        "history": [
            {key: value for key, value in epoch.items() if key != "batches"}
            for epoch in model.net_.history
        ],
    }
    if hasattr(model, "feature_names_in_"):
        fitted["feature_names_in"] = [str(name) for name in model.feature_names_in_]
    return fitted


def _encode_classes(classes):
    kinds = {"U": "str", "i": "int", "u": "int", "f": "float", "b": "bool"}
    if classes.dtype.kind in kinds:
        kind = kinds[classes.dtype.kind]
    elif classes.dtype.kind == "O" and all(isinstance(c, str) for c in classes):
        kind = "str"
    else:
        raise ValueError(
            f"classes_ of dtype {classes.dtype} cannot be stored in a data-only model "
            "file (strings, integers, floats or booleans can). Use pickle or joblib."
        )
    if not _CLASS_DTYPE.fullmatch(classes.dtype.str):
        raise ValueError(f"classes_ of dtype {classes.dtype} cannot be stored; use pickle.")
    convert = {"str": str, "int": int, "float": float, "bool": bool}[kind]
    values = [convert(c) for c in classes]
    dtype = classes.dtype
    if dtype.kind == "U":  # as wide as the longest label, which load checks
        dtype = np.asarray(values).dtype
    return {"kind": kind, "dtype": dtype.str, "values": values}


def _file_mode(path):
    """The mode ``open(path, "w")`` would leave: the replaced file's, else 0o666 less the umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def _write_zip_atomically(path, members):
    directory = os.path.dirname(os.path.abspath(path))
    handle, tmp_path = tempfile.mkstemp(prefix=".sk_softmax-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as file, zipfile.ZipFile(file, "w") as archive:
            for name, data in members.items():
                info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
                # Weights barely compress: stored as they are, they load faster.
                info.compress_type = (
                    zipfile.ZIP_STORED if name == _WEIGHTS else zipfile.ZIP_DEFLATED
                )
                archive.writestr(info, data)
        os.chmod(tmp_path, _file_mode(path))
        os.replace(tmp_path, path)
    except BaseException:
        os.unlink(tmp_path)
        raise


# ------------------------------------------------------------------ load


def load(path: str | os.PathLike, *, device=None) -> SoftmaxClassifier:
    """Read a model written by :func:`dump`, running no code from the file.

    The file is parsed as a zip archive of JSON and safetensors only; the
    format name and version, every key, the parameter values, the classes
    and the shapes and dtype of the weights are checked before the model is
    rebuilt. A fitted model predicts exactly as the one that was dumped, and
    ``get_params()`` returns the same parameters.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`dump`.
    device : str or torch.device, default=None
        Put the model on this device instead of the one it was dumped with,
        like ``map_location`` of :func:`torch.load`; its ``device`` parameter
        is set to it. E.g. ``device="cpu"`` reads a model trained on a GPU on a
        machine without one.

    Returns
    -------
    model : SoftmaxClassifier
        The model, fitted if it was fitted when dumped, on the device its
        ``device`` parameter names.

    Raises
    ------
    ValueError
        If the file is not a model file written by :func:`dump` (e.g. a
        pickle, a ``torch.save`` file, random or truncated bytes), was written
        by a newer format version, or holds unknown keys, invalid parameters
        or weights of the wrong shape. The message says which.
    OSError
        If the file cannot be opened.

    See Also
    --------
    dump : Write a model to a file.

    Examples
    --------
    >>> import os, tempfile
    >>> from sk_softmax import SoftmaxClassifier
    >>> from sk_softmax import dump, load
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "model.zip")
    ...     dump(SoftmaxClassifier(lr=0.01, optimizer="sgd"), path)
    ...     restored = load(path)
    >>> restored.get_params()["optimizer"]
    'sgd'
    """
    path = os.fspath(path)
    with open(path, "rb") as file:
        try:
            meta, weights = _read_members(file)
            if device is not None:
                meta["params"]["device"] = _encode_param("device", device)
            return _rebuild(meta, weights)
        except _Refused as exc:
            raise ValueError(f"Refusing to load {path!r}: {exc}") from None


def _read_members(file):
    head = file.read(4)
    file.seek(0)
    if not zipfile.is_zipfile(file):
        raise _Refused(f"not a model file written by sk_softmax.dump: {_describe(head)}.")
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = [info.filename for info in archive.infolist()]
            if any(name.rpartition("/")[2] == "data.pkl" for name in names):
                raise _Refused(
                    "it is a torch.save archive (a pickle inside a zip), not a file "
                    f"written by sk_softmax.dump. {_TRUST_HINT}"
                )
            if len(set(names)) != len(names) or _META not in names:
                raise _Refused(
                    f"it is a zip archive with members {sorted(names)[:10]}, not a "
                    f"model file written by sk_softmax.dump (which holds {_META!r} "
                    f"and {_WEIGHTS!r})."
                )
            meta = _parse_meta(_read_member(archive, _META, _META_MAX_BYTES))
            unknown = set(names) - {_META, _WEIGHTS}
            if unknown:
                raise _Refused(f"unknown members {sorted(unknown)} in the archive.")
            if meta.get("fitted") is None:
                if _WEIGHTS in names:
                    raise _Refused(f"an unfitted model must not hold {_WEIGHTS!r}.")
                return meta, None
            if _WEIGHTS not in names:
                raise _Refused(f"the fitted model's {_WEIGHTS!r} is missing.")
            limit = _weights_limit(meta["fitted"])
            return meta, _parse_weights(_read_member(archive, _WEIGHTS, limit))
    except _Refused:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        struct.error,
        NotImplementedError,
        RuntimeError,
        OverflowError,
        ValueError,
        OSError,  # e.g. a seek to a negative offset read from a damaged header
    ) as exc:
        raise _Refused(f"the archive is damaged or truncated ({exc}).") from None


def _describe(head):
    if head[:1] == b"\x80":
        return (
            "it starts like a pickle, and sk_softmax.load never unpickles. Open pickle or "
            "joblib files only if they come from a source you trust"
        )
    if head[:2] == b"PK":
        return "it starts like a zip archive but has no complete zip directory (truncated?)"
    return f"it is not a zip archive (it starts with {head!r})"


def _read_member(archive, name, limit):
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise _Refused(f"{name!r} is {info.file_size} bytes, more than the {limit} allowed.")
    if info.file_size > _MAX_EXPANSION * info.compress_size + 65536:
        raise _Refused(
            f"{name!r} would expand from {info.compress_size} to {info.file_size} bytes, "
            "far more than any model file does (a zip bomb?)."
        )
    with archive.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise _Refused(f"{name!r} is larger than the {limit} bytes allowed.")
    return data


def _parse_meta(data):
    try:
        meta = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise _Refused(f"{_META!r} is not valid JSON ({exc}).") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise _Refused(f"{_META!r} does not name the format {FORMAT_NAME!r}.")
    version = meta.get("format_version")
    if type(version) is not int or version < 1:
        raise _Refused(f"format_version must be a positive integer, got {version!r}.")
    if version > FORMAT_VERSION:
        raise _Refused(
            f"it was written in format version {version} by a newer sk_softmax "
            f"(version {meta.get('sk_softmax_version')!r}); this sk_softmax "
            f"({_package_version()}) reads format version {FORMAT_VERSION} and older. "
            "Upgrade sk_softmax to load it."
        )
    _check_keys(meta, _META_KEYS, "the file")
    if not isinstance(meta["params"], dict):
        raise _Refused("params must be a JSON object.")
    fitted = meta["fitted"]
    if fitted is not None:
        if not isinstance(fitted, dict):
            raise _Refused("fitted must be a JSON object or null.")
        _check_keys(fitted, _FITTED_KEYS, "fitted")
        n_features = fitted["n_features_in"]
        if type(n_features) is not int or n_features < 1:
            raise _Refused(f"n_features_in must be a positive integer, got {n_features!r}.")
        classes = fitted["classes"]
        if not isinstance(classes, dict):
            raise _Refused("classes must be a JSON object.")
        _check_keys(classes, _CLASSES_KEYS, "classes")
        if not isinstance(classes["values"], list) or len(classes["values"]) < 2:
            raise _Refused("classes must list at least 2 values.")
    return meta


def _check_keys(mapping, expected, where):
    unknown = set(mapping) - expected
    missing = expected - set(mapping)
    if unknown or missing:
        raise _Refused(
            f"{where} has unknown keys {sorted(unknown)} and lacks keys {sorted(missing)}."
            if unknown and missing
            else f"{where} has unknown keys {sorted(unknown)}."
            if unknown
            else f"{where} lacks keys {sorted(missing)}."
        )


def _weights_limit(fitted):
    n_values = len(fitted["classes"]["values"]) * (fitted["n_features_in"] + 1)
    return 4 * n_values + 4096


def _parse_weights(data):
    try:
        tensors = safetensors.numpy.load(data)
    except Exception as exc:  # safetensors raises its own SafetensorError
        raise _Refused(f"{_WEIGHTS!r} is not a valid safetensors file ({exc}).") from None
    if set(tensors) != {"coef", "intercept"}:
        raise _Refused(
            f"{_WEIGHTS!r} must hold exactly 'coef' and 'intercept', got {sorted(tensors)}."
        )
    return tensors


# --------------------------------------------------------------- rebuild


def _rebuild(meta, weights):
    params = _decode_params(meta["params"])
    model = SoftmaxClassifier(**params)
    try:
        model._validate_params()
    except ValueError as exc:
        raise _Refused(f"invalid parameters: {exc}") from None
    if meta["fitted"] is None:
        return model
    fitted = meta["fitted"]
    classes = _decode_classes(fitted["classes"])
    n_classes, n_features = len(classes), fitted["n_features_in"]
    coef, intercept = weights["coef"], weights["intercept"]
    for name, array, shape in (
        ("coef", coef, (n_classes, n_features)),
        ("intercept", intercept, (n_classes,)),
    ):
        if array.dtype != np.float32 or array.shape != shape:
            raise _Refused(
                f"the weights {name!r} are {array.dtype} of shape {array.shape}; "
                f"{n_classes} classes and {n_features} features need float32 of shape {shape}."
            )
        if not np.isfinite(array).all():
            raise _Refused(f"the weights {name!r} hold NaN or infinite values.")
    feature_names = fitted["feature_names_in"]
    if feature_names is not None and (
        not isinstance(feature_names, list)
        or len(feature_names) != n_features
        or not all(isinstance(name, str) for name in feature_names)
    ):
        raise _Refused(f"feature_names_in must be null or {n_features} strings.")
    history = fitted["history"]
    if not isinstance(history, list) or not all(isinstance(epoch, dict) for epoch in history):
        raise _Refused("history must be a list of JSON objects.")
    try:
        device = resolve_device(model.device)
    except ValueError as exc:
        raise _Refused(f"the model's device is not usable here: {exc}") from None
    if device.type not in ("cpu", "cuda", "mps"):
        raise _Refused(f"device={model.device!r} is not 'cpu', 'cuda', 'mps' or 'auto'.")
    try:
        _restore_fitted(model, classes, feature_names, coef, intercept, History(history), device)
    except RuntimeError as exc:  # e.g. a CUDA device ordinal this machine lacks
        raise _Refused(f"the model cannot be rebuilt on device={model.device!r}: {exc}") from None
    return model


def _decode_params(encoded):
    known = SoftmaxClassifier().get_params(deep=False)
    unknown = set(encoded) - set(known)
    if unknown:
        raise _Refused(f"unknown parameters {sorted(unknown)}.")
    params = {}
    for name, value in encoded.items():
        if isinstance(value, dict):
            value = _decode_object_param(name, value)
        elif isinstance(value, list):
            if name != "callbacks" or value:
                raise _Refused(f"parameter {name!r} cannot be a list.")
        params[name] = value
    return params


def _decode_object_param(name, value):
    if name == "optimizer" and set(value) == {"optimizer_class"}:
        key = value["optimizer_class"]
        allowed = _optimizer_classes()
        if key not in allowed:
            raise _Refused(
                f"optimizer {key!r} is not one of torch.optim's optimizers; a model "
                f"file may only name those ({', '.join(sorted(allowed))})."
            )
        return allowed[key]
    if set(value) == {"dict_items"}:
        pairs = value["dict_items"]
        if not isinstance(pairs, list) or not all(
            isinstance(pair, list)
            and len(pair) == 2
            and all(item is None or isinstance(item, (bool, int, float, str)) for item in pair)
            for pair in pairs
        ):
            raise _Refused(f"parameter {name!r} must be a list of [key, value] scalar pairs.")
        if len({json.dumps(key) for key, _ in pairs}) != len(pairs):
            raise _Refused(f"parameter {name!r} repeats a key.")
        return dict(pairs)
    if name == "device" and set(value) == {"torch_device"}:
        try:
            return torch.device(value["torch_device"])
        except (RuntimeError, TypeError, ValueError) as exc:
            raise _Refused(f"device {value['torch_device']!r} is not valid ({exc}).") from None
    raise _Refused(f"parameter {name!r} has an unsupported encoding {value!r}.")


def _decode_classes(encoded):
    kind, dtype_str, values = encoded["kind"], encoded["dtype"], encoded["values"]
    if kind not in _CLASS_KINDS:
        raise _Refused(f"classes kind must be one of {sorted(_CLASS_KINDS)}, got {kind!r}.")
    if not isinstance(dtype_str, str) or not _CLASS_DTYPE.fullmatch(dtype_str):
        raise _Refused(f"classes dtype {dtype_str!r} is not allowed.")
    python_types = _CLASS_KINDS[kind]
    if not all(type(v) in python_types for v in values):
        raise _Refused(f"classes of kind {kind!r} must all be JSON {kind} values.")
    if kind == "float" and not all(math.isfinite(v) for v in values):
        raise _Refused("float classes must be finite.")
    if len(set(values)) != len(values) or sorted(values) != values:
        raise _Refused("classes must be sorted and distinct.")
    code = _CLASS_DTYPE.fullmatch(dtype_str).group(1)  # e.g. "U12", "i8", "O"
    if code[0] not in {"str": "UO", "int": "iu", "float": "f", "bool": "b"}[kind]:
        raise _Refused(f"classes dtype {dtype_str!r} does not hold {kind} values.")
    longest = max([1] + [len(v) for v in values]) if kind == "str" else 0
    if code[0] == "U" and int(code[1:]) != longest:
        # Checked before numpy sees the dtype: its width decides what is allocated.
        raise _Refused(
            f"classes dtype {dtype_str!r} is not the width of its values (the longest "
            f"label has {longest} characters)."
        )
    dtype = np.dtype(dtype_str)
    try:
        if dtype.kind == "O":
            classes = np.empty(len(values), dtype=object)
            classes[:] = values
        else:
            classes = np.array(values, dtype=dtype)
    except (OverflowError, ValueError) as exc:
        raise _Refused(f"classes do not fit dtype {dtype_str!r} ({exc}).") from None
    if classes.tolist() != values:
        raise _Refused(f"classes do not fit dtype {dtype_str!r} exactly.")
    return classes


def _restore_fitted(model, classes, feature_names, coef, intercept, history, device):
    """Give ``model`` the fitted state of a net with the given weights.

    The net is built as ``fit`` builds it, with a fixed seed for its unused
    initialisation so that loading never draws from numpy's global random
    state, then initialised and given the stored weights and history.
    """
    seeded = clone(model).set_params(random_state=0)
    net = seeded._build_net(coef.shape[1], len(classes), device)
    net.initialize()
    state = {
        "linear.weight": torch.from_numpy(coef.copy()),
        "linear.bias": torch.from_numpy(intercept.copy()),
    }
    net.module_.load_state_dict(state, strict=True)
    net.history = history
    model.n_features_in_ = coef.shape[1]
    if feature_names is not None:
        model.feature_names_in_ = np.asarray(feature_names, dtype=object)
    model._set_fitted(net, classes)
