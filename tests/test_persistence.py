import json
import os
import pickle
import struct
import zipfile

import numpy as np
import pandas as pd
import pytest
import safetensors
import safetensors.numpy
import torch
from sklearn.datasets import load_iris
from skorch.callbacks import EpochScoring

from sk_softmax import SoftmaxClassifier
from sk_softmax._persistence import FORMAT_NAME, FORMAT_VERSION, dump, load

FAST = dict(lr=0.05, max_epochs=5, random_state=0)


class _TouchOnUnpickle:
    """Unpickling an instance creates ``marker``: the classic ``__reduce__`` payload."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').close()",))


def assert_same_predictions(a, b, X):
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert a.predict(X).dtype == b.predict(X).dtype
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.decision_function(X), b.decision_function(X))
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.intercept_, b.intercept_)
    assert a.classes_.dtype == b.classes_.dtype


def round_trip(model, tmp_path):
    path = tmp_path / "model.safetensors"
    dump(model, path)
    return load(path)


def read_file(path):
    with safetensors.safe_open(path, framework="numpy") as file:
        return file.metadata(), {name: file.get_tensor(name) for name in file.keys()}


def write_file(path, metadata, tensors):
    path.write_bytes(safetensors.numpy.save(tensors, metadata=metadata))


def description(metadata):
    return json.loads(json.loads(metadata["model"])["description"])


def signed(document, tensors):
    """The metadata of a model file holding ``document``, with the checksum dump writes."""
    from sk_softmax._persistence import _checksum

    text = json.dumps(document)
    return {"model": json.dumps({"description": text, "sha256": _checksum(text, tensors)})}


def tampered_document(path, change):
    """Change the description, and write it with a matching checksum (a well-formed file)."""
    metadata, tensors = read_file(path)
    document = description(metadata)
    change(document)
    write_file(path, signed(document, tensors), tensors)


def raw_safetensors(header, data=b""):
    """A file with a hand-written safetensors header, whatever it claims."""
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


@pytest.fixture(scope="module")
def iris_model(iris):
    X, y = iris
    return SoftmaxClassifier(**FAST).fit(X, y)


@pytest.fixture
def model_file(iris_model, tmp_path):
    path = tmp_path / "model.safetensors"
    dump(iris_model, path)
    return path


# ----------------------------------------------------------- round trip


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["setosa", "versicolor", "virginica"]),
        np.array(["a", "bb", "ccc"], dtype=object),
        np.array([3, 7, 42]),
        np.array([-1, 0, 100], dtype=np.int8),
        np.array([2**40, 2**41, 2**62], dtype=np.uint64),
        np.array([-1.0, 0.0, 2.0]),
        np.array([1.0, 2.0, 3.0], dtype=np.float16),
        np.array([True, False]),
    ],
    ids=["str", "object-str", "int", "int8", "uint64", "float", "float16", "bool"],
)
def test_round_trip_predicts_identically(iris, tmp_path, labels):
    X, y = iris
    y = labels[y % len(labels)]
    model = SoftmaxClassifier(**FAST).fit(X, y)
    restored = round_trip(model, tmp_path)
    assert_same_predictions(model, restored, X)
    assert restored.get_params() == model.get_params()
    assert restored.score(X, y) == model.score(X, y)


def test_a_loaded_model_saves_again_as_the_same_model(iris, tmp_path):
    X, y = iris
    model = SoftmaxClassifier(**FAST).fit(X, y)
    loaded = round_trip(model, tmp_path)
    again = round_trip(loaded, tmp_path)
    assert_same_predictions(model, again, X)
    assert again.history_[:, "train_loss"] == model.history_[:, "train_loss"]


def test_round_trip_keeps_pandas_feature_names(iris, tmp_path):
    X, y = iris
    frame = pd.DataFrame(X, columns=["sepal length", "sepal width", "petal length", "w"])
    model = SoftmaxClassifier(**FAST).fit(frame, y)
    restored = round_trip(model, tmp_path)
    np.testing.assert_array_equal(restored.feature_names_in_, model.feature_names_in_)
    assert restored.feature_names_in_.dtype == object
    assert_same_predictions(model, restored, frame)
    with pytest.warns(UserWarning, match="feature names"):
        restored.predict(X)


def test_round_trip_binary_decision_function(iris, tmp_path):
    X, y = iris
    model = SoftmaxClassifier(**FAST).fit(X, y == 2)
    restored = round_trip(model, tmp_path)
    assert restored.decision_function(X).shape == (len(X),)
    assert_same_predictions(model, restored, X)
    assert not hasattr(restored, "feature_names_in_")


def test_round_trip_keeps_history_and_parameters(iris, tmp_path):
    X, y = iris
    model = SoftmaxClassifier(
        lr=0.02,
        max_epochs=4,
        batch_size=16,
        optimizer=torch.optim.AdamW,
        alpha=1e-3,
        tol=0.5,
        n_iter_no_change=2,
        early_stopping=True,
        validation_fraction=0.2,
        device=torch.device("cpu"),
        callbacks=[],
        verbose=False,
        random_state=np.int64(3),
    ).fit(X, y)
    restored = round_trip(model, tmp_path)
    assert restored.get_params() == model.get_params()
    assert restored.optimizer is torch.optim.AdamW
    assert restored.n_iter_ == model.n_iter_
    assert restored.loss_curve_ == model.loss_curve_
    assert restored.validation_scores_ == model.validation_scores_
    assert_same_predictions(model, restored, X)


def test_round_trip_keeps_dict_parameters(iris, tmp_path):
    X, y = iris
    names = np.array(["a", "b", "c"])[y]
    for labels, class_weight in ((y, {0: 2.0, np.int64(1): 1, 2: 0.5}), (names, {"a": 3.0})):
        model = SoftmaxClassifier(class_weight=class_weight, **FAST).fit(X, labels)
        restored = round_trip(model, tmp_path)
        assert restored.get_params() == model.get_params()
        assert [type(key) for key in restored.class_weight] == [
            type(key.item() if isinstance(key, np.generic) else key) for key in class_weight
        ]
        assert_same_predictions(model, restored, X)


def test_unfitted_round_trip(tmp_path):
    model = SoftmaxClassifier(lr=0.01, optimizer="sgd", momentum=0.9)
    restored = round_trip(model, tmp_path)
    assert restored.get_params() == model.get_params()
    assert not hasattr(restored, "net_")


def test_loaded_model_can_be_pickled_refit_and_trained_further(iris, iris_model, tmp_path):
    X, y = iris
    restored = round_trip(iris_model, tmp_path)
    assert_same_predictions(pickle.loads(pickle.dumps(restored)), iris_model, X)
    restored.partial_fit(X, y)
    assert restored.n_iter_ == iris_model.n_iter_ + 1
    assert restored.fit(X, y).score(X, y) == iris_model.score(X, y)


def test_dump_is_deterministic_and_replaces_atomically(iris_model, tmp_path):
    first, second = tmp_path / "a.safetensors", tmp_path / "b.safetensors"
    dump(iris_model, first)
    dump(iris_model, second)
    assert first.read_bytes() == second.read_bytes()
    dump(SoftmaxClassifier(), second)
    assert sorted(os.listdir(tmp_path)) == ["a.safetensors", "b.safetensors"]


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_dump_creates_files_with_the_umask_mode_like_open(tmp_path, umask):
    old = os.umask(umask)
    try:
        dump(SoftmaxClassifier(), tmp_path / "model.safetensors")
        with open(tmp_path / "plain", "w"):
            pass
    finally:
        os.umask(old)
    mode = os.stat(tmp_path / "model.safetensors").st_mode & 0o777
    assert mode == os.stat(tmp_path / "plain").st_mode & 0o777 == 0o666 & ~umask


def test_dump_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "model.safetensors"
    dump(SoftmaxClassifier(), path)
    os.chmod(path, 0o640)
    dump(SoftmaxClassifier(lr=0.5), path)
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert load(path).lr == 0.5


# ------------------------------------------------- what dump refuses


def test_dump_refuses_callbacks(iris, tmp_path):
    X, y = iris
    model = SoftmaxClassifier(callbacks=[EpochScoring("accuracy")], **FAST)
    with pytest.raises(ValueError, match="callbacks.*pickle or joblib"):
        dump(model, tmp_path / "m.safetensors")
    with pytest.raises(ValueError, match="callbacks"):
        dump(model.fit(X, y), tmp_path / "m.safetensors")
    assert not list(tmp_path.iterdir())


def test_dump_refuses_custom_optimizer_and_random_state_instance(tmp_path):
    class MyAdam(torch.optim.Adam):
        pass

    with pytest.raises(ValueError, match="optimizer.*outside torch.optim"):
        dump(SoftmaxClassifier(optimizer=MyAdam), tmp_path / "m.safetensors")
    with pytest.raises(ValueError, match="random_state.*RandomState instances cannot"):
        dump(SoftmaxClassifier(random_state=np.random.RandomState(0)), tmp_path / "m.safetensors")


def test_dump_refuses_classes_that_are_not_plain_data(iris, tmp_path):
    X, y = iris
    dates = np.array(["2020-01-01", "2021-01-01", "2022-01-01"], dtype="datetime64[D]")
    model = SoftmaxClassifier(**FAST).fit(X, dates[y])
    with pytest.raises(ValueError, match="classes_ of dtype datetime64.*pickle or joblib"):
        dump(model, tmp_path / "m.safetensors")


def test_dump_refuses_other_objects(tmp_path):
    class Sub(SoftmaxClassifier):
        pass

    for obj in (Sub(), {"coef": 1}):
        with pytest.raises(TypeError, match="SoftmaxClassifier models only"):
            dump(obj, tmp_path / "m.safetensors")


# ------------------------------------------- crafted files run nothing


def test_malicious_pickle_is_refused_and_runs_nothing(iris_model, tmp_path):
    marker = tmp_path / "pwned"
    control = tmp_path / "control"
    pickle.loads(pickle.dumps(_TouchOnUnpickle(control)))
    assert control.exists(), "the payload must be live for this test to mean anything"

    path = tmp_path / "model.safetensors"
    path.write_bytes(pickle.dumps(_TouchOnUnpickle(marker)))
    with pytest.raises(ValueError, match="is a pickle.*never unpickles"):
        load(path)
    path.write_bytes(pickle.dumps({"model": iris_model, "payload": _TouchOnUnpickle(marker)}))
    with pytest.raises(ValueError, match="never unpickles"):
        load(path)
    assert not marker.exists()


def test_torch_file_with_arbitrary_object_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.safetensors"
    torch.save({"state": _TouchOnUnpickle(marker)}, path)
    with pytest.raises(ValueError, match=r"zip archive: a torch\.save file"):
        load(path)
    torch.save({"linear.weight": torch.zeros(3, 4)}, path)
    with pytest.raises(ValueError, match=r"zip archive: a torch\.save file"):
        load(path)
    assert not marker.exists()


def test_payload_in_the_model_description_runs_nothing(model_file, tmp_path):
    marker = tmp_path / "pwned"
    metadata, tensors = read_file(model_file)
    payload = pickle.dumps(_TouchOnUnpickle(marker)).decode("latin-1")
    write_file(model_file, {"model": payload}, tensors)
    with pytest.raises(ValueError, match="JSON"):
        load(model_file)
    assert not marker.exists()


def test_random_bytes_and_empty_file_are_refused(tmp_path):
    path = tmp_path / "model.safetensors"
    rng = np.random.default_rng(0)
    for size in (0, 1, 3, 22, 100, 10_000):
        path.write_bytes(rng.bytes(size))
        with pytest.raises(ValueError, match="Refusing to load"):
            load(path)


def test_every_truncation_is_refused(model_file):
    data = model_file.read_bytes()
    for size in range(len(data)):
        model_file.write_bytes(data[:size])
        with pytest.raises(ValueError, match="Refusing to load"):
            load(model_file)


def test_no_flipped_bit_loads_as_another_model(iris, tmp_path):
    # Every bit of a small model file, flipped alone: the file is refused, or
    # (a bit of the header's padding, say) loads as the very model it held.
    X, y = iris
    model = SoftmaxClassifier(max_epochs=2, random_state=0).fit(X[:, :2], y)
    path = tmp_path / "small.safetensors"
    dump(model, path)
    data, loaded = path.read_bytes(), 0
    for bit in range(8 * len(data)):
        damaged = bytearray(data)
        damaged[bit // 8] ^= 1 << (bit % 8)
        path.write_bytes(bytes(damaged))
        try:
            same = load(path)
        except ValueError as exc:
            assert str(exc).startswith("Refusing to load")
            continue
        loaded += 1
        assert same.get_params() == model.get_params()
        assert list(same.history_) == list(model.history_)
        assert_same_predictions(same, model, X[:, :2])
    assert loaded < len(data)  # the flips that load are a few bytes' worth at most


def test_a_changed_description_without_its_checksum_is_refused(model_file):
    metadata, tensors = read_file(model_file)
    envelope = json.loads(metadata["model"])
    envelope["description"] = envelope["description"].replace('"lr": 0.05', '"lr": 1.05')
    write_file(model_file, {"model": json.dumps(envelope)}, tensors)
    with pytest.raises(ValueError, match="SHA-256 does not match its content"):
        load(model_file)


def test_files_without_the_checksum_are_refused_by_their_version(model_file):
    metadata, tensors = read_file(model_file)
    document = description(metadata)
    document["format_version"] = 2  # what sk_softmax 0.3 wrote: the description alone
    write_file(model_file, {"model": json.dumps(document)}, tensors)
    with pytest.raises(ValueError, match="format version 2; .* reads version 3"):
        load(model_file)
    document["format_version"] = FORMAT_VERSION
    write_file(model_file, {"model": json.dumps(document)}, tensors)
    with pytest.raises(ValueError, match="no SHA-256 of its content"):
        load(model_file)


@pytest.mark.parametrize("version", [FORMAT_VERSION + 1, 1, "3"])
def test_other_format_versions_are_refused(model_file, version):
    tampered_document(model_file, lambda d: d.update(format_version=version))
    with pytest.raises(ValueError, match=f"format version {version!r}.*reads version 3"):
        load(model_file)


def test_model_files_of_version_0_1_are_refused_with_a_reason(tmp_path):
    path = tmp_path / "model.zip"
    with zipfile.ZipFile(path, "w") as archive:  # what sk_softmax 0.1 wrote
        archive.writestr("meta.json", json.dumps({"format": FORMAT_NAME, "format_version": 1}))
    with pytest.raises(ValueError, match="sk_softmax 0.1 .format 1.*no longer reads"):
        load(path)


def test_other_safetensors_files_are_refused(tmp_path):
    path = tmp_path / "weights.safetensors"
    write_file(path, None, {"linear.weight": np.zeros((3, 4), np.float32)})
    with pytest.raises(ValueError, match="not a sk_softmax.SoftmaxClassifier model file"):
        load(path)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(extra=1), "needs the keys"),
        (lambda d: d.pop("params"), "needs the keys"),
        (lambda d: d.update(params=[1]), "params must be a JSON object"),
        (lambda d: d["params"].update(evil=1), "unexpected keyword argument 'evil'"),
        (lambda d: d["params"].update(lr=-1.0), "lr"),
        (lambda d: d["params"].update(lr="0.1"), "lr"),
        (lambda d: d["params"].update(callbacks=["x"]), "callbacks"),
        (lambda d: d["params"].update(class_weight={"dict": [[0, [1]]]}), "pairs of scalars"),
        (lambda d: d["params"].update(class_weight={"dict": [[0, 1], [0, 2]]}), "distinct"),
        (lambda d: d["params"].update(class_weight={"dict": 3}), "int"),
        (lambda d: d["params"].update(class_weight={"0": 1.0}), "no known encoding"),
        (lambda d: d["params"].update(class_weight={"dict": [], "x": 1}), "no known encoding"),
        (lambda d: d["params"].update(optimizer={"torch.optim": "os.system"}), "torch.optim"),
        (lambda d: d["params"].update(optimizer={"torch.optim": "Optimizer"}), "torch.optim"),
        (lambda d: d["params"].update(optimizer={"torch.optim": "__class__"}), "torch.optim"),
        (lambda d: d["params"].update(device={"torch.device": "nowhere"}), "nowhere"),
        (lambda d: d["params"].update(device="tpu"), "'tpu' is not one"),
        (lambda d: d["fitted"].update(extra=1), "fitted needs the keys"),
        (lambda d: d["fitted"].update(object_classes=True), "true for string classes"),
        (lambda d: d["fitted"].update(object_classes="yes"), "object_classes"),
        (lambda d: d["fitted"].update(feature_names_in=["a"]), "feature_names_in"),
        (lambda d: d["fitted"].update(feature_names_in=7), "feature_names_in"),
        (lambda d: d["fitted"].update(history={"epoch": 1}), "history"),
        (lambda d: d["fitted"].update(history=[]), "history"),
        (lambda d: d["fitted"].update(history=[{}]), "history"),
        (lambda d: d["fitted"].update(history=[{"epoch": 1, "train_loss": "x"}]), "history"),
        (lambda d: d.pop("format_version"), "format version None"),
        (lambda d: d["params"].update(device={"torch.device": "xpu"}), "'xpu' is not one"),
        (lambda d: d["params"].update(callbacks=[1]), "'callbacks' cannot be a list"),
        (lambda d: d.update(fitted=None), "holds tensors"),
    ],
)
def test_tampered_description_is_refused(model_file, change, message):
    tampered_document(model_file, change)
    with pytest.raises(ValueError, match=f"Refusing to load.*{message}"):
        load(model_file)


def _tensors(coef=(3, 4), intercept=(3,), classes=(0, 1, 2), dtype=np.float32):
    return {
        "coef": np.zeros(coef, dtype),
        "intercept": np.zeros(intercept, np.float32),
        "classes": np.asarray(classes),
    }


@pytest.mark.parametrize(
    "tensors, message",
    [
        ({"coef": np.zeros((3, 4), np.float32)}, "holds tensors"),
        ({**_tensors(), "extra": np.zeros(1, np.float32)}, "holds tensors"),
        (_tensors(coef=(3, 5)), "feature_names_in must be null or 5 strings"),
        (_tensors(coef=(4, 4)), r"\(4, 4\).*3 classes"),
        (_tensors(coef=(3,)), "not finite float32 weights"),
        (_tensors(intercept=(3, 1)), "intercept"),
        (_tensors(dtype=np.float64), "float64"),
        ({**_tensors(), "coef": np.full((3, 4), np.nan, np.float32)}, "not finite"),
        (_tensors(classes=np.array([0, 0, 1])), "sorted, distinct"),
        (_tensors(classes=np.array([2, 1, 0])), "sorted, distinct"),
        (_tensors(classes=np.array([0.0, 1.0, np.nan])), "finite"),
        (_tensors(classes=np.array([0])), "at least 2 labels"),
        (_tensors(classes=np.zeros((3, 2), np.int64)), "at least 2 labels"),
        (_tensors(classes=np.full((3, 1), 0x110000, np.uint32)), "no text"),
    ],
)
def test_tampered_tensors_are_refused(model_file, tensors, message):
    metadata, _ = read_file(model_file)
    document = description(metadata)
    document["fitted"]["feature_names_in"] = ["a", "b", "c", "d"]
    write_file(model_file, signed(document, tensors), tensors)
    with pytest.raises(ValueError, match=message):
        load(model_file)


@pytest.mark.parametrize("width", [999_999_999, 300_000_000, 30_000_000])
def test_sizes_not_backed_by_the_bytes_are_refused(model_file, width):
    # String classes of this width would make numpy allocate up to 12 GB.
    metadata, _ = read_file(model_file)
    header = {
        "__metadata__": metadata,
        "classes": {"dtype": "U32", "shape": [3, width], "data_offsets": [0, 12]},
    }
    model_file.write_bytes(raw_safetensors(header, b"a\0\0\0b\0\0\0c\0\0\0"))
    with pytest.raises(ValueError, match="Refusing to load"):
        load(model_file)


@pytest.mark.parametrize("dtype", [">i8", ">f4", ">U9"])
def test_big_endian_classes_round_trip(iris, tmp_path, dtype):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"] if "U" in dtype else [3, 7, 9])
    model = SoftmaxClassifier(**FAST).fit(X, labels[y].astype(dtype))
    restored = round_trip(model, tmp_path)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    assert restored.classes_.dtype == np.dtype(dtype).newbyteorder("<")


def test_string_classes_keep_their_dtype(iris, tmp_path):
    X, y = iris
    for labels in (np.array(["setosa", "versicolor", "virginica"]), np.array(["a", "é", "z"])):
        model = SoftmaxClassifier(**FAST).fit(X, labels[y].astype("<U12"))
        restored = round_trip(model, tmp_path)
        assert restored.classes_.dtype == np.dtype("<U12")
        assert_same_predictions(model, restored, X)


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "absent.safetensors")


def test_load_can_move_a_gpu_model_to_the_cpu(tmp_path):
    X, y = load_iris(return_X_y=True)
    model = SoftmaxClassifier(max_epochs=2, random_state=0).fit(X, y)
    expected = model.predict_proba(X)
    path = tmp_path / "gpu.safetensors"
    dump(model.set_params(device="cuda"), path)
    if not torch.cuda.is_available():  # it predicts (numpy), but cannot train here
        on_cuda = load(path)
        np.testing.assert_allclose(on_cuda.predict_proba(X), expected)
        with pytest.raises(ValueError, match="CUDA"):
            on_cuda.partial_fit(X, y)
        np.testing.assert_allclose(on_cuda.predict_proba(X), expected)  # left as it was
    restored = load(path, device="cpu")
    assert restored.get_params()["device"] == "cpu"
    np.testing.assert_allclose(restored.predict_proba(X), expected)
