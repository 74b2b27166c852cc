"""diffprog's numerical derivative against numdifftools.Derivative (time and accuracy, one run).

Rows: (1) a fresh lambda, one eager call at N points, float32 (as a learner types it; nothing
is compiled or cached, so every call pays the same); (2) the same under the user's own
``jax.jit``, repeated calls; (3) float64 Richardson on exp, max relative error. numdifftools
works in float64 numpy and is timed as it runs.
"""

from __future__ import annotations

import warnings

import numpy as np
from _harness import Row, block, median_time, rows_against


def run(quick: bool) -> list[Row]:
    import jax
    import jax.numpy as jnp
    import numdifftools as nd

    import diffprog

    n = 100 if quick else 1000
    repeats = 3 if quick else 9
    x = np.linspace(-5.0, 5.0, n)
    exact = np.exp(x)
    rel = lambda d: float(np.max(np.abs(np.asarray(d, np.float64) - exact) / exact))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numdifftools' deprecation noise
        theirs = nd.Derivative(np.exp)(x)
        t_nd = median_time(lambda: nd.Derivative(lambda t: np.exp(t))(x), repeats=repeats, warmup=1)
    rows: list[Row] = []
    x32 = jnp.asarray(x, jnp.float32)
    block(diffprog.derivative(lambda t: jnp.exp(t), x32))  # jax's own per-primitive warm-up
    t_fresh = median_time(
        lambda: diffprog.derivative(lambda t: jnp.exp(t), x32), repeats=repeats, warmup=0
    )
    rows += rows_against(
        "numdiff",
        f"f'(x) of a fresh lambda, one call, {n} points",
        {"numdifftools": t_nd, "diffprog eager": t_fresh},
        baseline="numdifftools",
        notes={"diffprog eager": "float32, no cache"},
    )
    jitted = jax.jit(lambda t: diffprog.derivative(jnp.exp, t))
    block(jitted(x32))
    t_jit = median_time(lambda: jitted(x32), repeats=repeats, number=5)
    rows += rows_against(
        "numdiff",
        f"f'(x) under the user's jax.jit, repeated, {n} points",
        {"numdifftools": t_nd, "diffprog jitted": t_jit},
        baseline="numdifftools",
    )
    with diffprog.float64():
        xj = jnp.asarray(x)
        ours = block(diffprog.derivative(jnp.exp, xj, method="richardson"))
        t_r = median_time(
            lambda: diffprog.derivative(jnp.exp, xj, method="richardson"), repeats=repeats
        )
    rows += rows_against(
        "numdiff",
        f"f'(x) of exp at {n} points, float64",
        {"numdifftools": t_nd, "diffprog richardson": t_r},
        baseline="numdifftools",
        notes={
            "numdifftools": f"max rel err {rel(theirs):.1e}",
            "diffprog richardson": f"max rel err {rel(ours):.1e}",
        },
    )
    return rows
