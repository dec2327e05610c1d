"""Cold start: what a fresh process pays before its first answer, against LogisticRegression.

Each case runs in a fresh interpreter, ours and scikit-learn's alternately,
and the best of ``--runs`` wall times is kept (the interpreter's own start
included, the same for both):

- import: ``import sk_softmax`` / ``from sklearn.linear_model import LogisticRegression``
- first fit: import, then fit the defaults on iris
- load + predict: read a model file written beforehand and ``predict_proba``
  one row (``sk_softmax.load`` / ``joblib.load`` of a LogisticRegression),
  and whether torch was imported

    python benchmarks/bench_coldstart.py
    python benchmarks/bench_coldstart.py --runs 7
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _report import Results, print_targets

CASES = {
    "import": (
        "import sk_softmax",
        "from sklearn.linear_model import LogisticRegression",
    ),
    "import + first fit (iris)": (
        "import sys\nfrom sklearn.datasets import load_iris\n"
        "from sk_softmax import SoftmaxClassifier\n"
        "SoftmaxClassifier().fit(*load_iris(return_X_y=True))\n"
        "assert 'torch._dynamo' not in sys.modules, 'torch._dynamo was imported'",
        "from sklearn.datasets import load_iris\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "LogisticRegression().fit(*load_iris(return_X_y=True))",
    ),
    "import + first fit with lr=0.1 (iris, Adam)": (
        "import sys\nfrom sklearn.datasets import load_iris\n"
        "from sk_softmax import SoftmaxClassifier\n"
        "SoftmaxClassifier(lr=0.1).fit(*load_iris(return_X_y=True))\n"
        "assert 'torch._dynamo' not in sys.modules, 'torch._dynamo was imported'",
        "from sklearn.datasets import load_iris\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "LogisticRegression().fit(*load_iris(return_X_y=True))",
    ),
    "load + predict_proba (1 row)": (
        "import sys\nfrom sk_softmax import load\n"
        "load({ours!r}).predict_proba([[5.1, 3.5, 1.4, 0.2]])\n"
        "assert 'torch' not in sys.modules, 'torch was imported'",
        "import joblib\njoblib.load({theirs!r}).predict_proba([[5.1, 3.5, 1.4, 0.2]])",
    ),
}


def seconds(code):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - start


def write_models(folder):
    code = (
        "import joblib\nfrom sklearn.datasets import load_iris\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sk_softmax import SoftmaxClassifier, dump\n"
        "X, y = load_iris(return_X_y=True)\n"
        f"dump(SoftmaxClassifier(random_state=0).fit(X, y), {str(folder / 'iris.safetensors')!r})\n"
        f"joblib.dump(LogisticRegression().fit(X, y), {str(folder / 'iris.joblib')!r})\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return {"ours": str(folder / "iris.safetensors"), "theirs": str(folder / "iris.joblib")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per case (best)")
    args = parser.parse_args(argv)
    report = Results("bench_coldstart")
    with tempfile.TemporaryDirectory() as folder:
        paths = write_models(Path(folder))
        best = {}
        for case, (ours, theirs) in CASES.items():
            ours, theirs = ours.format(**paths), theirs.format(**paths)
            times = [[], []]
            for _ in range(args.runs):
                times[0].append(seconds(ours))
                times[1].append(seconds(theirs))
            best[case] = (min(times[0]), min(times[1]))
    report.table(
        "fresh",
        ["fresh process", "sk_softmax (s)", "scikit-learn (s)", "ratio"],
        [[case, round(o, 2), round(t, 2), round(o / t, 2)] for case, (o, t) in best.items()],
        note=f"Whole processes, the best of {args.runs} each",
    )
    imported, sklearn_import = best["import"]
    fit, sklearn_fit = best["import + first fit (iris)"]
    load, joblib_load = best["load + predict_proba (1 row)"]
    print_targets(
        [
            (
                f"import <= LogisticRegression's + 0.3 s ({imported - sklearn_import:+.2f} s)",
                imported <= sklearn_import + 0.3,
            ),
            (f"import + first fit <= 1.5x ({fit / sklearn_fit:.2f}x)", fit <= 1.5 * sklearn_fit),
            (
                f"load + predict_proba <= 1.5x, without torch ({load / joblib_load:.2f}x)",
                load <= 1.5 * joblib_load,
            ),
        ]
    )
    report.write()


if __name__ == "__main__":
    main()
