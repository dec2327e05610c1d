"""What the documentation's gallery runs: each example with its quick settings."""

from pathlib import Path

DOCS = Path(__file__).parent
PLOTS = DOCS / "_build" / "gallery_plots"

ARGV = {
    "quickstart.py": [],
    "fashion_mnist.py": ["--quick", "--plots", str(PLOTS)],
    "overfitting.py": ["--quick", "--plots", str(PLOTS)],
    "grid_search.py": ["--quick", "--plot", str(PLOTS / "grid_search.png")],
    "halving_search.py": ["--quick", "--plot", str(PLOTS / "halving_search.png")],
    "pipeline_search.py": ["--quick", "--plot", str(PLOTS / "pipeline_search.png")],
    "randomized_search.py": ["--quick", "--plot", str(PLOTS / "randomized_search.png")],
    "dask_scale.py": ["--quick"],
}

# The examples whose output holds times or speed-ups, measured as they run.
TIMED = set(ARGV) - {"quickstart.py"}
# The order of the gallery: the first thing to run, the chapter, its exercises, the rest.
ORDER = [
    "quickstart.py",
    "fashion_mnist.py",
    "grid_search.py",
    "overfitting.py",
    "pipeline_search.py",
    "randomized_search.py",
    "halving_search.py",
    "dask_scale.py",
]
# What every example's page that prints times says about them.
MEASURED_DURING_BUILD = (
    "Times and speed-ups in its output were measured while this page was built, "
    "on the machine that built it; the measured tables of the documentation come "
    "from the benchmarks."
)


def command(name):
    """The command line of ``name`` as a reader would type it, from the repository's root."""
    shown = [
        str(Path(a).relative_to(DOCS.parent)) if a.startswith(str(DOCS)) else a for a in ARGV[name]
    ]
    return " ".join(["python", f"examples/{name}", *shown])


def quick_settings(name):
    """Words for the quick settings of ``name``, or nothing when it has none."""
    if "--quick" not in ARGV[name]:
        return ""
    return " (``--quick``: the quick settings its docstring describes; without it, the full run)"


class ExampleOrder:
    """The gallery's sort key: the examples in :data:`ORDER`."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        return ORDER.index(filename) if filename in ORDER else len(ORDER)


def reset_argv(gallery_conf, script_vars):
    """The command-line arguments sphinx-gallery gives an example."""
    return ARGV[Path(script_vars["src_file"]).name]
