"""`make tutorial`'s work: executing every tutorial (each timed), then building the site, first
from an empty cache and again with nothing changed (full mode only)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from _harness import Row

ROOT = Path(__file__).resolve().parent.parent


def run(quick: bool) -> list[Row]:
    if quick:
        return []  # executing the whole course takes minutes; the test suite does it anyway
    sys.path.insert(0, str(ROOT / "tutorials"))
    import book

    with tempfile.TemporaryDirectory() as tmp:
        out, cache = Path(tmp) / "site", Path(tmp) / "jupyter_cache"
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        book.build(book.tutorial_paths(), out, cache, timings=timings)  # empty cache: runs all
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        book.build(book.tutorial_paths(), out, cache)  # nothing changed: nothing executed
        again = time.perf_counter() - t0
    total = sum(timings.values())
    rows = [
        Row(
            "tutorials",
            f"execute {name}",
            "nbclient",
            secs,
            "all tutorials",
            secs / total,
            "share of the whole course",
        )
        for name, secs in timings.items()
    ]
    return rows + [
        Row(
            "tutorials",
            "execute all tutorials",
            "nbclient",
            total,
            "all tutorials",
            1.0,
            f"{len(timings)} notebooks, into an empty jupyter-cache",
        ),
        Row(
            "tutorials",
            "make tutorial, first build",
            "execute + Sphinx",
            first,
            "execute all tutorials",
            first / total,
            f"the site built in {first - total:.0f} s more (target: at most 60 s more)",
        ),
        Row(
            "tutorials",
            "make tutorial, no change",
            "jupyter-cache + Sphinx",
            again,
            "execute all tutorials",
            again / total,
            "nothing re-executed (target: at most 30 s)",
        ),
    ]
