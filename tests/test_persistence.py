import io
import json
import os
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest
import safetensors.numpy
import torch
from sklearn.datasets import load_iris
from skorch.callbacks import EpochScoring

from sk_softmax import SoftmaxClassifier
from sk_softmax._persistence import FORMAT_VERSION, dump, load

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
    path = tmp_path / "model.zip"
    dump(model, path)
    return load(path)


def read_members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_members(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def tampered_meta(path, change):
    members = read_members(path)
    meta = json.loads(members["meta.json"])
    change(meta)
    members["meta.json"] = json.dumps(meta).encode()
    write_members(path, members)


@pytest.fixture(scope="module")
def iris_model(iris):
    X, y = iris
    return SoftmaxClassifier(**FAST).fit(X, y)


@pytest.fixture
def model_file(iris_model, tmp_path):
    path = tmp_path / "model.zip"
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
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    dump(iris_model, first)
    dump(iris_model, second)
    assert first.read_bytes() == second.read_bytes()
    dump(SoftmaxClassifier(), second)
    assert sorted(os.listdir(tmp_path)) == ["a.zip", "b.zip"]


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_dump_creates_files_with_the_umask_mode_like_open(tmp_path, umask):
    old = os.umask(umask)
    try:
        dump(SoftmaxClassifier(), tmp_path / "model.zip")
        with open(tmp_path / "plain", "w"):
            pass
    finally:
        os.umask(old)
    mode = os.stat(tmp_path / "model.zip").st_mode & 0o777
    assert mode == os.stat(tmp_path / "plain").st_mode & 0o777 == 0o666 & ~umask


def test_dump_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "model.zip"
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
        dump(model, tmp_path / "m.zip")
    with pytest.raises(ValueError, match="callbacks"):
        dump(model.fit(X, y), tmp_path / "m.zip")
    assert not list(tmp_path.iterdir())


def test_dump_refuses_custom_optimizer_and_random_state_instance(tmp_path):
    class MyAdam(torch.optim.Adam):
        pass

    with pytest.raises(ValueError, match="optimizer.*custom optimizer"):
        dump(SoftmaxClassifier(optimizer=MyAdam), tmp_path / "m.zip")
    with pytest.raises(ValueError, match="random_state.*to an int"):
        dump(SoftmaxClassifier(random_state=np.random.RandomState(0)), tmp_path / "m.zip")


def test_dump_refuses_classes_that_are_not_plain_data(iris, tmp_path):
    X, y = iris
    dates = np.array(["2020-01-01", "2021-01-01", "2022-01-01"], dtype="datetime64[D]")
    model = SoftmaxClassifier(**FAST).fit(X, dates[y])
    with pytest.raises(ValueError, match="classes_ of dtype datetime64.*pickle or joblib"):
        dump(model, tmp_path / "m.zip")


def test_dump_refuses_other_objects(tmp_path):
    class Sub(SoftmaxClassifier):
        pass

    for obj in (Sub(), {"coef": 1}):
        with pytest.raises(TypeError, match="SoftmaxClassifier models only"):
            dump(obj, tmp_path / "m.zip")


# ------------------------------------------- crafted files run nothing


def test_malicious_pickle_is_refused_and_runs_nothing(iris_model, tmp_path):
    marker = tmp_path / "pwned"
    control = tmp_path / "control"
    pickle.loads(pickle.dumps(_TouchOnUnpickle(control)))
    assert control.exists(), "the payload must be live for this test to mean anything"

    path = tmp_path / "model.zip"
    path.write_bytes(pickle.dumps(_TouchOnUnpickle(marker)))
    with pytest.raises(ValueError, match="starts like a pickle.*never unpickles"):
        load(path)
    path.write_bytes(pickle.dumps({"model": iris_model, "payload": _TouchOnUnpickle(marker)}))
    with pytest.raises(ValueError, match="never unpickles"):
        load(path)
    assert not marker.exists()


def test_torch_file_with_arbitrary_object_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.zip"
    torch.save({"state": _TouchOnUnpickle(marker)}, path)
    with pytest.raises(ValueError, match=r"torch\.save archive"):
        load(path)
    torch.save({"linear.weight": torch.zeros(3, 4)}, path)
    with pytest.raises(ValueError, match=r"torch\.save archive"):
        load(path)
    assert not marker.exists()


@pytest.mark.parametrize("member", ["meta.json", "weights.safetensors"])
def test_payload_inside_a_model_archive_runs_nothing(model_file, tmp_path, member):
    marker = tmp_path / "pwned"
    members = read_members(model_file)
    buffer = io.BytesIO()
    torch.save(_TouchOnUnpickle(marker), buffer)
    for payload in (pickle.dumps(_TouchOnUnpickle(marker)), buffer.getvalue()):
        members[member] = payload
        write_members(model_file, members)
        with pytest.raises(ValueError, match="not valid JSON|not a valid safetensors"):
            load(model_file)
    assert not marker.exists()


def test_random_bytes_and_empty_file_are_refused(tmp_path):
    path = tmp_path / "model.zip"
    rng = np.random.default_rng(0)
    for size in (0, 1, 3, 22, 100, 10_000):
        path.write_bytes(rng.bytes(size))
        with pytest.raises(ValueError, match="not a model file written by sk_softmax.dump"):
            load(path)


def test_every_truncation_is_refused(model_file):
    data = model_file.read_bytes()
    for size in range(len(data)):
        model_file.write_bytes(data[:size])
        with pytest.raises(ValueError, match="Refusing to load"):
            load(model_file)


def test_flipped_bytes_are_refused_or_harmless(iris, iris_model, model_file):
    X, _ = iris
    data = model_file.read_bytes()
    loaded = 0
    for position in range(0, len(data), 3):
        damaged = bytearray(data)
        damaged[position] ^= 0xFF
        model_file.write_bytes(bytes(damaged))
        try:
            restored = load(model_file)
        except ValueError as exc:
            assert "Refusing to load" in str(exc)
        else:  # e.g. a byte of a timestamp: the model must be unchanged
            loaded += 1
            assert_same_predictions(iris_model, restored, X)
    assert loaded < len(data) // 6


def test_newer_format_version_is_refused(model_file):
    tampered_meta(model_file, lambda meta: meta.update(format_version=FORMAT_VERSION + 1))
    with pytest.raises(ValueError, match=f"format version {FORMAT_VERSION + 1}.*Upgrade"):
        load(model_file)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: m.update(extra=1), r"unknown keys \['extra'\]"),
        (lambda m: m.pop("params"), r"lacks keys \['params'\]"),
        (lambda m: m.update(format="pickle"), "does not name the format"),
        (lambda m: m.update(format_version="1"), "format_version must be"),
        (lambda m: m["params"].update(evil=1), r"unknown parameters \['evil'\]"),
        (lambda m: m["params"].update(lr=-1.0), "invalid parameters.*lr"),
        (lambda m: m["params"].update(lr="0.1"), "invalid parameters.*lr"),
        (lambda m: m["params"].update(callbacks=["x"]), "cannot be a list"),
        (
            lambda m: m["params"].update(class_weight={"dict_items": [[0, 1.0], [0, 2.0]]}),
            "repeats a key",
        ),
        (
            lambda m: m["params"].update(class_weight={"dict_items": [[0, [1]]]}),
            "scalar pairs",
        ),
        (lambda m: m["params"].update(class_weight={"0": 1.0}), "unsupported encoding"),
        (
            lambda m: m["params"].update(optimizer={"optimizer_class": "os:system"}),
            "not one of torch.optim's optimizers",
        ),
        (
            lambda m: m["params"].update(optimizer={"optimizer_class": "torch.optim:Optimizer"}),
            "not one of torch.optim's optimizers",
        ),
        (lambda m: m["params"].update(device={"torch_device": "nowhere"}), "device"),
        (lambda m: m["params"].update(device="cuda:99"), "device"),
        (lambda m: m["params"].update(device="meta"), "device='meta' is not"),
        (lambda m: m["fitted"].update(extra=1), r"fitted has unknown keys"),
        (lambda m: m["fitted"].update(n_features_in=True), "n_features_in must be"),
        (lambda m: m["fitted"]["classes"].update(kind="object"), "classes kind"),
        (lambda m: m["fitted"]["classes"].update(dtype="V8"), "dtype 'V8' is not allowed"),
        (lambda m: m["fitted"]["classes"].update(dtype="<U3"), "does not hold int values"),
        (
            lambda m: m["fitted"]["classes"].update(
                kind="str", dtype="<U3", values=["a", "bb", "cccc"]
            ),
            "not the width of its values",
        ),
        (lambda m: m["fitted"]["classes"].update(dtype="|i1", values=[0, 1, 300]), "do not fit"),
        (lambda m: m["fitted"]["classes"].update(values=[0, 1, 2.5]), "must all be JSON int"),
        (
            lambda m: m["fitted"]["classes"].update(
                kind="float", dtype="<f2", values=[0.0, 1e-9, 2.0]
            ),
            "do not fit dtype",
        ),
        (lambda m: m["fitted"]["classes"].update(values=[0, 0, 1]), "sorted and distinct"),
        (lambda m: m["fitted"]["classes"].update(values=[0, 1, "2"]), "must all be JSON int"),
        (lambda m: m["fitted"]["classes"].update(values=[0]), "at least 2"),
        (lambda m: m["fitted"].update(feature_names_in=["a"]), "feature_names_in"),
        (lambda m: m["fitted"].update(history={"epoch": 1}), "history"),
    ],
)
def test_tampered_meta_is_refused(model_file, change, message):
    tampered_meta(model_file, change)
    with pytest.raises(ValueError, match=message):
        load(model_file)


