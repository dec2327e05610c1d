"""Sphinx configuration of the sk_softmax documentation.

Build it (the ``docs`` extra installs what it needs) with::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery runs every script in ``examples/`` with its quick settings; the
Fashion-MNIST examples read the data from ``$SK_SOFTMAX_DATA`` (or download it
once, checked against the official checksums). Set ``SK_SOFTMAX_DOCS_GALLERY=0``
to build the pages without running the examples.
"""

import os
import re
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
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_inventories"]
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]

# API pages: one per public name (autosummary, templates in _templates/), the
# docstrings rendered by numpydoc.
templates_path = ["_templates"]
autosummary_generate = True
autodoc_default_options = {"member-order": "groupwise"}
autodoc_typehints = "none"
# The page's contents list names methods, not Class.method: it fits its column.
toc_object_entries_show_parents = "hide"
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
    # every section in the header, none hidden under "More"
    "header_links_before_dropdown": 9,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_static_path = ["_static"]
html_css_files = ["custom.css"]
# Pages that stand alone have no section navigation to show.
html_sidebars = {
    page: []
    for page in (
        "index",
        "getting_started",
        "chapter",
        "performance",
        "api",
        "how_it_works",
        "release_notes",
    )
}
# Literal blocks without a language are console output, not Python.
highlight_language = "text"

# MathJax from the docs extra's copy (the django-static-mathjax package holds
# MathJax 3's files), served by the site itself so that it works offline.
mathjax_path = "mathjax/tex-chtml.js"
_MATHJAX_FILES = ("tex-chtml.js", "output/chtml/fonts/woff-v2")


def _copy_mathjax(app, exception):
    """Put MathJax's TeX-to-HTML component and its fonts into the site's _static."""
    import shutil
    from importlib.resources import files

    if exception is not None or app.builder.format != "html":
        return
    source = files("mathjax") / "static" / "mathjax"
    target = Path(app.outdir) / "_static" / "mathjax"
    for name in _MATHJAX_FILES:
        path = Path(str(source / "es5" / name))
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            shutil.copytree(path, target / name, dirs_exist_ok=True)
        else:
            shutil.copy2(path, target / name)
    shutil.copy2(Path(str(source / "LICENSE")), target / "LICENSE")


_SKLEARN_REFS = re.compile(r":(ref|term):`(?:([^`<]+?)\s*<[^`>]+>|([^`]+))`")


def _plain(match):
    text = match.group(2) or match.group(3)
    return text if match.group(1) == "ref" else f"``{text}``"


def _plain_sklearn_refs(app, what, name, obj, options, lines):
    """Methods inherited from scikit-learn (``score``, ``set_params``, ...) keep their
    docstrings; their links into scikit-learn's own user guide and glossary, which
    this site does not have, become plain text."""
    module = getattr(getattr(obj, "fget", obj), "__module__", "") or ""
    if module.startswith("sklearn"):
        lines[:] = [_SKLEARN_REFS.sub(_plain, line) for line in lines]


def _gallery_note(app, docname, source):
    """Each example's page names the command it ran (its quick settings) and says that
    the times it prints were measured while the page was built."""
    if not docname.startswith("auto_examples/") or docname.endswith("/index"):
        return
    name = docname.rsplit("/", 1)[-1] + ".py"
    if name not in gallery_settings.ARGV:
        return
    note = (
        "\n.. note::\n\n"
        f"   This page ran ``{gallery_settings.command(name)}``"
        f"{gallery_settings.quick_settings(name)}."
        + (f" {gallery_settings.MEASURED_DURING_BUILD}" if name in gallery_settings.TIMED else "")
        + "\n\n"
    )
    text = source[0]
    title = re.search(r"^(=+|-+)\n", text, re.MULTILINE)  # the underline of the page's title
    if title is not None:
        source[0] = text[: title.end()] + note + text[title.end() :]


def setup(app):
    app.connect("build-finished", _copy_mathjax)
    app.connect("autodoc-process-docstring", _plain_sklearn_refs)
    app.connect("source-read", _gallery_note)


# The gallery runs each example with the arguments of gallery_settings.py.
sys.path.insert(0, str(HERE))
import gallery_settings  # noqa: E402

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"\.py$",  # run every example
    "ignore_pattern": r"^__init__\.py$|^_.*\.py$",  # helpers the examples import
    "plot_gallery": os.environ.get("SK_SOFTMAX_DOCS_GALLERY", "1") != "0",
    "reset_argv": "gallery_settings.reset_argv",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "within_subsection_order": "gallery_settings.ExampleOrder",
    "show_signature": False,
    "min_reported_time": 1,
    # "Examples using ..." on each API page.
    "backreferences_dir": "generated",
    "doc_module": ("sk_softmax",),
    # The execution-time pages load jQuery and DataTables from CDNs.
    "write_computation_times": False,
}
