"""The documentation's Python snippets run: every ```python block of the README
and of docs/, each page's blocks in order in one namespace, as a reader would
paste them."""

import re
from pathlib import Path

import matplotlib
import pytest
from test_datasets import _official_data_home

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def snippets(page):
    return BLOCK.findall(page.read_text(encoding="utf-8"))


def test_the_pages_are_found_and_have_snippets():
    names = {page.relative_to(ROOT).as_posix() for page in PAGES if snippets(page)}
    assert {"README.md", "docs/getting_started.md", "docs/user_guide/search.md"} <= names
    assert len(names) >= 10


@pytest.mark.parametrize(
    "page", [p for p in PAGES if snippets(p)], ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_snippets_run(page, tmp_path, monkeypatch):
    blocks = snippets(page)
    if any("fetch_fashion_mnist(" in block for block in blocks):
        monkeypatch.setenv("SK_SOFTMAX_DATA", _official_data_home())
    monkeypatch.chdir(tmp_path)  # files the snippets write land here
    matplotlib.use("Agg")
    namespace = {"__name__": "__main__"}
    for number, block in enumerate(blocks, 1):
        code = compile(block, f"{page.name}, python block {number}", "exec")
        exec(code, namespace)
