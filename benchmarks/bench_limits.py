"""diffprog.limit one-shot, as a learner types it: a fresh lambda each call (issue 14: <= 5 ms).

Baseline: numdifftools' ``Limit`` on the same limit (sin(x)/x at 0, in float64 NumPy), also
built fresh each call. diffprog runs in its default float32 and holds no compiled cache: the
time includes the vectorised evaluation of the new lambda and the classification.
"""

from __future__ import annotations

import warnings

import numpy as np
from _harness import Row, median_time, rows_against


def run(quick: bool) -> list[Row]:
    import jax.numpy as jnp
    from numdifftools.limits import Limit

    import diffprog

    repeats = 7 if quick else 51

    def ours():
        r = diffprog.limit(lambda x: jnp.sin(x) / x, 0.0)
        return float(r.value)

    def theirs():
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return float(np.squeeze(Limit(lambda x: np.sin(x) / x)(0.0)))

    err_ours, err_theirs = abs(ours() - 1.0), abs(theirs() - 1.0)
    timings = {
        "numdifftools": median_time(theirs, repeats=repeats),
        "diffprog": median_time(ours, repeats=repeats),
    }
    notes = {
        "numdifftools": f"abs err {err_theirs:.1e} (float64)",
        "diffprog": f"abs err {err_ours:.1e} (float32); target <= 5 ms",
    }
    return rows_against(
        "limits",
        "limit of a fresh lambda sin(x)/x at 0, one call",
        timings,
        baseline="numdifftools",
        notes=notes,
    )
