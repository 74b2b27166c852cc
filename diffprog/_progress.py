"""Progress bars for the loops a person waits on, switched by tqdm's own rules.

:func:`progress` hands the loop to tqdm with ``disable=None``: a bar on a terminal or in a
notebook, none when the output goes to a file or a pipe (pytest's capture, CI logs). tqdm's own
environment switch ``TQDM_DISABLE=1`` turns every bar off (the headless tutorial runs of
``tutorials/book.py`` set it: they show progress per cell instead). tqdm is imported only when a
bar may be shown, keeping ``import diffprog`` light; without tqdm installed the loop runs plainly.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from . import _validate as v

__all__ = ["progress"]

T = TypeVar("T")

_OFF = ("1", "true", "yes", "on")


def _tqdm_disabled() -> bool:
    """Whether ``TQDM_DISABLE`` (tqdm's own switch) asks for no bars."""
    return os.environ.get("TQDM_DISABLE", "").strip().lower() in _OFF


def _tqdm_class() -> Any:
    """tqdm's notebook widget where ipywidgets exists (Colab, Jupyter), else its text bar."""
    try:
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm.std import tqdm
    return tqdm


def watching() -> bool:
    """Whether :func:`progress` with ``enabled=None`` would show a bar (tqdm's rules, read ahead).

    Callers that change their work for a bar (``fit`` runs in more chunks so that it moves) ask
    this before the loop starts.
    """
    if _tqdm_disabled() or importlib.util.find_spec("tqdm") is None:
        return False
    notebook = "ipykernel" in sys.modules and importlib.util.find_spec("ipywidgets") is not None
    return notebook or (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())


def progress(
    iterable: Iterable[T],
    total: int | None = None,
    desc: str | None = None,
    enabled: bool | None = None,
) -> Iterator[T]:
    """Iterate over ``iterable`` with a progress bar (tqdm) where someone can see it.

    Args:
        iterable: what to loop over.
        total: the number of items, for the bar's length (default: ``len(iterable)`` if it
            has one), an int >= 0.
        desc: the bar's label.
        enabled: ``True`` always shows a bar, ``False`` never; ``None`` (default) leaves it to
            tqdm: a bar on a terminal or in a notebook, none when the output is not a terminal,
            none when the environment sets ``TQDM_DISABLE=1``.

    Returns:
        An iterator over the items of ``iterable``, in order.

    Raises:
        InputError: ``iterable`` is not iterable, ``total`` not an int >= 0, or ``enabled``
            not True, False or None.

    Example:
        >>> from diffprog import progress
        >>> [x * x for x in progress(range(4), enabled=False)]
        [0, 1, 4, 9]
    """
    func = "progress"
    if not isinstance(iterable, Iterable):
        raise v.fail(
            func,
            f"iterable must be iterable, got {type(iterable).__name__} {v._show(iterable)}",
            "Pass a sequence or an iterator, e.g. progress(range(n))",
        )
    if total is not None:
        total = v.check_int(func, "total", total, 0)
    if enabled is not None and not isinstance(enabled, bool):
        raise v.fail(
            func,
            f"enabled must be True, False or None, got {v._show(enabled)}",
            "Leave enabled=None to let tqdm decide (a bar on a terminal or in a notebook)",
        )
    return _iterate(iterable, total, desc, enabled)


def _iterate(
    iterable: Iterable[T], total: int | None, desc: str | None, enabled: bool | None
) -> Iterator[T]:
    if enabled is False or (enabled is None and _tqdm_disabled()):
        yield from iterable
        return
    try:
        tqdm = _tqdm_class()
    except ImportError:  # tqdm is not a dependency of the library: no bar, the same loop
        yield from iterable
        return
    # disable=None is tqdm's own rule: no bar when the output is not a terminal (a notebook
    # widget always shows). Passing it overrides tqdm's reading of TQDM_DISABLE: read above.
    disable = None if enabled is None else False
    yield from tqdm(iterable, total=total, desc=desc, leave=False, disable=disable)
