"""Figures for tutorial 08: one regression fitted by JAX, PyTorch and TensorFlow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from . import new_axes

__all__ = ["regression_fits"]

_STYLES = ("-", "--", ":", "-.")


def regression_fits(
    x: Sequence[float],
    y: Sequence[float],
    fits: Mapping[str, tuple[float, float]],
    histories: Mapping[str, Sequence[float]],
):
    """The data with each framework's fitted line, and each cost history: ``(fig, axes)``.

    Args:
        x, y: the data points.
        fits: framework name -> fitted ``(m, b)`` of the line ``y_hat = m x + b``.
        histories: framework name -> the cost at every step of gradient descent.

    Returns:
        The figure (its two axes: the fits, then the cost against step on a log scale).
    """
    if not fits:
        raise ValueError("fits is empty: pass at least one framework's fitted (m, b)")
    xs, ys = np.asarray(x, float), np.asarray(y, float)
    fig, (ax_fit, ax_cost) = new_axes(ncols=2)
    ax_fit.scatter(xs, ys, color="black", zorder=3, label="data")
    grid = np.linspace(xs.min(), xs.max(), 50)
    for (name, (m, b)), ls in zip(fits.items(), _STYLES, strict=False):
        ax_fit.plot(grid, m * grid + b, ls=ls, lw=2, label=f"{name}: m={m:.4f}, b={b:.4f}")
    ax_fit.set(xlabel="x", ylabel="y", title="the same fit, three frameworks")
    ax_fit.legend(fontsize=8)
    for (name, costs), ls in zip(histories.items(), _STYLES, strict=False):
        ax_cost.plot(np.arange(len(costs)), np.asarray(costs, float), ls=ls, lw=2, label=name)
    ax_cost.set(yscale="log", xlabel="step", ylabel="cost (MSE)", title="cost during descent")
    ax_cost.legend(fontsize=8)
    return fig
