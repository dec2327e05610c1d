"""Check a built site, page by page, as a reader would see it.

- every page loads its scripts, stylesheets, fonts and images from the site
  itself (it works offline);
- every public name has its API page;
- every time (``12.3 s``, ``450 ms``) and ratio (``4.2x``) a page shows is a
  number of a results file in ``benchmarks/results/``, as rounded on the page;
  the only exception is the output of a gallery example whose page says its
  times were measured while it was built;
- no page shows a path of the machine that built it, or progress-bar fragments.

::

    python docs/check_site.py docs/_build/html
"""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "benchmarks"))
sys.path.insert(0, str(HERE))

from gallery_settings import MEASURED_DURING_BUILD  # noqa: E402
from render import measured_values, unmeasured  # noqa: E402

REMOTE = re.compile(r"^(https?:)?//", re.IGNORECASE)
# An absolute path of the machine that built the site: a temporary folder, a home,
# the build folder (the repository's relative paths, docs/_build/html, are fine).
BUILD_PATH = re.compile(r"(?:^|[\s'\"(=])(?:/tmp/|/home/|/root/|/Users/|/\S*/_build/)")
# What tqdm writes where there is no terminal: "42%|####", "3/10 [00:01<00:02, 2.5it/s]".
PROGRESS_BAR = re.compile(r"\d+%\|| \[\d\d:\d\d<|\d(?:it|epoch)/s\]|█")
PUBLIC = [
    "sk_softmax.SoftmaxClassifier",
    "sk_softmax.SoftmaxSearchCV",
    "sk_softmax.SoftmaxRandomizedSearchCV",
    "sk_softmax.SoftmaxHalvingSearchCV",
    "sk_softmax.dump",
    "sk_softmax.load",
    "sk_softmax.DivergenceError",
    "sk_softmax.MaxEpochsWarning",
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


class _Page(HTMLParser):
    """A page's loads (not the links a reader may follow) and its visible text, the
    gallery examples' output apart."""

    _VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__()
        self.loads, self.text, self.output = [], [], []
        self._hidden = 0  # inside <script> or <style>
        self._stack = []  # open tags; True where an example's output starts

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "video", "audio") and attrs.get("src"):
            self.loads.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            rel = (attrs.get("rel") or "").lower()
            if any(kind in rel for kind in ("stylesheet", "preload", "icon", "modulepreload")):
                self.loads.append(attrs["href"])
        if tag in ("script", "style"):
            self._hidden += 1
        if tag not in self._VOID:
            self._stack.append("sphx-glr-script-out" in (attrs.get("class") or "").split())

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1
        if tag not in self._VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if not self._hidden:
            (self.output if any(self._stack) else self.text).append(data)


def read(page):
    parser = _Page()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def remote_loads(site):
    """``(page, address)`` of every remote script, stylesheet, font or image."""
    found = []
    for page in sorted(site.rglob("*.html")):
        found += [(page, a) for a in read(page).loads if REMOTE.match(a)]
    for sheet in sorted(site.rglob("*.css")):
        for address in re.findall(r"url\(\s*['\"]?([^'\")]+)", sheet.read_text("utf-8")):
            if REMOTE.match(address):
                found.append((sheet, address))
    return found


def page_problems(page, numbers):
    """What a reader must not see on ``page``."""
    parsed = read(page)
    text, output = " ".join(parsed.text), " ".join(parsed.output)
    labelled = MEASURED_DURING_BUILD in " ".join(text.split())
    problems = [
        f"shows {shown!r}, which no results file holds" for shown in unmeasured(text, numbers)
    ]
    if not labelled:
        problems += [
            f"shows {shown!r} in an example's output without saying it was measured "
            "while the page was built"
            for shown in unmeasured(output, numbers)
        ]
    for where in (text, output):
        problems += [
            f"shows a build path ({m.group(0).strip()!r})" for m in BUILD_PATH.finditer(where)
        ]
        problems += [f"shows a progress bar ({m.group(0)!r})" for m in PROGRESS_BAR.finditer(where)]
    return problems


def main(argv=None):
    site = Path((argv or sys.argv[1:] or ["docs/_build/html"])[0])
    numbers = measured_values()
    problems = [f"{page.relative_to(site)} loads {address}" for page, address in remote_loads(site)]
    for page in sorted(site.rglob("*.html")):
        if page.relative_to(site).parts[0] in ("_static", "_sources", "_images"):
            continue
        problems += [f"{page.relative_to(site)} {p}" for p in page_problems(page, numbers)]
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
