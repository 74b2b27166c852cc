"""Figures for tutorial 09 (differentiable simulation): paths, fits, gradient norms, memory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from . import new_axes

__all__ = ["plot_fit", "plot_gradient_norms", "plot_memory", "plot_paths"]


def plot_paths(
    paths: Sequence[tuple],
    labels: Sequence[str],
    target: float | None = None,
    title: str = "Trajectories",
):
    """Projectile paths ``(x, y)`` above ground (y >= 0), with an optional target on the ground."""
    fig, ax = new_axes(width=6.5)
    for (x, y), label in zip(paths, labels, strict=True):
        x, y = np.asarray(x), np.asarray(y)
        keep = np.concatenate([[True], y[1:] >= 0]) | (np.arange(len(y)) <= np.argmax(y < 0))
        ax.plot(x[keep], np.maximum(y[keep], 0.0), label=label)
    if target is not None:
        ax.plot([target], [0.0], "r*", ms=14, label="target")
    ax.set(xlabel="x (m)", ylabel="height (m)", title=title)
    ax.legend(fontsize=8)
    return fig


def plot_fit(t, observed, fitted, truth=None, title: str = "Fitting a simulator to data"):
    """Noisy observations, the fitted simulation and (optionally) the true one, against time."""
    fig, ax = new_axes(width=6.5)
    ax.plot(t, observed, ".", ms=3, alpha=0.6, label="observed (noisy)")
    if truth is not None:
        ax.plot(t, truth, "k--", lw=1, label="true system")
    ax.plot(t, fitted, lw=2, label="fitted simulation")
    ax.set(xlabel="t (s)", ylabel="x", title=title)
    ax.legend(fontsize=8)
    return fig


def plot_gradient_norms(
    times, norms: Mapping[str, Sequence[float]], title: str = "Gradient norm vs horizon"
):
    """Gradient norms against the horizon's length in time, on a log scale, one line per case."""
    fig, ax = new_axes(width=6.5)
    for label, values in norms.items():
        ax.semilogy(times, values, label=label)
    ax.set(xlabel="horizon (s)", ylabel="gradient norm", title=title)
    ax.legend(fontsize=8)
    return fig


def plot_memory(
    horizons, plain_bytes, checkpointed_bytes, title: str = "Backward-pass memory vs horizon"
):
    """Temporary memory of the gradient's compiled program, with and without checkpointing."""
    fig, ax = new_axes(width=6.5)
    mib = lambda b: np.asarray(b, dtype=float) / 2**20
    ax.loglog(horizons, mib(plain_bytes), "o-", label="plain scan: O(T)")
    ax.loglog(horizons, mib(checkpointed_bytes), "s-", label="√T checkpointing")
    ax.set(xlabel="number of steps T", ylabel="temporary memory (MiB)", title=title)
    ax.legend(fontsize=8)
    return fig
