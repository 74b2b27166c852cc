"""Figures for the tutorials (matplotlib). Not imported by ``import diffprog``.

One module per topic (``diffprog_course.plotting.limits``, ...), each function drawing pure data
and returning the matplotlib ``Figure`` (its axes are ``fig.axes``), as ARCHITECTURE.md's
conventions say; ``new_axes`` alone returns ``(fig, axes)``, like ``plt.subplots``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

__all__ = ["new_axes"]


def new_axes(ncols: int = 1, nrows: int = 1, width: float = 5.0, height: float = 3.6, **kw):
    """A figure with ``nrows x ncols`` axes in the course's house style: ``(fig, axes)``."""
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width * ncols, height * nrows), constrained_layout=True, **kw
    )
    for ax in fig.axes:
        ax.grid(True, alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    return fig, axes
