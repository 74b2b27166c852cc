"""diffprog.derivative against numdifftools.Derivative on the same points (accuracy and time).

Both compute f'(x) of exp at N points in float64 (numdifftools works in float64). diffprog
is timed after its one-off compilation (reported separately), numdifftools as it runs.
Accuracy is the largest relative error against the exact exp(x).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from _harness import Row, block, median_time, rows_against


def run(quick: bool) -> list[Row]:
    import jax.numpy as jnp
    import numdifftools as nd

    import diffprog

    n = 50 if quick else 1000
    repeats = 3 if quick else 7
    x = np.linspace(-5.0, 5.0, n)
    exact = np.exp(x)
    rel = lambda d: float(np.max(np.abs(np.asarray(d) - exact) / exact))

    nd_derivative = nd.Derivative(np.exp)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numdifftools' deprecation noise
        theirs = nd_derivative(x)
        t_nd = median_time(lambda: nd_derivative(x), repeats=repeats, warmup=0)

    rows: list[Row] = []
    with diffprog.float64():
        xj = jnp.asarray(x)
        timings, notes = {"numdifftools": t_nd}, {"numdifftools": f"max rel err {rel(theirs):.1e}"}
        for method in ("richardson", "central", "complex"):
            t0 = time.perf_counter()
            ours = block(diffprog.derivative(jnp.exp, xj, method=method))
            compile_s = time.perf_counter() - t0
            impl = f"diffprog {method}"
            timings[impl] = median_time(lambda m=method: diffprog.derivative(jnp.exp, xj, method=m),
                                        repeats=repeats)
            notes[impl] = f"max rel err {rel(ours):.1e}; first call (compile) {compile_s:.2f} s"
    rows += rows_against("numdiff", f"f'(x) of exp at {n} points, float64", timings,
                         baseline="numdifftools", notes=notes)
    return rows
