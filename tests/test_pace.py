"""The closing notes' tables in docs/index.md are what tutorials/pace.py computes (not copied)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tutorials"))
import pace  # noqa: E402

sys.path.pop(0)


def test_index_tables_match_the_script():
    text = (ROOT / "docs" / "index.md").read_text()
    assert pace.filled(text) == text, "run `python tutorials/pace.py --write` to refresh them"


def test_pace_counts_a_known_tutorial(tmp_path):
    """The estimate on a tiny tutorial counted by hand: 240 words, 5 code lines, 2 exercises."""
    md = tmp_path / "99_tiny.md"
    prose = " ".join(["word"] * 236)
    code = (
        "```{code-cell} ipython3\n:tags: [solution]\n\na = 1\nb = 2\n\nc = 3\nd = 4\ne = 5\n```\n"
    )
    md.write_text(
        f"---\njupytext: x\n---\n# Tiny\n{prose}\n\n+++\n\n### Exercise 99.1\n\n{code}"
        "### Exercise 99.2\n"
    )
    p = pace.pace(md)
    # words: "# Tiny" is 2, the prose 236, two headings "### Exercise 99.k" 3 each.
    assert (p.words, p.code_lines, p.exercises) == (2 + 236 + 6, 5, 2)
    assert p.minutes == pytest.approx((2 + 236 + 6) / 120 + 0.2 * 5 + 5 * 2)


def test_every_tutorial_is_in_the_pace_table():
    numbers = {md.name.split("_")[0] for md in (ROOT / "tutorials").glob("[0-9][0-9]*_*.md")}
    assert numbers == {p.number for p in map(pace.pace, pace.tutorials())}


def test_index_lists_every_tutorial():
    """docs/index.md's toctree and course table name every tutorial (08b included)."""
    text = (ROOT / "docs" / "index.md").read_text()
    for md in pace.tutorials():
        assert f"\ntutorials/{md.stem}\n" in text, f"{md.stem} is missing from the toctree"
        assert f"{{doc}}`tutorials/{md.stem}`" in text, f"{md.stem} is missing from the table"
