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


def test_no_fit_imports_the_compiler_machinery():
    # torch._dynamo and sympy cost a second or more to import, and no fit needs them:
    # the default fit (L-BFGS here), a fit with a given lr (Adam), SGD, a warm start
    # and a stream.
    imported = _run(
        """
        from sklearn.datasets import load_iris
        from sk_softmax import SoftmaxClassifier
        X, y = load_iris(return_X_y=True)
        for params in ({}, {"lr": 0.1}, {"optimizer": "sgd"}, {"optimizer": "lbfgs"}):
            clf = SoftmaxClassifier(max_epochs=3, **params).fit(X, y)
            clf.set_params(warm_start=True).fit(X, y)
            if params.get("optimizer") != "lbfgs":  # a stream trains with minibatches
                clf.partial_fit(X, y)
        """
    )
    assert imported == ["torch", "skorch"]


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
        model.n_iter_, model.loss_curve_, model.best_loss_, model.n_samples_seen_
        model.validation_scores_, model.coef_, model.intercept_, model.classes_
        model.history_[:, "train_loss"], model.history_[-1, "epoch"]
        """
        )
        == []
    )


def test_a_loaded_model_holds_plain_values_and_trains_on(tmp_path):
    import numpy as np
    from sklearn.datasets import load_iris

    from sk_softmax import SoftmaxClassifier, dump, load

    X, y = load_iris(return_X_y=True)
    model = SoftmaxClassifier(random_state=0, max_epochs=30).fit(X, y)
    dump(model, tmp_path / "iris.safetensors")
    loaded = load(tmp_path / "iris.safetensors")
    assert not hasattr(loaded, "net_")  # no net trained it in this process
    assert loaded.n_iter_ == model.n_iter_ and loaded.loss_curve_ == model.loss_curve_
    assert loaded.history_[:, "train_loss"] == model.history_[:, "train_loss"]
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    loaded.partial_fit(X, y)  # from its weights and history
    assert loaded.n_iter_ == model.n_iter_ + 1 and hasattr(loaded, "net_")


def test_nothing_in_the_package_assigns_to_torch_skorch_or_scikit_learn():
    import ast
    from pathlib import Path

    import sk_softmax

    libraries = {"torch", "skorch", "sklearn"}
    for path in Path(sk_softmax.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text())
        modules = set()  # names bound to those libraries or their attributes
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                root = (node.module or "") if isinstance(node, ast.ImportFrom) else ""
                for alias in node.names:
                    name = alias.asname or alias.name.split(".")[0]
                    full = f"{root}.{alias.name}" if root else alias.name
                    if full.split(".")[0] in libraries:
                        modules.add(name)
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
                "setattr",
                "delattr",
            ):
                targets = [ast.Attribute(value=node.args[0], attr="?")]
            for target in targets:
                while isinstance(target, ast.Attribute):
                    target = target.value
                    if isinstance(target, ast.Name) and target.id in modules:
                        raise AssertionError(f"{path.name}:{node.lineno} assigns into {target.id}")


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
