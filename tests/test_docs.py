"""The README and the documentation say what the software does now.

- Every ```python block of the README and of docs/ runs, each page's blocks in
  order in one namespace, as a reader would paste them; an expression whose
  comment starts with a value (``clf.score(X, y)  # 0.9689``) must give that
  value, as rounded there.
- Every time and ratio a page shows is a number of a results file in
  benchmarks/results/, and the marked tables and values are what those files
  hold (``benchmarks/render.py``).
- The README's output of the main job is what the main job prints.
"""

import ast
import contextlib
import importlib.util
import io
import re
import sys
from pathlib import Path

import matplotlib
import pytest
from test_datasets import _official_data_home

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)

sys.path.insert(0, str(ROOT / "benchmarks"))
import render  # noqa: E402


def snippets(page):
    return BLOCK.findall(page.read_text(encoding="utf-8"))


# ------------------------------------------------------- values in comments


def _shown_value(comment):
    """The value a comment starts with (a number, a bool, a tuple or list of them), and
    the text it was written as; None if it starts with words."""
    text = comment.lstrip("#").strip()
    for end in range(len(text), 0, -1):
        candidate = text[:end].strip()
        if not candidate or candidate.endswith(","):
            continue
        try:
            value = ast.literal_eval(candidate)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
        if isinstance(value, (bool, int, float, tuple, list)):
            return value, candidate
    return None


def _decimals(text):
    return len(text.split(".")[1]) if "." in text else 0


def _agrees(value, shown, written):
    """Whether ``value`` is ``shown`` as the page rounds it."""
    if isinstance(shown, bool) or isinstance(value, bool):
        return bool(value) == shown and isinstance(shown, bool)
    if isinstance(shown, (int, float)):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return False
        return abs(value - shown) <= 0.5 * 10 ** -_decimals(written) + 1e-12
    if isinstance(shown, (tuple, list)):
        try:
            items = list(value)
        except TypeError:
            return False
        parts = re.findall(r"-?\d+(?:\.\d+)?|True|False|\(|\)|\[|\]", written)
        numbers = [p for p in parts if p not in "()[]"]
        flat_shown = _flatten(shown)
        flat_value = _flatten(items)
        if len(flat_shown) != len(flat_value):
            return False
        return all(
            _agrees(v, s, w) for v, s, w in zip(flat_value, flat_shown, numbers, strict=True)
        )
    return False


def _flatten(items):
    flat = []
    for item in items:
        if isinstance(item, (tuple, list)) or (
            hasattr(item, "__len__") and hasattr(item, "tolist")
        ):
            flat += _flatten(list(item))
        else:
            flat.append(item)
    return flat


def checked(block):
    """``block`` with every one-line expression whose comment shows a value wrapped in a
    check of that value."""
    lines = block.splitlines()
    for node in ast.parse(block).body:
        if not isinstance(node, ast.Expr) or node.lineno != node.end_lineno:
            continue
        line = lines[node.lineno - 1]
        comment = line[node.end_col_offset :].strip()
        if not comment.startswith("#"):
            continue
        shown = _shown_value(comment)
        if shown is None:
            continue
        source = line[node.col_offset : node.end_col_offset]
        lines[node.lineno - 1] = f"__shown__(({source}), {shown[1]!r}, {source!r})"
    return "\n".join(lines) + "\n"


def _check_shown(value, written, source):
    shown = ast.literal_eval(written)
    assert _agrees(value, shown, written), f"{source} gives {value!r}; the page shows {written}"


def test_comment_values_are_checked():
    namespace = {"__shown__": _check_shown}
    exec(checked("x = 0.96889\nx  # 0.9689, as rounded\n(3, 0)  # (3, 0)\n"), namespace)
    exec(checked("[x, 2]  # [0.969, 2]\nx > 0  # True: a bool\n"), namespace)
    with pytest.raises(AssertionError, match="the page shows 0.96"):
        exec(checked("x = 0.96889\nx  # 0.96\n"), namespace)
    with pytest.raises(AssertionError):
        exec(checked("(3, 1)  # (3, 0)\n"), namespace)
    exec(checked("x = 1\nx  # rows sum to 1\n"), namespace)  # words: nothing to check


# ---------------------------------------------------------------- snippets


def test_the_pages_are_found_and_have_snippets():
    names = {page.relative_to(ROOT).as_posix() for page in PAGES if snippets(page)}
    assert {"README.md", "docs/getting_started.md", "docs/user_guide/search.md"} <= names
    assert len(names) >= 10


