"""What a process imports: torch and skorch only when a model trains."""

import subprocess
import sys
import textwrap

HEAVY = ("torch", "skorch", "torchvision", "torch._dynamo", "sympy")


def _run(code):
    """Run ``code`` in a fresh interpreter; the heavy modules it ended up importing."""
    script = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import sys
        print(",".join(m for m in {HEAVY!r} if m in sys.modules))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1].split(",") if done.stdout.strip() else []


def test_importing_the_package_imports_no_torch():
    assert _run("from sk_softmax import SoftmaxClassifier, SoftmaxSearchCV, dump, load") == []


def test_an_lbfgs_fit_imports_no_compiler_machinery():
    # torch._dynamo and sympy cost a second or more to import, and L-BFGS (what the
    # defaults train small data with) needs neither; Adam's and SGD's own step
    # functions import torch._dynamo on their first step.
    for optimizer in ("auto", "lbfgs"):
        imported = _run(
            f"""
            from sklearn.datasets import load_iris
            from sk_softmax import SoftmaxClassifier
            X, y = load_iris(return_X_y=True)
            clf = SoftmaxClassifier(optimizer={optimizer!r}, max_epochs=3).fit(X, y)
            clf.set_params(warm_start=True).fit(X, y)
            """
        )
        assert imported == ["torch", "skorch"], optimizer


def test_loading_a_model_and_predicting_imports_no_torch(tmp_path):
    path = tmp_path / "iris.safetensors"
    fitted = _run(
        f"""
        from sklearn.datasets import load_iris
        from sk_softmax import SoftmaxClassifier, dump
        X, y = load_iris(return_X_y=True)
        dump(SoftmaxClassifier(random_state=0, max_epochs=30).fit(X, y), {str(path)!r})
        """
    )
    assert "torch" in fitted  # training does import it
    assert (
        _run(
            f"""
        import numpy as np
        from sk_softmax import load
        model = load({str(path)!r})
        X = np.random.default_rng(0).normal(size=(5, 4))
        model.predict(X), model.predict_proba(X), model.decision_function(X)
        model.predict_log_proba(X), model.score(X, model.predict(X))
        """
        )
        == []
    )


def test_a_loaded_model_builds_its_net_when_asked(tmp_path):
    import numpy as np
    from sklearn.datasets import load_iris

    from sk_softmax import SoftmaxClassifier, dump, load

    X, y = load_iris(return_X_y=True)
    model = SoftmaxClassifier(random_state=0, max_epochs=30).fit(X, y)
    dump(model, tmp_path / "iris.safetensors")
    loaded = load(tmp_path / "iris.safetensors")
    assert "_net" not in vars(loaded)
    assert loaded.n_iter_ == model.n_iter_ and loaded.loss_curve_ == model.loss_curve_
    np.testing.assert_array_equal(
        loaded.net_.module_.linear.weight.detach().numpy(), model.coef_.astype(np.float32)
    )
    loaded.partial_fit(X, y)  # the net, built on demand, trains on
    assert loaded.n_iter_ == model.n_iter_ + 1


def test_the_torch_building_blocks_are_still_importable_from_the_package():
    import sk_softmax
    from sk_softmax._batches import TensorBatchIterator
    from sk_softmax._module import SoftmaxRegression

    assert sk_softmax.SoftmaxRegression is SoftmaxRegression
    assert sk_softmax.TensorBatchIterator is TensorBatchIterator
    assert {"SoftmaxRegression", "TensorBatchIterator"} <= set(dir(sk_softmax))
    try:
        sk_softmax.NoSuchThing  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")
