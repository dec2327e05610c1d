"""Put the measured numbers into the README and the documentation, from the results files.

The benchmarks write what they measure to ``benchmarks/results/<name>.json``
(``_report.Results``). A Markdown page takes a number from there through a
marker, and this script writes the number in:

- a table: ``<!-- results NAME TABLE -->`` ... ``<!-- /results -->`` becomes the
  table ``TABLE`` of ``results/NAME.json``, followed by the command that measured
  it and the machine it ran on;
- a value in a sentence: ``<!-- value NAME KEY -->`` ... ``<!-- /value -->``
  becomes the value ``KEY`` of ``results/NAME.json``;
- a table cell: ``<!-- cell NAME TABLE ROW | COLUMN -->`` ... ``<!-- /cell -->``
  becomes the cell of the row whose first column is ``ROW``.

Every time (``12.3 s``, ``450 ms``) and ratio (``4.2x``) a page shows must be a
number some results file holds, as rounded on the page (:func:`unmeasured`);
the test suite checks the Markdown pages and ``docs/check_site.py`` the built
site.

::

    python benchmarks/render.py           # rewrite README.md and docs/**/*.md
    python benchmarks/render.py --check   # fail where a page is not what the results say
"""

import argparse
import json
import re
import sys

from _report import RESULTS, cell, describe, markdown

ROOT = RESULTS.parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
_TABLE = re.compile(r"(<!-- results (\S+) (\S+) -->\n).*?(<!-- /results -->)", re.DOTALL)
_VALUE = re.compile(r"(<!-- value (\S+) (\S+) -->).*?(<!-- /value -->)", re.DOTALL)
_CELL = re.compile(r"(<!-- cell (\S+) (\S+) (.+?) \| (.+?) -->).*?(<!-- /cell -->)", re.DOTALL)


def load(name):
    path = RESULTS / f"{name}.json"
    if not path.exists():
        raise SystemExit(f"{path.relative_to(ROOT)} is missing: run the benchmark that writes it")
    return json.loads(path.read_text())


def measured_by(result, note=""):
    """The line under a table: what it shows, what measured it, where, when."""
    machine = result["machine"]
    shown = f"{note.rstrip('.')}. " if note else ""
    return f"*{shown}Measured by `{result['command']}` on {describe(machine)}, {machine['date']}.*"


def _table(match):
    result = load(match.group(2))
    table = result["tables"][match.group(3)]
    line = measured_by(result, table.get("note", ""))
    return f"{match.group(1)}{markdown(table)}\n\n{line}\n{match.group(4)}"


def _value(match):
    return f"{match.group(1)}{cell(load(match.group(2))['values'][match.group(3)])}{match.group(4)}"


def _cell(match):
    table = load(match.group(2))["tables"][match.group(3)]
    row = next(r for r in table["rows"] if str(r[0]) == match.group(4))
    value = row[table["columns"].index(match.group(5))]
    return f"{match.group(1)}{cell(value)}{match.group(6)}"


def rendered(text):
    """``text`` with every marked number written in from the results files."""
    return _CELL.sub(_cell, _VALUE.sub(_value, _TABLE.sub(_table, text)))


_TIME = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?) ?(?:s|ms|µs|min)\b")
_RATIO = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?) ?[x×](?![\w])(?! *\d)")


def measured_values():
    """Every number in every results file."""
    numbers = set()
    for path in RESULTS.glob("*.json"):
        result = json.loads(path.read_text())
        cells = [c for t in result["tables"].values() for row in t["rows"] for c in row]
        for value in [*cells, *result["values"].values()]:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                numbers.add(float(value))
    return numbers


def unmeasured(text, numbers):
    """The times and ratios in ``text`` that no results number gives, as rounded there."""
    missing = []
    for pattern in (_TIME, _RATIO):
        for match in pattern.finditer(text):
            shown = match.group(1)
            decimals = len(shown.split(".")[1]) if "." in shown else 0
            tolerance = 0.5 * 10**-decimals + 1e-9
            if not any(abs(n - float(shown)) <= tolerance for n in numbers):
                missing.append(match.group(0))
    return missing


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; fail if stale")
    args = parser.parse_args(argv)
    stale = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        new = rendered(text)
        if new != text:
            stale.append(page.relative_to(ROOT).as_posix())
            if not args.check:
                page.write_text(new, encoding="utf-8")
    if args.check and stale:
        print("Not what the results files say (run python benchmarks/render.py):", *stale)
        return 1
    print(("stale: " if args.check else "rewrote: ") + (", ".join(stale) or "nothing"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
