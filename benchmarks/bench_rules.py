"""diffprog.rules on the expressions that used to blow up: shared, deep and wide.

Each workload is built with the rules (a graph: shared sub-expressions are one node) and
differentiated with ``.d`` (one forward pass over the nodes), against ``jax.grad`` of the same
function written in plain jax, run eagerly in the same process (the baseline). Before the graph
(issue 15), ``.d`` of the twenty squarings ran for minutes and wrote 86 M characters of derivation,
2,000 nested sines took 21 s to build and a sum of ~1,500 terms hit the recursion limit.
"""

from __future__ import annotations

import time

from _harness import Row, median_time, rows_against


def _squarings(start, n=20):
    e = start
    for _ in range(n):
        e = e * e
    return e


def _sines(start, depth, sin):
    e = start
    for _ in range(depth):
        e = sin(e)
    return e


def run(quick: bool) -> list[Row]:
    import jax
    import jax.numpy as jnp

    from diffprog import rules
    from diffprog.rules import x

    repeats = 3 if quick else 5
    depth = 500 if quick else 2_000
    terms = 2_000 if quick else 10_000
    rows: list[Row] = []

    # 20-fold squaring: x**(2**20), 21 nodes.
    e = _squarings(x)
    t_d = median_time(lambda: e.d(1.0), repeats=repeats)
    t_jax = median_time(lambda: jax.grad(_squarings)(1.0), repeats=repeats)
    rows += rows_against(
        "rules",
        "e = e*e twenty times: .d(1.0)",
        {"diffprog.rules": t_d, "jax.grad (eager)": t_jax},
        "jax.grad (eager)",
        {"diffprog.rules": f"derivation {len(e.derivation())} characters"},
    )

    # sin nested `depth` deep: build, then .d.
    t_build = median_time(lambda: _sines(x, depth, rules.sin), repeats=repeats, warmup=0)
    t_trace = median_time(
        lambda: jax.make_jaxpr(lambda t: _sines(t, depth, jnp.sin))(0.5), repeats=repeats, warmup=0
    )
    rows += rows_against(
        "rules",
        f"sin nested {depth} deep: build",
        {"diffprog.rules": t_build, "jax.make_jaxpr": t_trace},
        "jax.make_jaxpr",
    )
    deep = _sines(x, depth, rules.sin)
    t_d = median_time(lambda: deep.d(0.5), repeats=repeats)
    t_jax = median_time(lambda: jax.grad(lambda t: _sines(t, depth, jnp.sin))(0.5), repeats=repeats)
    rows += rows_against(
        "rules",
        f"sin nested {depth} deep: .d(0.5)",
        {"diffprog.rules": t_d, "jax.grad (eager)": t_jax},
        "jax.grad (eager)",
    )

    # A left-nested sum of `terms` terms k * x**2.
    t0 = time.perf_counter()
    total = sum(k * x**2 for k in range(terms))
    t_build = time.perf_counter() - t0
    t_d = median_time(lambda: total.d(1.0), repeats=max(1, repeats - 2), warmup=0)
    # (jax.grad of the same Python sum, run eagerly, takes over a minute at 10,000 terms: the
    # baseline here is building the expression, so the ratio says .d costs a few builds.)
    rows += rows_against(
        "rules",
        f"sum of {terms} terms k*x**2",
        {"diffprog.rules .d(1.0)": t_d, "diffprog.rules build": t_build},
        "diffprog.rules build",
        {"diffprog.rules .d(1.0)": f"{3 * terms} nodes, one pass"},
    )
    return rows
