"""Every private upstream name the package uses is listed, with its reason, in one module."""

import ast
from pathlib import Path

import torch

import sk_softmax
from sk_softmax import _upstream


def test_every_private_upstream_import_goes_through_this_module():
    for path in Path(sk_softmax.__file__).parent.rglob("*.py"):
        if path.name == "_upstream.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
                "sklearn",
                "skorch",
                "torch",
                "skl2onnx",
            ):
                private = [a.name for a in node.names if a.name.startswith("_")]
                private += [p for p in node.module.split(".") if p.startswith("_")]
                assert not private, f"{path.name}: {node.module} {private}"


def test_every_name_is_explained_in_the_docstring():
    for name in _upstream.__all__:
        if name.startswith("_") or name in ("BaseSearchCV", "Interval", "StrOptions"):
            assert f"``{name}``" in _upstream.__doc__, name


def test_the_optimizer_methods_are_torchs_own_unwrapped():
    methods = _upstream.undecorated_optimizer_methods()
    assert {"add_param_group", "zero_grad", "state_dict", "load_state_dict"} <= set(methods)
    for name, method in methods.items():
        assert getattr(torch.optim.Optimizer, name).__wrapped__ is method