@pytest.mark.parametrize("width", [999_999_999, 300_000_000, 30_000_000, 5])
def test_string_classes_wider_than_their_values_are_refused(model_file, width):
    # Each would make numpy allocate width * 4 bytes per class (up to 12 GB).
    tampered_meta(
        model_file,
        lambda m: m["fitted"]["classes"].update(
            kind="str", dtype=f"<U{width}", values=["a", "b", "c"]
        ),
    )
    with pytest.raises(ValueError, match="not the width of its values"):
        load(model_file)


def test_string_classes_load_as_wide_as_their_longest_label(iris, tmp_path):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    model = SoftmaxClassifier(**FAST).fit(X, labels)
    assert round_trip(model, tmp_path).classes_.dtype == np.dtype("<U10")


@pytest.mark.parametrize(
    "weights, message",
    [
        ({"coef": np.zeros((3, 5), np.float32)}, "exactly 'coef' and 'intercept'"),
        (
            {"coef": np.zeros((3, 5), np.float32), "intercept": np.zeros(3, np.float32)},
            r"'coef' are float32 of shape \(3, 5\).*shape \(3, 4\)",
        ),
        (
            {"coef": np.zeros((4, 4), np.float32), "intercept": np.zeros(4, np.float32)},
            r"shape \(4, 4\)",
        ),
        (
            {"coef": np.zeros((3, 4), np.float64), "intercept": np.zeros(3, np.float32)},
            "float64",
        ),
        (
            {"coef": np.zeros((3, 4), np.float32), "intercept": np.zeros((3, 1), np.float32)},
            "'intercept'",
        ),
        (
            {"coef": np.full((3, 4), np.nan, np.float32), "intercept": np.zeros(3, np.float32)},
            "NaN or infinite",
        ),
        (
            {
                "coef": np.zeros((3, 4), np.float32),
                "intercept": np.zeros(3, np.float32),
                "extra": np.zeros(1, np.float32),
            },
            "exactly 'coef' and 'intercept'",
        ),
    ],
)
def test_tampered_weights_are_refused(model_file, weights, message):
    members = read_members(model_file)
    members["weights.safetensors"] = safetensors.numpy.save(weights)
    write_members(model_file, members)
    with pytest.raises(ValueError, match=message):
        load(model_file)


