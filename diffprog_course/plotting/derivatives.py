"""Figures for derivatives: secants turning into the tangent, and the error-versus-step V."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from . import new_axes

__all__ = ["error_vs_h", "function_and_derivative", "secant_to_tangent"]


def secant_to_tangent(
    f: Callable,
    x0: float,
    dxs: Sequence[float],
    slope: float,
    xlim: tuple[float, float] | None = None,
):
    """The secants through P = (x0, f(x0)) and Q = (x0 + dx, f(x0 + dx)) as Q moves to P.

    Left: the curve, the secant lines (fading as dx shrinks) and the tangent of slope
    ``slope``. Right: each secant's slope against dx, approaching ``slope``.

    Returns:
        The figure (its axes: the secants, then the slopes against dx).
    """
    steps = np.asarray(dxs, dtype=np.float64)
    reach = 1.2 * float(np.max(steps))
    lo, hi = xlim if xlim is not None else (x0 - reach, x0 + reach)
    xs = np.linspace(lo, hi, 200)
    y0 = float(f(x0))
    fig, (ax, ax2) = new_axes(ncols=2)
    ax.plot(xs, np.asarray(f(xs)), color="k", lw=2, label="f")
    slopes = []
    for i, dx in enumerate(steps):
        y1 = float(f(x0 + dx))
        m = (y1 - y0) / dx
        slopes.append(m)
        c = (0.2, 0.4, 0.9, 0.25 + 0.75 * (i + 1) / len(steps))
        ax.plot(xs, y0 + m * (xs - x0), color=c, lw=1)
        ax.plot([x0 + dx], [y1], "o", color=c, ms=4)
    ax.plot(xs, y0 + slope * (xs - x0), "r--", lw=1.5, label=f"tangent, slope {slope:g}")
    ax.plot([x0], [y0], "ko", label="P")
    ax.set(
        xlabel="x",
        ylabel="y",
        title="secants through P and Q, Q moving towards P",
        ylim=(float(np.min(f(xs))) - 1, float(np.max(f(xs))) + 1),
    )
    ax.legend(loc="upper left", fontsize=8)
    ax2.plot(steps, slopes, "o-", label="secant slope Δy/Δx")
    ax2.axhline(slope, color="r", ls="--", label=f"tangent slope {slope:g}")
    ax2.set(xlabel="Δx", ylabel="slope", title="slope as Δx → 0")
    ax2.invert_xaxis()
    ax2.legend(fontsize=8)
    return fig


def error_vs_h(
    hs: Mapping[str, np.ndarray] | np.ndarray,
    errors: Mapping[str, np.ndarray],
    title: str = "error of the difference quotient",
    guides: Sequence[int] = (1, 2),
):
    """Log–log plot of absolute error against step h, one line per label (the V shape).

    Args:
        hs: the steps, one array for all labels or a mapping label -> steps.
        errors: label -> absolute errors at those steps (zeros are drawn at the floor).
        title: the axes title.
        guides: slopes of dotted reference lines :math:`h^p` (truncation orders).

    Returns:
        The figure.
    """
    fig, ax = new_axes(width=6.5, height=4.2)
    floor = 1e-17
    for label, err in errors.items():
        h = np.asarray(hs[label] if isinstance(hs, Mapping) else hs, dtype=np.float64)
        ax.loglog(h, np.maximum(np.asarray(err, dtype=np.float64), floor), "o-", ms=3, label=label)
    h_all = np.concatenate(
        [np.asarray(v, np.float64) for v in (hs.values() if isinstance(hs, Mapping) else [hs])]
    )
    hg = np.geomspace(h_all.min(), h_all.max(), 2)
    for p in guides:
        ax.loglog(hg, 0.1 * (hg / hg[-1]) ** p, "k:", lw=1)
        ax.annotate(f"$h^{p}$", (hg[-1], 0.1), fontsize=9)
    positive = [np.asarray(e, np.float64) for e in errors.values()]
    lowest = min(float(e[e > 0].min()) for e in positive if np.any(e > 0))
    ax.set(xlabel="step h", ylabel="absolute error", title=title, ylim=(0.1 * lowest, None))
    ax.legend(fontsize=8)
    return fig


def function_and_derivative(
    xs: np.ndarray,
    curves: Mapping[str, np.ndarray],
    dots: Mapping[str, np.ndarray] | None = None,
    title: str = "a function and its derivative",
    ylim=None,
):
    """Lines for ``curves`` (label -> values at ``xs``) and markers for ``dots`` (an oracle).

    Returns:
        The figure.
    """
    fig, ax = new_axes(width=6.5, height=4.0)
    for label, ys in curves.items():
        ax.plot(xs, np.asarray(ys), lw=2, label=label)
    for label, ys in (dots or {}).items():
        ax.plot(xs[::8], np.asarray(ys)[::8], "k.", ms=5, label=label)
    ax.axhline(0, color="k", lw=0.5)
    ax.set(xlabel="x", title=title, ylim=ylim)
    ax.legend(fontsize=8)
    return fig
