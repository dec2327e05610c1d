import gzip
import hashlib
import io
import os
import socket
import struct
import subprocess
import sys
import urllib.error
from types import SimpleNamespace

import numpy as np
import pytest
from torchvision.datasets import FashionMNIST

from sk_softmax.datasets import fetch_fashion_mnist, get_data_home

TRAIN_N, TEST_N = 6, 4
FILES = [name for name, _ in FashionMNIST.resources]
MIRROR = FashionMNIST.mirrors[0]


def _idx_gz(array, magic):
    header = struct.pack(f">{1 + array.ndim}I", magic, *array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes(), mtime=0)


def _tiny_files():
    """Official-format contents for a 6-image training set and a 4-image test set."""
    rng = np.random.RandomState(0)
    train_images = rng.randint(256, size=(TRAIN_N, 28, 28))
    test_images = rng.randint(256, size=(TEST_N, 28, 28))
    train_images[0, 0, :3] = [0, 255, 128]
    return (
        {
            "train-images-idx3-ubyte.gz": _idx_gz(train_images, 0x803),
            "train-labels-idx1-ubyte.gz": _idx_gz(np.arange(TRAIN_N) % 10, 0x801),
            "t10k-images-idx3-ubyte.gz": _idx_gz(test_images, 0x803),
            "t10k-labels-idx1-ubyte.gz": _idx_gz(np.array([9, 8, 7, 6]), 0x801),
        },
        train_images,
        test_images,
    )


@pytest.fixture
def served(monkeypatch):
    """The tiny files, with the loader's checksum table pointing at their MD5s."""
    contents, _, _ = _tiny_files()
    resources = [(name, hashlib.md5(content).hexdigest()) for name, content in contents.items()]
    monkeypatch.setattr(FashionMNIST, "resources", resources)
    monkeypatch.delenv("SK_SOFTMAX_DATA", raising=False)
    return contents


@pytest.fixture
def data_home(tmp_path, served):
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    for name, content in served.items():
        (folder / name).write_bytes(content)
    return tmp_path


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the loader tried to download")

    monkeypatch.setattr("torchvision.datasets.utils.download_url", refuse)


class _Response(io.BytesIO):
    def __init__(self, url, content):
        super().__init__(content)
        self.url, self.length = url, len(content)


@pytest.fixture
def fake_downloader(monkeypatch, served):
    """Serve the tiny files at the network boundary, under torchvision's real download_url.

    ``files`` maps a file name to the bytes served for it (the tiny files by
    default); the GET requests made are recorded in ``calls``.
    """
    calls, files = [], dict(served)

    def urlopen(request, *args, **kwargs):
        url = request.full_url
        if request.get_header("Method") != "HEAD":  # torchvision's redirect check
            calls.append(url)
        return _Response(url, files[url.rsplit("/", 1)[-1]])

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    return SimpleNamespace(calls=calls, files=files)


# ------------------------------------------------------------- contents


def test_bunch_holds_scaled_pixels_labels_and_names(data_home, no_network):
    _, train_images, _ = _tiny_files()
    bunch = fetch_fashion_mnist(data_home=data_home)
    assert bunch.data.shape == (TRAIN_N, 784) and bunch.data.dtype == np.float32
    assert bunch.images.shape == (TRAIN_N, 28, 28) and bunch.images.dtype == np.float32
    assert np.shares_memory(bunch.data, bunch.images)
    np.testing.assert_array_equal(bunch.images, train_images.astype(np.float32) / np.float32(255))
    np.testing.assert_array_equal(
        bunch.images[0, 0, :3], [0.0, 1.0, np.float32(128) / np.float32(255)]
    )
    assert bunch.target.dtype == np.int64
    np.testing.assert_array_equal(bunch.target, np.arange(TRAIN_N))
    assert list(bunch.target_names[:2]) == ["T-shirt/top", "Trouser"]
    assert len(bunch.target_names) == 10
    assert "Fashion-MNIST" in bunch.DESCR


def test_scaling_is_torchvision_to_tensor(data_home, no_network):
    from torchvision.transforms.functional import to_tensor

    _, train_images, _ = _tiny_files()
    expected = to_tensor(train_images[1].astype(np.uint8)).numpy().reshape(-1)
    X, _ = fetch_fashion_mnist(data_home=data_home, return_X_y=True)
    np.testing.assert_array_equal(X[1], expected)


