"""Fashion-MNIST loader: checksummed official files, parsed from IDX with numpy."""

import gzip
import os
from pathlib import Path

import numpy as np
from sklearn.datasets import get_data_home as _sklearn_data_home
from sklearn.utils import Bunch

from .._files import atomic_path
from .._upstream import StrOptions, validate_params

ENV_VAR = "SK_SOFTMAX_DATA"
FOLDER = "fashion-mnist"
_SUBSETS = {
    "train": [("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")],
    "test": [("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")],
}
_SUBSETS["all"] = _SUBSETS["train"] + _SUBSETS["test"]
_IMAGES_MAGIC = 0x00000803
_LABELS_MAGIC = 0x00000801

DESCR = """\
.. _fashion_mnist_dataset:

Fashion-MNIST
-------------

Zalando's article images: 28x28 grayscale pictures of clothing in 10 classes,
60,000 for training and 10,000 for testing, 6,000 and 1,000 per class.

**Data Set Characteristics:**

=================   ==========================================
Classes             10
Samples total       70,000 (train 60,000, test 10,000)
Dimensionality      784 (28x28 pixels)
Features            float32 in [0, 1]: pixel / 255
=================   ==========================================

``data`` holds the pixels divided by 255 in float32, exactly as torchvision's
``ToTensor`` scales them, flattened row by row; ``images`` is the same memory
as (n, 28, 28). ``target`` holds class indices 0-9 into ``target_names``:
T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag,
Ankle boot. Subset ``"all"`` is the training set followed by the test set.

The files are the official ``*-ubyte.gz`` files, checked against their MD5
checksums before use.

.. rubric:: References

* Han Xiao, Kashif Rasul, Roland Vollgraf. Fashion-MNIST: a Novel Image
  Dataset for Benchmarking Machine Learning Algorithms. arXiv:1708.07747, 2017.
  https://github.com/zalandoresearch/fashion-mnist
"""


def get_data_home(data_home=None) -> Path:
    """Return the folder that holds sk_softmax's data sets.

    Read more in the :ref:`User Guide <chapter>`.

    The first of: ``data_home``, the environment variable ``SK_SOFTMAX_DATA``,
    scikit-learn's data home (:func:`sklearn.datasets.get_data_home`, itself
    ``$SCIKIT_LEARN_DATA`` or ``~/scikit_learn_data``). ``~`` is expanded.
    Fashion-MNIST lives in its subfolder ``fashion-mnist/``.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder to use; None looks at the environment variable, then at
        scikit-learn's default.

    Returns
    -------
    data_home : pathlib.Path
        The folder (not created here, except by scikit-learn's fallback).

    Examples
    --------
    >>> from sk_softmax.datasets import get_data_home
    >>> get_data_home("/data").as_posix()
    '/data'
    """
    if data_home is None:
        data_home = os.environ.get(ENV_VAR) or _sklearn_data_home()
    return Path(os.path.expanduser(data_home))


def _torchvision():
    """torchvision's Fashion-MNIST: its mirrors, official files with their MD5s, class names."""
    from torchvision.datasets import FashionMNIST

    return FashionMNIST


def _download(filename, md5, folder):
    """Fetch ``filename`` into ``folder`` through torchvision, which checks its MD5.

    It lands in a temporary file renamed into place once complete and checked
    (:func:`atomic_path`), so an interrupted or corrupt download never looks
    like the file.
    """
    from torchvision.datasets.utils import download_url

    mirrors = _torchvision().mirrors
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / filename) as partial:
        for mirror in mirrors:
            try:
                download_url(mirror + filename, folder, filename=partial.name, md5=md5)
                break
            except (OSError, RuntimeError) as exc:  # urllib's URLError is an OSError
                error = exc
        else:
            raise OSError(
                f"Downloading {filename} from {', '.join(mirrors)} failed ({error}); the file "
                f"must have the official MD5 {md5}. Without a connection, put the official "
                f"files {', '.join(dict(_torchvision().resources))} in {folder}, or point "
                f"data_home or the environment variable {ENV_VAR} to a folder that holds "
                f"{FOLDER}/."
            ) from error


def _checked_path(filename, folder, download_if_missing):
    """Path of a copy of ``filename`` in ``folder`` with the official MD5, checked once."""
    from torchvision.datasets.utils import check_integrity

    path, md5 = folder / filename, dict(_torchvision().resources)[filename]
    if path.is_file():
        if not check_integrity(path, md5):
            raise OSError(
                f"{path} is corrupt or truncated: its MD5 checksum is not the official "
                f"{md5}, so it was not used. Delete {path} and call fetch_fashion_mnist "
                "again to re-download it."
            )
    elif download_if_missing:
        _download(filename, md5, folder)  # checked by the download itself
    else:
        raise OSError(
            f"Fashion-MNIST file {filename} not found in {folder}. Put the official files "
            f"{', '.join(dict(_torchvision().resources))} there (from "
            f"{_torchvision().mirrors[0]}), point data_home or the environment variable "
            f"{ENV_VAR} to the folder that holds {FOLDER}/, or pass download_if_missing=True."
        )
    return path


