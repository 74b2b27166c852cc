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
    assert (p.optional.words, p.optional.code_lines, p.optional.exercises) == (0, 0, 0)


def test_pace_counts_an_optional_section_apart(tmp_path):
    """An ``## Optional: ...`` section, up to the next ``## `` heading, is counted apart."""
    md = tmp_path / "99_tiny.md"
    code = "```{code-cell} ipython3\n## not a heading\nx = 1\n```\n"
    md.write_text(
        "---\njupytext: x\n---\n# Tiny\none two three\n\n"
        "## Optional: more\n\n> **Optional — skip on a first reading.** Four.\n\n"
        f"{code}\n### Exercise 99.1\n\n{code}"
        "## Summary\n\nfive six\n\n### Exercise 99.2\n"
    )
    p = pace.pace(md)
    # core: "# Tiny" 2 + 3 words, "## Summary" 2 + 2, "### Exercise 99.2" 3; no code.
    assert (p.core.words, p.core.code_lines, p.core.exercises) == (12, 0, 1)
    # optional: the heading 3, the note 9 (">" and "—" are words too), "### Exercise 99.1" 3;
    # two cells of 2 lines each
    # (the "## " line inside a cell is code, not a heading that would end the section).
    assert (p.optional.words, p.optional.code_lines, p.optional.exercises) == (15, 4, 1)
    assert p.minutes == pytest.approx(12 / 120 + 5)
    assert p.optional_minutes == pytest.approx(15 / 120 + 0.2 * 4 + 5)


def test_every_tutorial_is_in_the_pace_table():
    numbers = {md.name.split("_")[0] for md in (ROOT / "tutorials").glob("[0-9][0-9]*_*.md")}
    assert numbers == {p.number for p in map(pace.pace, pace.tutorials())}


def test_index_lists_every_tutorial():
    """docs/index.md's toctree and course table name every tutorial (08b included)."""
    text = (ROOT / "docs" / "index.md").read_text()
    for md in pace.tutorials():
        assert f"\ntutorials/{md.stem}\n" in text, f"{md.stem} is missing from the toctree"
        assert f"{{doc}}`tutorials/{md.stem}`" in text, f"{md.stem} is missing from the table"