@pytest.mark.parametrize(
    "subset, n, first_labels",
    [("train", TRAIN_N, [0, 1]), ("test", TEST_N, [9, 8]), ("all", TRAIN_N + TEST_N, [0, 1])],
)
def test_subset_and_return_X_y(data_home, no_network, subset, n, first_labels):
    X, y = fetch_fashion_mnist(subset=subset, data_home=data_home, return_X_y=True)
    assert X.shape == (n, 784) and y.shape == (n,)
    assert list(y[:2]) == first_labels


def test_all_is_train_then_test(data_home, no_network):
    train = fetch_fashion_mnist(subset="train", data_home=data_home)
    test = fetch_fashion_mnist(subset="test", data_home=data_home)
    both = fetch_fashion_mnist(subset="all", data_home=data_home)
    np.testing.assert_array_equal(both.data, np.concatenate([train.data, test.data]))
    np.testing.assert_array_equal(both.target, np.concatenate([train.target, test.target]))


def test_unknown_subset_is_refused(data_home):
    with pytest.raises(ValueError, match="subset"):
        fetch_fashion_mnist(subset="validation", data_home=data_home)


# ------------------------------------------------------- corrupt / missing


@pytest.mark.parametrize("name", ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz"])
def test_truncated_file_is_refused_by_name(data_home, no_network, name):
    path = data_home / "fashion-mnist" / name
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(OSError, match=rf"{name} is corrupt or truncated.*Delete"):
        fetch_fashion_mnist(data_home=data_home)


def test_altered_file_is_refused_by_name(data_home, no_network):
    path = data_home / "fashion-mnist" / "t10k-images-idx3-ubyte.gz"
    content = bytearray(path.read_bytes())
    content[-20] ^= 0xFF
    path.write_bytes(bytes(content))
    with pytest.raises(OSError, match="t10k-images-idx3-ubyte.gz is corrupt"):
        fetch_fashion_mnist(subset="all", data_home=data_home)
    fetch_fashion_mnist(subset="train", data_home=data_home)


def test_wrong_kind_of_idx_file_is_refused(data_home, served, monkeypatch, no_network):
    folder = data_home / "fashion-mnist"
    labels = served["train-labels-idx1-ubyte.gz"]
    (folder / "train-images-idx3-ubyte.gz").write_bytes(labels)
    md5 = hashlib.md5(labels).hexdigest()
    resources = dict(FashionMNIST.resources) | {"train-images-idx3-ubyte.gz": md5}
    monkeypatch.setattr(FashionMNIST, "resources", list(resources.items()))
    with pytest.raises(OSError, match="not an IDX file of the expected kind"):
        fetch_fashion_mnist(data_home=data_home)


def test_missing_file_without_download_says_where_it_looked(tmp_path, served):
    with pytest.raises(OSError, match="not found in") as info:
        fetch_fashion_mnist(data_home=tmp_path, download_if_missing=False)
    message = str(info.value)
    assert str(tmp_path / "fashion-mnist") in message
    assert "train-images-idx3-ubyte.gz" in message and "SK_SOFTMAX_DATA" in message
    assert not (tmp_path / "fashion-mnist").exists()


# -------------------------------------------------------------- download


def test_missing_files_are_downloaded_from_the_official_mirror(tmp_path, fake_downloader):
    X, y = fetch_fashion_mnist(subset="all", data_home=tmp_path, return_X_y=True)
    assert X.shape == (TRAIN_N + TEST_N, 784)
    assert sorted(os.listdir(tmp_path / "fashion-mnist")) == sorted(FILES)
    assert fake_downloader.calls == [MIRROR + name for name in FILES]

    fetch_fashion_mnist(subset="all", data_home=tmp_path)
    assert len(fake_downloader.calls) == len(FILES)


def test_only_the_missing_file_is_downloaded(data_home, fake_downloader):
    (data_home / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    fetch_fashion_mnist(subset="test", data_home=data_home)
    assert fake_downloader.calls == [MIRROR + "t10k-labels-idx1-ubyte.gz"]


@pytest.mark.parametrize(
    "error, raised", [(KeyboardInterrupt, KeyboardInterrupt), (ConnectionResetError, OSError)]
)
def test_interrupted_download_leaves_no_file(tmp_path, served, monkeypatch, error, raised):
    def download_url(url, root, filename=None, md5=None):
        with open(os.path.join(root, filename), "wb") as file:
            file.write(served["train-images-idx3-ubyte.gz"][:100])
        raise error

    monkeypatch.setattr("torchvision.datasets.utils.download_url", download_url)
    with pytest.raises(raised):
        fetch_fashion_mnist(data_home=tmp_path)
    assert os.listdir(tmp_path / "fashion-mnist") == []


def test_offline_download_says_how_to_provide_the_files(tmp_path, monkeypatch):
    def urlopen(*args, **kwargs):
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    # The real torchvision download_url, with no network underneath it.
    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    with pytest.raises(OSError, match="Downloading .* failed .*put the official files") as info:
        fetch_fashion_mnist(data_home=tmp_path)
    assert "SK_SOFTMAX_DATA" in str(info.value)
    assert os.listdir(tmp_path / "fashion-mnist") == []


def test_download_with_wrong_checksum_is_not_kept(tmp_path, fake_downloader):
    fake_downloader.files["train-images-idx3-ubyte.gz"] = b"<html>mirror moved</html>"
    with pytest.raises(OSError, match="train-images-idx3-ubyte.gz.*official MD5"):
        fetch_fashion_mnist(data_home=tmp_path)
    assert os.listdir(tmp_path / "fashion-mnist") == []


def test_torchvision_checksum_failure_becomes_oserror(tmp_path, served, monkeypatch):
    def download_url(url, root, filename=None, md5=None):
        raise RuntimeError("File not found or corrupted.")

    monkeypatch.setattr("torchvision.datasets.utils.download_url", download_url)
    with pytest.raises(OSError, match="Downloading train-images-idx3-ubyte.gz from .* failed"):
        fetch_fashion_mnist(data_home=tmp_path)
    assert os.listdir(tmp_path / "fashion-mnist") == []


# ------------------------------------------------------------- data home


def test_data_home_argument_beats_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SK_SOFTMAX_DATA", str(tmp_path / "env"))
    assert get_data_home(tmp_path / "arg") == tmp_path / "arg"


def test_environment_beats_scikit_learn_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SK_SOFTMAX_DATA", str(tmp_path / "env"))
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "sklearn"))
    assert get_data_home() == tmp_path / "env"


