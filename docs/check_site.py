"""Check a built site: every page loads its scripts, stylesheets, fonts and images
from the site itself, and every public name has its API page.

    python docs/check_offline.py docs/_build/html
"""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

REMOTE = re.compile(r"^(https?:)?//", re.IGNORECASE)
PUBLIC = [
    "sk_softmax.SoftmaxClassifier",
    "sk_softmax.SoftmaxSearchCV",
    "sk_softmax.SoftmaxRandomizedSearchCV",
    "sk_softmax.SoftmaxHalvingSearchCV",
    "sk_softmax.dump",
    "sk_softmax.load",
    "sk_softmax.DivergenceError",
    "sk_softmax.SoftmaxRegression",
    "sk_softmax.TensorBatchIterator",
    "sk_softmax.datasets.fetch_fashion_mnist",
    "sk_softmax.datasets.get_data_home",
    "sk_softmax.plotting.plot_weights",
    "sk_softmax.plotting.plot_learning_curves",
    "sk_softmax.plotting.plot_predictions",
    "sk_softmax.plotting.plot_confusion_matrix",
    "sk_softmax.plotting.plot_search_scores",
    "sk_softmax.onnx.to_onnx",
]


class _Loads(HTMLParser):
    """The addresses a page loads (not the links a reader may follow)."""

    def __init__(self):
        super().__init__()
        self.loads = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "video", "audio") and attrs.get("src"):
            self.loads.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            rel = (attrs.get("rel") or "").lower()
            if any(kind in rel for kind in ("stylesheet", "preload", "icon", "modulepreload")):
                self.loads.append(attrs["href"])


def remote_loads(site):
    """``(page, address)`` of every remote script, stylesheet, font or image."""
    found = []
    for page in sorted(site.rglob("*.html")):
        parser = _Loads()
        parser.feed(page.read_text(encoding="utf-8"))
        found += [(page, a) for a in parser.loads if REMOTE.match(a)]
    for sheet in sorted(site.rglob("*.css")):
        for address in re.findall(r"url\(\s*['\"]?([^'\")]+)", sheet.read_text("utf-8")):
            if REMOTE.match(address):
                found.append((sheet, address))
    return found


def main(argv=None):
    site = Path((argv or sys.argv[1:] or ["docs/_build/html"])[0])
    problems = [f"{page.relative_to(site)} loads {address}" for page, address in remote_loads(site)]
    problems += [
        f"no API page for {name}"
        for name in PUBLIC
        if not (site / "generated" / f"{name}.html").exists()
    ]
    if not (site / "_static" / "mathjax" / "tex-chtml.js").exists():
        problems.append("MathJax is not in _static/mathjax/")
    if not (site / "release_notes.html").exists():
        problems.append("no release notes page")
    backrefs = (site / "generated" / "sk_softmax.SoftmaxClassifier.html").read_text("utf-8")
    if "Examples using" not in backrefs:
        problems.append("the SoftmaxClassifier page lists no examples using it")
    for problem in problems:
        print(problem)
    print(f"{len(list(site.rglob('*.html')))} pages checked: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
