"""Progress bars for loops a person waits on, and silence where nobody watches.

A bar is shown when a person is plausibly watching (an interactive terminal or a
notebook), and never under pytest, in CI (``CI`` set) or when ``DIFFPROG_PROGRESS=0``
(which the tutorials' headless execution sets: its progress is per cell instead).
tqdm is imported only when a bar is actually shown, keeping ``import diffprog`` light.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def watching() -> bool:
    """Whether a person is plausibly watching this process's output."""
    flag = os.environ.get("DIFFPROG_PROGRESS")
    if flag is not None:
        return flag not in ("0", "false", "no", "")
    if os.environ.get("CI") or "PYTEST_CURRENT_TEST" in os.environ or "pytest" in sys.modules:
        return False
    return "ipykernel" in sys.modules or sys.stderr.isatty()


def progress(
    iterable: Iterable[T],
    total: int | None = None,
    desc: str | None = None,
    enabled: bool | None = None,
) -> Iterator[T]:
    """Iterate over ``iterable``, with a tqdm bar if ``enabled`` (default: if someone is watching)."""
    if not (watching() if enabled is None else enabled):
        yield from iterable
        return
    try:  # a notebook widget where ipywidgets exists (Colab, Jupyter), else a text bar
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm.std import tqdm

    yield from tqdm(iterable, total=total, desc=desc, leave=False)
