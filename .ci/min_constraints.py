"""Pin every runtime dependency to its declared floor, for the minimum-versions job.

Without arguments, print pip constraints: each requirement of ``[project]
dependencies`` and of the runtime extras (``plot``, ``dask``, ``onnx``) in pyproject.toml
at its ``>=`` floor; torch and torchvision at the one release installable here.
With ``--check``, verify that the installed versions are exactly those.
"""

import re
import sys
from importlib.metadata import version
from pathlib import Path

import tomllib

RUNTIME_EXTRAS = ("plot", "dask", "onnx")
INSTALLABLE = {"torch": "2.14.1", "torchvision": "0.29.1"}
# Not a dependency of ours: dask's dataframe imports pyarrow, whose releases from 21
# on refuse numpy 1.x.
TEST_ENVIRONMENT = ["pyarrow<21"]


def floors():
    pyproject = Path(__file__).parents[1] / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in RUNTIME_EXTRAS:
        requirements += project["optional-dependencies"][extra]
    pins = {}
    for requirement in requirements:
        name, floor = re.fullmatch(r"([\w.-]+)(?:\[[^]]*\])?>=([\w.]+)", requirement).groups()
        pins[name] = INSTALLABLE.get(name, floor)
    return pins


def main():
    pins = floors()
    if sys.argv[1:] != ["--check"]:
        print(*(f"{name}=={pin}" for name, pin in pins.items()), *TEST_ENVIRONMENT, sep="\n")
        return
    wrong = {name: version(name) for name, pin in pins.items() if version(name) != pin}
    if wrong:
        sys.exit(f"not at the declared floor: {wrong}")
    print("minimum versions:", ", ".join(f"{name} {pin}" for name, pin in pins.items()))


if __name__ == "__main__":
    main()