def test_unexpected_archive_members_are_refused(model_file):
    members = read_members(model_file)
    write_members(model_file, {**members, "payload.pkl": b"\x80"})
    with pytest.raises(ValueError, match=r"unknown members \['payload.pkl'\]"):
        load(model_file)
    write_members(model_file, {"weights.safetensors": members["weights.safetensors"]})
    with pytest.raises(ValueError, match="not a model file written by sk_softmax.dump"):
        load(model_file)
    write_members(model_file, {"meta.json": members["meta.json"]})
    with pytest.raises(ValueError, match="weights.safetensors' is missing"):
        load(model_file)


def test_oversized_members_are_refused_before_reading(model_file):
    members = read_members(model_file)
    members["weights.safetensors"] += b"\0" * 100_000
    write_members(model_file, members)
    with pytest.raises(ValueError, match="more than the .* allowed"):
        load(model_file)


def test_zip_bomb_is_refused_before_expanding(model_file):
    members = read_members(model_file)
    meta = json.loads(members["meta.json"])
    meta["fitted"]["n_features_in"] = 10**9
    members["meta.json"] = json.dumps(meta).encode()
    members["weights.safetensors"] = bytes(20 * 2**20)
    with zipfile.ZipFile(model_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert model_file.stat().st_size < 2**20
    with pytest.raises(ValueError, match="zip bomb"):
        load(model_file)


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "absent.zip")


def test_load_can_move_a_gpu_model_to_the_cpu(tmp_path):
    X, y = load_iris(return_X_y=True)
    model = SoftmaxClassifier(max_epochs=2, random_state=0).fit(X, y)
    expected = model.predict_proba(X)
    path = tmp_path / "gpu.zip"
    dump(model.set_params(device="cuda"), path)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="device"):
            load(path)
    restored = load(path, device="cpu")
    assert restored.get_params()["device"] == "cpu"
    np.testing.assert_allclose(restored.predict_proba(X), expected)
