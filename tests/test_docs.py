"""The API reference's sources: one maths markup in the docstrings, every public name on a page.

The site build itself (Sphinx with -W, in tests/test_tutorials.py) is the full check; these are the
quick ones that need no Sphinx run.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOLLAR_MATHS = re.compile(r"(?<![\w`\\])\$[^$\s][^$\n]*\$(?!\w)")


@pytest.fixture(scope="module")
def site_ext():
    pytest.importorskip("sphinx", reason="sphinx is in the tutorials extra")
    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    try:
        import diffprog_site
    finally:
        sys.path.pop(0)
    return diffprog_site


def test_dollar_maths_is_detected():
    assert DOLLAR_MATHS.search(r"where $x \ne 0$ holds")
    assert not DOLLAR_MATHS.search(r"where :math:`x \ne 0` holds, costs $5 or ``$HOME``")


def test_docstring_maths_is_rest(site_ext):
    """Maths in docstrings is ``:math:`` / ``.. math::`` (rendered on the site), never $...$."""
    docs = {name: inspect.getdoc(obj) or "" for name, obj in site_ext.public_objects().items()}
    for modname in site_ext.public_modules():
        docs[modname] = importlib.import_module(modname).__doc__ or ""
    bad = {name: m.group(0) for name, doc in docs.items() if (m := DOLLAR_MATHS.search(doc))}
    assert not bad, f"$...$ maths in docstrings (write :math:`...`): {bad}"


def test_every_public_module_has_an_api_page(site_ext):
    """Each public name's defining module is covered by a `diffprog-api` directive."""
    directives = " ".join(p.read_text() for p in (ROOT / "docs" / "api").glob("*.rst"))
    prefixes = [
        p for line in re.findall(r"\.\. diffprog-api:: (.+)", directives) for p in line.split()
    ]
    missing = sorted(
        home
        for home, obj in site_ext.public_objects().items()
        if not site_ext._matches(site_ext.defining_module(home, obj), prefixes)
    )
    assert not missing, f"public names on no API page: {missing}"
