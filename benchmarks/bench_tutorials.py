"""`make tutorial`'s work: executing every tutorial, each timed (full mode only)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from _harness import Row

ROOT = Path(__file__).resolve().parent.parent


def run(quick: bool) -> list[Row]:
    if quick:
        return []  # executing the whole course takes minutes; the test suite does it anyway
    sys.path.insert(0, str(ROOT / "tutorials"))
    import book

    rows, total = [], 0.0
    for md in book.tutorial_paths():
        t0 = time.perf_counter()
        book.execute(md)
        secs = time.perf_counter() - t0
        total += secs
        rows.append((md.stem, secs))
    return [Row("tutorials", f"execute {name}", "nbclient", secs, "all tutorials", secs / total,
                "share of the whole course") for name, secs in rows] + [
        Row("tutorials", "execute all tutorials", "nbclient", total, "all tutorials", 1.0,
            f"{len(rows)} notebooks; `make tutorial` adds the HTML export")]
