"""What the documentation's gallery runs: each example with its quick settings."""

from pathlib import Path

PLOTS = Path(__file__).parent / "_build" / "gallery_plots"

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


def reset_argv(gallery_conf, script_vars):
    """The command-line arguments sphinx-gallery gives an example."""
    return ARGV[Path(script_vars["src_file"]).name]