@pytest.mark.parametrize(
    "page", [p for p in PAGES if snippets(p)], ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_snippets_run_and_show_what_they_give(page, tmp_path, monkeypatch):
    blocks = snippets(page)
    if any("fetch_fashion_mnist(" in block for block in blocks):
        monkeypatch.setenv("SK_SOFTMAX_DATA", _official_data_home())
    monkeypatch.chdir(tmp_path)  # files the snippets write land here
    matplotlib.use("Agg")
    namespace = {"__name__": "__main__", "__shown__": _check_shown}
    for number, block in enumerate(blocks, 1):
        code = compile(checked(block), f"{page.name}, python block {number}", "exec")
        exec(code, namespace)


# ----------------------------------------------------------------- numbers


def _prose_and_code(page):
    """A page's text without the markers' HTML comments."""
    return re.sub(r"<!--.*?-->", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_time_and_ratio_is_a_measured_number(page):
    missing = render.unmeasured(_prose_and_code(page), render.measured_values())
    assert not missing, f"not in any results file: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_marked_numbers_are_what_the_results_files_hold(page):
    text = page.read_text(encoding="utf-8")
    assert render.rendered(text) == text, "run python benchmarks/render.py"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_numbers_in_sentences_stay_in_their_sentence(page):
    # A line that starts with an HTML comment starts an HTML block in Markdown, which
    # cuts the paragraph in two: a value or cell marker goes inside a line.
    text = page.read_text(encoding="utf-8")
    assert not re.findall(r"^\s*<!-- (?:value|cell) .*$", text, re.MULTILINE)


def test_unmeasured_finds_times_and_ratios_that_no_result_gives():
    numbers = {1.234, 5.6}
    assert render.unmeasured("took 1.23 s, 5.6x faster, 1.2 s", numbers) == []
    assert render.unmeasured("took 1.3 s and 450 ms, 4.2x", numbers) == ["1.3 s", "450 ms", "4.2x"]


# ------------------------------------------------------------ the main job


def test_the_readme_shows_what_the_main_job_prints():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme.split("python examples/quickstart.py\n```\n", 1)[1]
    shown = re.match(r"\s*```\n(.*?)```", after, re.DOTALL).group(1)
    spec = importlib.util.spec_from_file_location("quickstart", ROOT / "examples" / "quickstart.py")
    quickstart = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(quickstart)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        quickstart.main([])
    assert printed.getvalue() == shown


def test_the_errors_page_shows_why_the_default_fit_stopped(digits_split, capsys):
    page = (ROOT / "docs" / "user_guide" / "errors.md").read_text(encoding="utf-8")
    (shown,) = re.findall(r"^Training stopped after .*$", page, re.MULTILINE)
    from sk_softmax import SoftmaxClassifier

    X_train, _, y_train, _ = digits_split
    SoftmaxClassifier(random_state=0, verbose=1).fit(X_train, y_train)
    assert shown in capsys.readouterr().out.splitlines()


def test_the_chapter_page_shows_the_measured_chapter_fit():
    page = (ROOT / "docs" / "chapter.md").read_text(encoding="utf-8")
    accuracy = re.search(r"^test accuracy (\S+) after 10 epochs$", page, re.MULTILINE).group(1)
    table = render.load("bench_chapter")["tables"]["chapter"]
    seed_0 = next(row for row in table["rows"] if row[0].endswith("random_state=0"))
    assert float(accuracy) == seed_0[1]


# ------------------------------------------------------------ the built site


def _check_site():
    spec = importlib.util.spec_from_file_location("check_site", ROOT / "docs" / "check_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_site_check_finds_unmeasured_numbers_build_paths_and_progress_bars(tmp_path):
    check = _check_site()
    numbers = {1.23}
    page = tmp_path / "page.html"

    def problems(body):
        page.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
        return check.page_problems(page, numbers)

    assert problems("<p>fit in 1.23 s, docs/_build/html</p>") == []
    assert problems("<p>fit in 4.5 s</p>") == ["shows '4.5 s', which no results file holds"]
    assert problems("<p>wrote /tmp/x/docs/_build/a.png</p>")[0].startswith("shows a build path")
    bar = '<div class="sphx-glr-script-out"><pre>epoch:  40%|####      | 2/5</pre></div>'
    assert problems(bar)[0].startswith("shows a progress bar")
    output = '<div class="sphx-glr-script-out"><pre>search took 9.9 s</pre></div>'
    assert "without saying it was measured" in problems(output)[0]
    labelled = f"<p>{check.MEASURED_DURING_BUILD}</p>{output}"
    assert problems(labelled) == []
    hidden = "<script>var t = '7.7 s';</script><style>a{}</style>"
    assert problems(hidden) == []
