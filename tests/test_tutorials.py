"""Every tutorial: in sync with its text twin, in the course's shape, and executed (errors fatal)."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TWINS = sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.md"))
IDS = [p.stem for p in TWINS]

# Every tutorial has these parts, in this order (d2l's one shape).
SECTIONS = ["## Motivation", "## Summary", "## Exercises"]


def test_there_are_tutorials():
    assert TWINS, "no tutorials found in tutorials/"


@pytest.mark.parametrize("md", TWINS, ids=IDS)
def test_notebook_in_sync_with_text_twin(md, book):
    assert not book.sync([md], check_only=True), (
        f"{md.with_suffix('.ipynb').name} is out of date with {md.name}: run `make sync`"
    )


@pytest.mark.parametrize("md", TWINS, ids=IDS)
def test_notebook_has_no_outputs(md):
    import nbformat

    nb = nbformat.read(md.with_suffix(".ipynb"), as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("md", TWINS, ids=IDS)
def test_tutorial_shape(md, book):
    nb = book.notebook_from_twin(md)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    positions = [text.find(s) for s in SECTIONS]
    assert all(p >= 0 for p in positions), f"{md.name} lacks one of {SECTIONS}"
    assert positions == sorted(positions), f"{md.name}: sections out of order {SECTIONS}"
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert "import diffprog" in first_code.source and "pip install" in first_code.source, (
        f"{md.name}: the first code cell must install diffprog when missing (for Colab)"
    )
    assert re.search(r"^# \S", nb.cells[0].source, re.M), f"{md.name}: start with a '# Title' cell"


@pytest.fixture(scope="session")
def executed():
    """The notebooks executed so far in this session: [(href, title, seconds, nb)]."""
    return []


@pytest.mark.tutorial
@pytest.mark.parametrize("md", TWINS, ids=IDS)
def test_tutorial_executes(md, book, executed):
    t0 = time.perf_counter()
    nb = book.execute(md)
    images = sum(
        1 for c in nb.cells if c.cell_type == "code"
        for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    )
    assert images >= 1, f"{md.name} produced no figure"
    executed.append((md.stem + ".html", book.title_of(nb), time.perf_counter() - t0, nb))


@pytest.mark.tutorial
def test_book_in_a_browser(book, executed, tmp_path_factory):
    """The book of the notebooks executed above, opened in headless Chromium: figures load,
    maths is typeset, links resolve, no console errors, nothing fetched from the network."""
    if not executed:
        pytest.skip("no tutorial was executed in this session (deselected?)")
    sys.path.insert(0, str(ROOT / "tutorials"))
    try:
        import check_book
    finally:
        sys.path.pop(0)
    if not check_book.chromium_path():
        pytest.skip("Chromium not installed (Debian: apt-get install chromium); .ci/run installs it")
    pytest.importorskip("playwright", reason="playwright is in the test extra: run `make test`")
    out = tmp_path_factory.mktemp("book")
    book.write_book(out, sorted(executed, key=lambda e: e[0]))
    reports = check_book.check_book(out)
    assert len(reports) == len(executed) + 1
    problems = [f"{r.name}: {p}" for r in reports for p in r.problems]
    assert not problems, "\n".join(problems)
    assert all(r.images >= 1 for r in reports if r.name != "index.html")
