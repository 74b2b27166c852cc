"""diffprog.check_grads vs jax.test_util.check_grads on a small MLP, as a researcher calls it.

The workload: a 4-layer tanh MLP (8 parameter leaves: W and b per layer) on a batch of 32
inputs, float32, a *fresh* loss function each call (a new closure, as typed in a notebook),
order 1, forward and reverse modes. Times in one run:

* ``jax.test_util.check_grads`` (the baseline: eager, one random direction over all
  arguments together, a pass/fail assertion);
* ``diffprog.check_grads`` (eager too, no jit: per-leaf checks in 2 random directions each,
  Richardson finite differences with a noise estimate, a report naming each leaf).
  Target: at most 1.5x jax's time.

Both are run once on the same shapes before timing (jax's per-primitive compilation cache
is warm for both), and both are checked to pass on the correct gradient.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from _harness import Row, median_time, rows_against

import diffprog

SIZES = [(6, 32), (32, 32), (32, 32), (32, 1)]


def _params_and_x():
    keys = jax.random.split(jax.random.key(0), len(SIZES) + 1)
    params = [
        {"W": jax.random.normal(k, s) / np.sqrt(s[0]), "b": jnp.full((s[1],), 0.1)}
        for k, s in zip(keys, SIZES, strict=False)
    ]
    x = jax.random.normal(keys[-1], (32, SIZES[0][0]))
    return params, x


def _fresh_loss():
    def loss(params, x):
        h = x
        for layer in params[:-1]:
            h = jnp.tanh(h @ layer["W"] + layer["b"])
        out = h @ params[-1]["W"] + params[-1]["b"]
        return jnp.mean((out - 1.0) ** 2)

    return loss


def run(quick: bool) -> list[Row]:
    from jax import test_util as jtu

    repeats = 7 if quick else 21
    params, x = _params_and_x()
    assert len(jax.tree.leaves(params)) == 8
    report = diffprog.check_grads(_fresh_loss(), (params, x))
    assert report.ok, str(report)
    jtu.check_grads(_fresh_loss(), (params, x), order=1)  # raises if it fails

    def ours():
        return diffprog.check_grads(_fresh_loss(), (params, x)).ok

    def theirs():
        jtu.check_grads(_fresh_loss(), (params, x), order=1)

    # Alternate the two so that the machine's load drifts over both alike.
    t_ours, t_jax = [], []
    for _ in range(3 if quick else 5):
        t_jax.append(median_time(theirs, repeats=max(1, repeats // 3), warmup=1))
        t_ours.append(median_time(ours, repeats=max(1, repeats // 3), warmup=1))
    timings = {
        "jax.test_util.check_grads": float(np.median(t_jax)),
        "diffprog.check_grads": float(np.median(t_ours)),
    }
    ratio = timings["diffprog.check_grads"] / timings["jax.test_util.check_grads"]
    notes = {
        "jax.test_util.check_grads": "eager; 1 direction over all args; assert only",
        "diffprog.check_grads": (
            f"{len(report.checks)} checks (8 leaves + x, fwd and rev, "
            f"2 directions each); {ratio:.2f}x jax (target <= 1.5x)"
        ),
    }
    return rows_against(
        "gradcheck",
        "check_grads, 4-layer MLP (8 leaves), fresh loss each call, order 1, fwd + rev",
        timings,
        "jax.test_util.check_grads",
        notes,
    )
