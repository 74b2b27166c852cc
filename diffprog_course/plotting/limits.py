"""Figures for tutorials 01 and 02: zooming in, exhaustion, approaching a point, asymptotes.

Each function computes what it draws from ``f`` (called through ``jax.vmap`` on a grid)
and returns ``(fig, axes)``; nothing is shown or saved here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from diffprog.exhaustion import polygon_area

from . import new_axes

__all__ = [
    "approach_both_sides",
    "asymptote_safe",
    "exhaustion_polygons",
    "plot_function",
    "riemann_rectangles",
    "zoom_until_straight",
]


def _values(f: Callable, x: np.ndarray) -> np.ndarray:
    return np.asarray(jax.vmap(f)(jnp.asarray(x)), dtype=np.float64)


def asymptote_safe(x: np.ndarray, y: np.ndarray, ylim: float) -> np.ndarray:
    """``y`` with NaN where a line plot would lie: beyond ``±ylim``, and across jumps.

    Matplotlib joins consecutive points, so across a vertical asymptote (1/x at 0) it draws
    a false near-vertical segment from −big to +big. Values outside ``[-ylim, ylim]`` are
    hidden, and so is a point whose step from its neighbour exceeds ``ylim`` (a change larger
    than the visible window between two grid points is a jump or a pole, not a curve).
    """
    y = np.array(y, dtype=np.float64)
    y[~np.isfinite(y) | (np.abs(y) > ylim)] = np.nan
    big_step = np.abs(np.diff(y)) > ylim
    y[1:][big_step] = np.nan
    return y


def plot_function(
    f: Callable, a: float, b: float, ax=None, ylim: float = 10.0, num: int = 2001, **kw
):
    """Plot ``f`` on ``[a, b]`` without false lines across vertical asymptotes or jumps."""
    if ax is None:
        _, ax = new_axes()
    x = np.linspace(a, b, num)
    y = asymptote_safe(x, _values(f, x), ylim)
    ax.plot(x, y, **kw)
    ax.set_ylim(-ylim * 1.05, ylim * 1.05)
    return ax.figure


def zoom_until_straight(
    f: Callable, x0: float, widths: Sequence[float] = (2.0, 0.5, 0.1, 0.02), label: str = "f"
):
    """Panels zooming into ``f`` around ``x0``: at small widths the curve looks straight.

    Each panel shows ``f`` on ``[x0 - w, x0 + w]`` and the chord through its ends; the title
    gives the largest gap between curve and chord relative to the panel's height, which
    shrinks like ``w`` (the curve becomes its tangent line).
    """
    fig, axes = new_axes(ncols=len(widths), width=3.2, height=3.0)
    for ax, w in zip(np.atleast_1d(axes), widths, strict=True):
        x = np.linspace(x0 - w, x0 + w, 201)
        y = _values(f, x)
        chord = y[0] + (y[-1] - y[0]) * (x - x[0]) / (x[-1] - x[0])
        height = max(np.ptp(y), 1e-300)
        ax.plot(x, y, lw=2, label=label)
        ax.plot(x, chord, "--", lw=1, color="gray", label="chord")
        ax.plot([x0], _values(f, np.array([x0])), "o", color="C3")
        ax.set_title(f"width {2 * w:g}: gap {np.max(np.abs(y - chord)) / height:.1%}")
    np.atleast_1d(axes)[0].legend(loc="best")
    return fig


def _polygon(n: int, circumscribed: bool) -> np.ndarray:
    angles = 2 * np.pi * np.arange(n + 1) / n
    r = 1 / np.cos(np.pi / n) if circumscribed else 1.0
    return r * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def exhaustion_polygons(ns: Sequence[int] = (4, 8, 16)):
    """The unit circle between inscribed and circumscribed regular n-gons, one panel per n."""
    fig, axes = new_axes(ncols=len(ns), width=3.2, height=3.3)
    t = np.linspace(0, 2 * np.pi, 400)
    for ax, n in zip(np.atleast_1d(axes), ns, strict=True):
        inner, outer = _polygon(n, False), _polygon(n, True)
        ax.fill(outer[:, 0], outer[:, 1], color="C1", alpha=0.25, label="circumscribed")
        ax.fill(inner[:, 0], inner[:, 1], color="C0", alpha=0.45, label="inscribed")
        ax.plot(np.cos(t), np.sin(t), color="k", lw=1.2)
        lo, hi = float(polygon_area(n)), float(polygon_area(n, "circumscribed"))
        ax.set_title(f"n = {n}: {lo:.4f} < π < {hi:.4f}", fontsize=10)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    np.atleast_1d(axes)[0].legend(loc="lower left", fontsize=8)
    return fig


def riemann_rectangles(f: Callable, a: float, b: float, n: int, rule: str = "left", ax=None):
    """``f`` on ``[a, b]`` with the ``n`` rectangles (or trapezoids) of a Riemann sum."""
    from diffprog.exhaustion import RULES

    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}.")
    if ax is None:
        fig, ax = new_axes()
    else:
        fig = ax.figure
    x = np.linspace(a, b, 400)
    ax.plot(x, _values(f, x), color="k", lw=2)
    edges = np.linspace(a, b, n + 1)
    dx = (b - a) / n
    if rule == "trapezoid":
        ye = _values(f, edges)
        for i in range(n):
            ax.fill(
                [edges[i], edges[i], edges[i + 1], edges[i + 1]],
                [0, ye[i], ye[i + 1], 0],
                color="C0",
                alpha=0.35,
                ec="C0",
            )
    else:
        at = {"left": edges[:-1], "right": edges[1:], "midpoint": edges[:-1] + dx / 2}[rule]
        ax.bar(edges[:-1], _values(f, at), width=dx, align="edge", color="C0", alpha=0.35, ec="C0")
    ax.set_title(f"{rule} sum, n = {n}")
    return fig


def approach_both_sides(
    f: Callable,
    x0: float,
    steps: Sequence[float] = (0.5, 0.25, 0.1, 0.05, 0.01),
    width: float = 1.0,
    ylim: float | None = None,
    ax=None,
):
    """``f`` near ``x0`` with points ``x0 ± h`` marching in from the left and the right.

    ``f`` is never evaluated at ``x0`` itself (a dotted vertical line marks it).
    """
    if ax is None:
        fig, ax = new_axes()
    else:
        fig = ax.figure
    left = np.linspace(x0 - width, x0, 400, endpoint=False)
    right = np.linspace(x0 + width, x0, 400, endpoint=False)[::-1]
    for xs in (left, right):
        y = _values(f, xs)
        ax.plot(xs, asymptote_safe(xs, y, ylim) if ylim else y, color="k", lw=1.5)
    h = np.asarray(steps, dtype=np.float64)
    ax.plot(x0 - h, _values(f, x0 - h), "o", color="C0", label="from the left")
    ax.plot(x0 + h, _values(f, x0 + h), "s", color="C3", label="from the right")
    ax.axvline(x0, color="gray", lw=0.8, ls=":")
    if ylim:
        ax.set_ylim(-ylim, ylim)
    ax.legend(loc="best")
    ax.set_title(f"approaching x0 = {x0:g}" if math.isfinite(x0) else "approaching")
    return fig
