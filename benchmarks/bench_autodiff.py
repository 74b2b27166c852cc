"""The from-scratch engine's reverse pass stays linear: grad of an n-node chain, n = 10⁴ vs 10⁵.

``x ↦ x · c · c ⋯ c`` (n multiplications) records n nodes; ``ad.grad`` runs the forward
recording, the iterative topological sort and the backward sweep. Linear cost means the
10⁵-node row takes about 10 times the 10⁴-node row (a recursive sort would overflow the
stack; a quadratic one would take about 100 times). A second workload, the second
derivative ``grad(grad(chain))`` (the backward sweep recorded and swept again), shows
that nesting keeps it linear too. Accuracy is checked against the closed form ``c^n``.
"""

from __future__ import annotations

from _harness import Row, median_time, rows_against


def run(quick: bool) -> list[Row]:
    from diffprog import autodiff as ad

    c = 1.00001
    repeats = 3 if quick else 7
    sizes = (10_000, 100_000)
    rows: list[Row] = []

    def chain_of(n):
        def chain(x):
            for _ in range(n):
                x = x * c
            return x * x  # d/dx = 2 x c^(2n), d²/dx² = 2 c^(2n)

        return chain

    for label, make, exact in (
        ("grad", lambda n: ad.grad(chain_of(n)), lambda n: 2.0 * c ** (2 * n)),
        ("grad of grad", lambda n: ad.grad(ad.grad(chain_of(n))), lambda n: 2.0 * c ** (2 * n)),
    ):
        timings, notes = {}, {}
        for n in sizes:
            g = make(n)
            err = abs(g(1.0) - exact(n)) / exact(n)
            impl = f"n = {n:,}"
            timings[impl] = median_time(lambda g=g: g(1.0), repeats=repeats, warmup=0)
            notes[impl] = f"rel err vs c^(2n) {err:.1e}"
        ratio = timings[f"n = {sizes[1]:,}"] / timings[f"n = {sizes[0]:,}"]
        notes[f"n = {sizes[1]:,}"] += f"; 10x the nodes -> {ratio:.1f}x the time (linear: ~10)"
        rows += rows_against(
            "autodiff",
            f"ad.{label} of an n-node chain (reverse mode)",
            timings,
            baseline=f"n = {sizes[0]:,}",
            notes=notes,
        )
    return rows