def _read_idx(path, magic):
    """Read an IDX file of unsigned bytes into an array of its stated shape."""
    raw = gzip.decompress(path.read_bytes())
    header_size = 4 * (1 + (magic & 0xFF))
    if len(raw) < header_size or int.from_bytes(raw[:4], "big") != magic:
        raise OSError(f"{path} is not an IDX file of the expected kind (magic {magic:#010x}).")
    header = np.frombuffer(raw, dtype=">u4", count=header_size // 4)
    shape = tuple(int(n) for n in header[1:])
    data = np.frombuffer(raw, dtype=np.uint8, offset=header.nbytes)
    if data.size != np.prod(shape):
        raise OSError(f"{path} holds {data.size} values, its header promises {shape}.")
    return data.reshape(shape)


@validate_params(
    {
        "subset": [StrOptions(set(_SUBSETS))],
        "data_home": [str, os.PathLike, None],
        "download_if_missing": ["boolean"],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def fetch_fashion_mnist(
    *, subset="train", data_home=None, download_if_missing=True, return_X_y=False
):
    """Load the Fashion-MNIST images (classification, 10 classes).

    Read more in the :ref:`User Guide <chapter>`.

    =================   =====================
    Classes                                10
    Samples total          70,000 (60k + 10k)
    Dimensionality                        784
    Features             float32 in [0, 1]
    =================   =====================

    The official files are looked for in ``<data_home>/fashion-mnist/`` and
    downloaded there when missing (from the official mirror, through
    torchvision's download utilities, written to a temporary file then renamed,
    so an interrupted download never leaves a file that looks complete). Every
    file is checked against its official MD5 checksum before it is used.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        The 60,000 training images, the 10,000 test images, or both (training
        first).
    data_home : str or path-like, default=None
        Folder that holds ``fashion-mnist/``. None uses the environment variable
        ``SK_SOFTMAX_DATA``, else scikit-learn's data home
        (``~/scikit_learn_data``); see :func:`get_data_home`.
    download_if_missing : bool, default=True
        Download missing files. If False, a missing file raises ``OSError``.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (n_samples, 784), dtype float32
            Pixels scaled to [0, 1] (``pixel / 255``, as torchvision's
            ``ToTensor``), one row per image.
        target : ndarray of shape (n_samples,), dtype int64
            Class indices 0-9.
        images : ndarray of shape (n_samples, 28, 28), dtype float32
            The same pixels as ``data`` (a view of the same memory).
        target_names : ndarray of shape (10,)
            The class names, ``target_names[target]`` names each image.
        DESCR : str
            Description of the data set.

    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    OSError
        A file is missing and ``download_if_missing`` is False; a file is
        corrupt or truncated (its name is given: delete it and call again to
        re-download it); or the download failed.

    Examples
    --------
    >>> from sk_softmax.datasets import fetch_fashion_mnist
    >>> X, y = fetch_fashion_mnist(return_X_y=True)  # doctest: +SKIP
    >>> X.shape, X.dtype, y.shape, y.dtype  # doctest: +SKIP
    ((60000, 784), dtype('float32'), (60000,), dtype('int64'))
    """
    folder = get_data_home(data_home) / FOLDER
    pixels, labels = [], []
    for images_file, labels_file in _SUBSETS[subset]:
        images_path = _checked_path(images_file, folder, download_if_missing)
        labels_path = _checked_path(labels_file, folder, download_if_missing)
        pixels.append(_read_idx(images_path, _IMAGES_MAGIC))
        labels.append(_read_idx(labels_path, _LABELS_MAGIC))
        if len(pixels[-1]) != len(labels[-1]):
            raise OSError(
                f"{images_path} holds {len(pixels[-1])} images but {labels_path} "
                f"holds {len(labels[-1])} labels."
            )
    raw = pixels[0] if len(pixels) == 1 else np.concatenate(pixels)
    images = np.divide(raw, np.float32(255), dtype=np.float32)
    data = images.reshape(len(images), -1)
    target = np.concatenate(labels).astype(np.int64)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        images=images,
        target_names=np.array(_torchvision().classes),
        DESCR=DESCR,
    )
