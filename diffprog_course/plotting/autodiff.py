"""Figures for the automatic differentiation tutorials (06, 07)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from . import new_axes

__all__ = ["cost_vs_inputs", "plot_curves"]


def cost_vs_inputs(
    ns: Sequence[int],
    costs: Mapping[str, Sequence[float]],
    ylabel: str = "cost / cost of f",
    title: str = "",
):
    """Log-log plot of each method's cost (relative to one evaluation of f) against n.

    Args:
        ns: the numbers of inputs.
        costs: label -> cost for each n (already divided by the cost of ``f``).
        ylabel, title: axis label and title.

    Returns:
        The matplotlib figure.
    """
    fig, ax = new_axes()
    for (label, ys), marker in zip(costs.items(), "os^vD", strict=False):
        ax.loglog(ns, ys, marker=marker, label=label)
    n = np.asarray(ns, dtype=float)
    ax.loglog(n, n / n[0], "k:", alpha=0.5, label="∝ n (reference slope)")
    ax.set_xlabel("number of inputs n")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend()
    return fig


def plot_curves(x: np.ndarray, curves: Mapping[str, np.ndarray], title: str = ""):
    """Several curves over the same ``x`` (a function and its derivatives).

    Returns:
        The matplotlib figure.
    """
    fig, ax = new_axes()
    for label, y in curves.items():
        ax.plot(x, y, label=label)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xlabel("x")
    if title:
        ax.set_title(title)
    ax.legend()
    return fig
