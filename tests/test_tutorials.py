"""Every tutorial: in sync with its text twin, in the course's shape, executed (errors fatal)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Two digits, and a letter for a second part: 08_..., 08b_..., 09_...
TWINS = sorted((ROOT / "tutorials").glob("[0-9][0-9]*_*.md"))
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
    """The tutorials executed so far in this session (their stems)."""
    return []


@pytest.fixture(scope="session")
def notebook_cache(tmp_path_factory):
    """A jupyter-cache for this session: the site build below reuses what was executed here."""
    return tmp_path_factory.mktemp("jupyter_cache")


@pytest.mark.tutorial
@pytest.mark.parametrize("md", TWINS, ids=IDS)
def test_tutorial_executes(md, book, executed, notebook_cache):
    nb = book.execute(md, cache=notebook_cache)
    images = sum(
        1
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    )
    assert images >= 1, f"{md.name} produced no figure"
    assert book.is_cached(md, notebook_cache), f"{md.name}: executed but not found in the cache"
    executed.append(md.stem)


@pytest.mark.tutorial
def test_site_in_a_browser(book, executed, notebook_cache, tmp_path_factory):
    """The site built by Sphinx (-W: warnings are errors) from the notebooks executed above,
    opened in headless Chromium: every page loads with its figures and typeset maths, no
    console error, nothing fetched from the network; search finds "gradient"; a worked
    solution opens and closes; the API page of diffprog.limit renders its maths."""
    if not executed:
        pytest.skip("no tutorial was executed in this session (deselected?)")
    sys.path.insert(0, str(ROOT / "tutorials"))
    try:
        import check_site
    finally:
        sys.path.pop(0)
    if not check_site.chromium_path():
        pytest.skip(
            "Chromium not installed (Debian: apt-get install chromium); .ci/run installs it"
        )
    pytest.importorskip("playwright", reason="playwright is in the test extra: run `make test`")
    out = tmp_path_factory.mktemp("site") / "site"
    # Nothing is executed here: the tutorials above are in the cache, the others are not run.
    book.build_site(out, notebook_cache, executed=executed, strict=True)
    reports = check_site.check_site(out, executed=executed)
    problems = [f"{r.name}: {p}" for r in reports for p in r.problems]
    assert not problems, "\n".join(problems)
    pages = {r.name for r in reports}
    assert {f"tutorials/{t.stem}.html" for t in TWINS} <= pages
    assert "api/limits.html" in pages and "search.html" in pages
