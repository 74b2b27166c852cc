"""Figures for fitting a line: fitted lines, cost curves, a path over the cost surface, MAE vs MSE.

Every function takes plain data (arrays, dicts of params, loss histories) and returns the
figure (its axes are ``fig.axes``; pass ``ax=`` to draw on axes of your own); nothing here
computes a fit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from . import new_axes

__all__ = ["cost_curves", "cost_surface_path", "fitted_lines", "mae_vs_mse"]


def fitted_lines(
    x: Sequence[float],
    y: Sequence[float],
    lines: Mapping[str, Mapping[str, float]],
    ax=None,
    xlabel: str = "x",
    ylabel: str = "y",
):
    """The data as points and one line ``y = m x + b`` per entry of ``lines`` (label -> params)."""
    fig, ax = new_axes() if ax is None else (ax.figure, ax)
    xs, ys = np.asarray(x, float), np.asarray(y, float)
    ax.scatter(xs, ys, color="black", zorder=3, label="data")
    grid = np.linspace(xs.min(), xs.max(), 50)
    for label, p in lines.items():
        m, b = float(p["m"]), float(p["b"])
        ax.plot(grid, m * grid + b, label=f"{label}: m={m:.3f}, b={b:.3f}")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=8)
    return fig


def cost_curves(
    histories: Mapping[str, Sequence[float]], ax=None, log: bool = True, ylabel: str = "cost"
):
    """Loss per step for each run (label -> losses), on a log scale by default."""
    fig, ax = new_axes() if ax is None else (ax.figure, ax)
    for label, losses in histories.items():
        values = np.asarray(losses, float)
        ax.plot(np.arange(len(values)), values, label=label)
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="step", ylabel=ylabel)
    ax.legend(fontsize=8)
    return fig


def cost_surface_path(
    cost: Callable[[np.ndarray, np.ndarray], np.ndarray],
    paths: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    m_range: tuple[float, float],
    b_range: tuple[float, float],
    optimum: tuple[float, float] | None = None,
    ax=None,
    levels: int = 25,
):
    """Contours of ``cost(M, B)`` (vectorised over grids) with the paths (m_k, b_k) drawn over them.

    Contour levels are spaced logarithmically: the valley of a regression cost is long
    and flat, and linear levels would hide it.
    """
    fig, ax = new_axes(width=5.5, height=4.2) if ax is None else (ax.figure, ax)
    M, B = np.meshgrid(np.linspace(*m_range, 200), np.linspace(*b_range, 200))
    C = np.asarray(cost(M, B), float)
    lv = np.geomspace(max(C.min(), 1e-6), C.max(), levels)
    cs = ax.contour(M, B, C, levels=lv, cmap="viridis", linewidths=0.8)
    fig.colorbar(cs, ax=ax, label="cost")
    for label, (ms, bs) in paths.items():
        m_path, b_path = np.asarray(ms, float), np.asarray(bs, float)
        ax.plot(m_path, b_path, ".-", ms=3, lw=1, label=label)
        ax.plot(m_path[0], b_path[0], "ko", ms=5)
    if optimum is not None:
        ax.plot(*optimum, "r*", ms=12, label="closed form")
    ax.set(xlabel="m", ylabel="b", xlim=m_range, ylim=b_range)
    ax.legend(fontsize=8, loc="upper right")
    return fig


def mae_vs_mse(r_max: float = 3.0, ax=None):
    """The per-point penalties :math:`|r|` (MAE) and :math:`r^2` (MSE) against the residual.

    The residual is :math:`r = \\hat y - y`, from ``-r_max`` to ``r_max``.
    """
    fig, ax = new_axes() if ax is None else (ax.figure, ax)
    r = np.linspace(-r_max, r_max, 401)
    ax.plot(r, np.abs(r), label=r"$|\Delta|$ (MAE)")
    ax.plot(r, r**2, label=r"$\Delta^2$ (MSE)")
    ax.set(xlabel=r"residual $\Delta = \hat y - y$", ylabel="penalty")
    ax.legend()
    return fig


def close(fig) -> None:
    """Close a figure (tests create many)."""
    plt.close(fig)
