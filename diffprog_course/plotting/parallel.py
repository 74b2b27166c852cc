"""Figures for tutorial 10 (scaling out): who holds which rows, loss curves, step times."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import jax
import numpy as np

from . import new_axes

__all__ = ["batch_layout", "fit_figure", "step_times"]


def batch_layout(x: jax.Array, title: str = "How the batch is split"):
    """Which device holds which rows of the (sharded) array ``x``: one colour per device."""
    n = x.shape[0]
    owner = np.full(n, -1)
    for shard in x.addressable_shards:
        rows = shard.index[0] if shard.index else slice(None)
        owner[rows] = shard.device.id
    fig, ax = new_axes(width=7.0, height=1.9)
    ax.imshow(
        owner[None, :],
        aspect="auto",
        cmap="tab10",
        vmin=0,
        vmax=9,
        interpolation="nearest",
        extent=(-0.5, n - 0.5, 0, 1),
    )
    ids = sorted(set(owner.tolist()))
    for d in ids:
        rows = np.flatnonzero(owner == d)
        ax.text(
            rows.mean(),
            0.5,
            f"dev {d}\n{len(rows)} rows",
            ha="center",
            va="center",
            fontsize=8,
            color="white",
        )
    ax.set_yticks([])
    ax.grid(False)
    ax.set_xlabel("example (row of the batch)")
    ax.set_title(f"{title}: {n} rows over {len(ids)} device(s)")
    return fig


def fit_figure(x: np.ndarray, y: np.ndarray, y_hat: np.ndarray, losses: dict[str, Sequence[float]]):
    """Left: data and fitted curve; right: loss per step for each run in ``losses``."""
    fig, (ax_fit, ax_loss) = new_axes(ncols=2)
    order = np.argsort(x)
    ax_fit.scatter(x, y, s=4, alpha=0.3, label="data")
    ax_fit.plot(x[order], y_hat[order], color="C3", lw=2, label="fitted MLP")
    ax_fit.set_xlabel("x")
    ax_fit.set_ylabel("y")
    ax_fit.legend()
    styles = ["-", "--", ":", "-."]
    for k, (name, curve) in enumerate(losses.items()):
        ax_loss.semilogy(curve, styles[k % 4], lw=2, label=name)
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss")
    ax_loss.legend()
    ax_loss.set_title("Loss per step: one device or many")
    return fig


def step_times(num_devices: Sequence[int], seconds: Sequence[float], note: str):
    """Median time of one training step against the number of devices, with a note."""
    fig, ax = new_axes()
    ax.bar([str(k) for k in num_devices], np.asarray(seconds) * 1e3, color="C0")
    ax.set_xlabel("devices in the mesh")
    ax.set_ylabel("median step time (ms)")
    ax.set_title(textwrap.fill(note, 55), fontsize=9)
    return fig
