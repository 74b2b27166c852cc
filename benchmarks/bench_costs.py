"""Fused cost + gradient of a linear model's MSE vs the cost alone vs autodiff.

At N = 10^7 float32 points (quick mode: 10^5), times in one run:

* the cost alone, ``jax.jit(mse(m x + b, y))`` (the baseline: one pass over x and y);
* diffprog's fused ``linear_mse_value_and_grad`` (one pass, three sums; targets: at most
  2x the cost alone, at least 3x faster than plain value_and_grad);
* plain ``jax.jit(jax.value_and_grad(cost))``;
* PyTorch eager autograd on the same data, when torch is importable;
* a numpy reduction over the same two arrays, to measure the read bandwidth, and the
  fraction of it each jax implementation reaches (bytes read: 8 N, x and y once).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from _harness import Row, median_time, rows_against

import diffprog


def _cost(params, x, y):
    return diffprog.mse(params["m"] * x + params["b"], y)


def run(quick: bool) -> list[Row]:
    n = 100_000 if quick else 10_000_000
    repeats = 5 if quick else 9
    k1, k2 = jax.random.split(jax.random.key(0))
    x = jax.random.normal(k1, (n,), jnp.float32)
    y = 2.0 * x - 1.0 + jax.random.normal(k2, (n,), jnp.float32)
    params = {"m": jnp.float32(0.5), "b": jnp.float32(0.25)}

    cost = jax.jit(_cost)
    plain = jax.jit(jax.value_and_grad(_cost))
    fused = diffprog.linear_mse_value_and_grad

    # Same numbers from all three (checked before timing).
    v0, (v1, g1), (v2, g2) = cost(params, x, y), fused(params, x, y), plain(params, x, y)
    np.testing.assert_allclose([v1, g1["m"], g1["b"]], [v0, g2["m"], g2["b"]], rtol=1e-3)

    timings = {
        "cost alone (jax.jit)": median_time(lambda: cost(params, x, y), repeats),
        "fused value_and_grad (diffprog)": median_time(lambda: fused(params, x, y), repeats),
        "jax.jit(jax.value_and_grad)": median_time(lambda: plain(params, x, y), repeats),
    }
    xs, ys = np.asarray(x), np.asarray(y)
    t_read = median_time(lambda: (np.add.reduce(xs), np.add.reduce(ys)), repeats)
    bandwidth = 8 * n / t_read
    notes = {
        impl: f"{8 * n / t / 1e9:.1f} GB/s = {8 * n / t / bandwidth:.0%} of numpy's read bandwidth"
        for impl, t in timings.items()
    }
    t_fused, t_plain = (
        timings["fused value_and_grad (diffprog)"],
        timings["jax.jit(jax.value_and_grad)"],
    )
    notes["fused value_and_grad (diffprog)"] += (
        f"; {t_plain / t_fused:.1f}x faster than jax.value_and_grad (target >= 3x), "
        f"{t_fused / timings['cost alone (jax.jit)']:.2f}x the cost alone (target <= 2x)"
    )
    timings["numpy read of x and y (np.add.reduce)"] = t_read
    notes["numpy read of x and y (np.add.reduce)"] = f"read bandwidth {bandwidth / 1e9:.1f} GB/s"

    try:
        import torch
    except ImportError:
        notes["cost alone (jax.jit)"] += "; PyTorch not installed: torch eager autograd skipped"
    else:
        tx, ty = torch.from_numpy(xs), torch.from_numpy(ys)

        def torch_value_and_grad():
            m = torch.tensor(0.5, requires_grad=True)
            b = torch.tensor(0.25, requires_grad=True)
            loss = ((m * tx + b - ty) ** 2).mean()
            loss.backward()
            return loss.item(), m.grad.item(), b.grad.item()

        lt, gm, gb = torch_value_and_grad()
        np.testing.assert_allclose([lt, gm, gb], [v2, g2["m"], g2["b"]], rtol=1e-3)
        timings["PyTorch eager autograd"] = median_time(torch_value_and_grad, repeats)
        notes["PyTorch eager autograd"] = (
            f"torch {torch.__version__}, {torch.get_num_threads()} threads"
        )

    return rows_against(
        "costs",
        f"linear + MSE: cost and d/d(m, b), N = {n:.0e} float32",
        timings,
        baseline="cost alone (jax.jit)",
        notes=notes,
    )


if __name__ == "__main__":
    for row in run(quick=True):
        print(row)