def test_scikit_learn_data_home_is_the_fallback(tmp_path, monkeypatch):
    monkeypatch.delenv("SK_SOFTMAX_DATA", raising=False)
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "sklearn"))
    assert get_data_home() == tmp_path / "sklearn"


def test_user_folder_is_expanded(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert get_data_home("~/data") == tmp_path / "data"


def test_fetch_reads_the_environment_variable(data_home, monkeypatch, no_network):
    monkeypatch.setenv("SK_SOFTMAX_DATA", str(data_home))
    X, _ = fetch_fashion_mnist(subset="test", return_X_y=True)
    assert X.shape == (TEST_N, 784)


def test_import_does_not_load_torchvision():
    code = (
        "import sys, sk_softmax, sk_softmax.datasets; "
        "assert 'torchvision' not in sys.modules, 'torchvision imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------- official files (integration)


def _official_data_home():
    """``$SK_SOFTMAX_DATA`` when it holds the four official files.

    Skips when it does not, except under ``CI=true`` where the files are
    required and their absence fails the test.
    """
    home = os.environ.get("SK_SOFTMAX_DATA")
    folder = get_data_home(home) / "fashion-mnist" if home else None
    if folder is not None and all((folder / name).is_file() for name in FILES):
        return home
    reason = (
        f"the official Fashion-MNIST files are not in {folder}"
        if folder is not None
        else "SK_SOFTMAX_DATA is not set"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true requires the Fashion-MNIST files, but {reason}.")
    pytest.skip(reason)


@pytest.mark.parametrize(
    "ci, outcome", [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_missing_official_files_fail_under_ci(tmp_path, monkeypatch, ci, outcome):
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("SK_SOFTMAX_DATA", str(tmp_path))
    with pytest.raises(outcome):
        _official_data_home()
    monkeypatch.delenv("SK_SOFTMAX_DATA")
    with pytest.raises(outcome):
        _official_data_home()


def test_official_files():
    home = _official_data_home()
    train = fetch_fashion_mnist(subset="train", data_home=home, download_if_missing=False)
    X_test, y_test = fetch_fashion_mnist(
        subset="test", data_home=home, download_if_missing=False, return_X_y=True
    )
    assert train.data.shape == (60000, 784) and train.images.shape == (60000, 28, 28)
    assert X_test.shape == (10000, 784)
    assert train.data.dtype == np.float32 and train.target.dtype == np.int64
    assert train.data.min() == 0.0 and train.data.max() == 1.0
    np.testing.assert_array_equal(np.bincount(train.target), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [1000] * 10)
    assert list(train.target[:3]) == [9, 0, 0] and list(y_test[:3]) == [9, 2, 1]
    assert train.target_names[train.target[0]] == "Ankle boot"
