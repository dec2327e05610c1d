"""Sphinx configuration of the sk_softmax documentation.

Build it (the ``docs`` extra installs what it needs) with::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery runs every script in ``examples/`` with its quick settings; the
Fashion-MNIST examples read the data from ``$SK_SOFTMAX_DATA`` (or download it
once, checked against the official checksums). Set ``SK_SOFTMAX_DOCS_GALLERY=0``
to build the pages without running the examples.
"""

import os
import sys
from pathlib import Path

import sk_softmax

HERE = Path(__file__).parent

project = "sk_softmax"
author = "the sk_softmax developers"
copyright = "the sk_softmax developers"
release = sk_softmax.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_inventories"]
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]

# API pages: numpydoc renders the docstrings; members are listed in api.rst.
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

# Links to other projects only from inventories on disk: the build never
# fetches anything. Drop scikit-learn's, torch's or skorch's objects.inv into
# docs/_inventories/<name>.inv to link their names.
_INVENTORIES = {
    "python": "https://docs.python.org/3",
    "numpy": "https://numpy.org/doc/stable",
    "sklearn": "https://scikit-learn.org/stable",
    "torch": "https://docs.pytorch.org/docs/stable",
    "skorch": "https://skorch.readthedocs.io/en/stable",
}
intersphinx_mapping = {
    name: (url, str(HERE / "_inventories" / f"{name}.inv"))
    for name, url in _INVENTORIES.items()
    if (HERE / "_inventories" / f"{name}.inv").exists()
}

html_theme = "pydata_sphinx_theme"
html_title = f"sk_softmax {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_static_path = []

# The gallery runs each example with the arguments of gallery_settings.py.
sys.path.insert(0, str(HERE))
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"\.py$",  # run every example
    "plot_gallery": os.environ.get("SK_SOFTMAX_DOCS_GALLERY", "1") != "0",
    "reset_argv": "gallery_settings.reset_argv",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "show_signature": False,
    "min_reported_time": 1,
}
