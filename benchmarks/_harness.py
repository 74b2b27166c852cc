"""Timing helpers shared by the benchmarks: medians of repeated runs, ratios in one run.

The machines are shared and noisy, so every number is a median over repeats, and
every comparison is a ratio against a baseline measured in the same run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


def block(x: Any) -> Any:
    """Wait for asynchronous jax results (a no-op for other values)."""
    import jax

    return jax.block_until_ready(x)


def median_time(fn: Callable[[], Any], repeats: int = 7, warmup: int = 1, number: int = 1) -> float:
    """Median wall time in seconds of ``fn()`` over ``repeats`` (after ``warmup`` calls).

    ``number`` calls are timed together and divided, for functions too fast to time alone.
    """
    for _ in range(warmup):
        block(fn())
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            out = fn()
        block(out)
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


@dataclass
class Row:
    """One measured line of a benchmark table."""

    benchmark: str  # the file's topic, e.g. "numdiff"
    workload: str  # what is computed, e.g. "derivative of exp at 1000 points"
    impl: str  # who computes it, e.g. "diffprog", "numdifftools"
    median_s: float
    baseline: str  # the impl this row is compared with (measured in the same run)
    ratio: float  # median_s / baseline's median_s (< 1 is faster than the baseline)
    note: str = ""  # accuracy reached, sizes, anything needed to read the row

    def as_dict(self) -> dict:
        return asdict(self)


def rows_against(
    benchmark: str,
    workload: str,
    timings: dict[str, float],
    baseline: str,
    notes: dict[str, str] | None = None,
) -> list[Row]:
    """Rows for every impl in ``timings``, each as a ratio to ``timings[baseline]``."""
    base = timings[baseline]
    notes = notes or {}
    return [
        Row(benchmark, workload, impl, t, baseline, t / base, notes.get(impl, ""))
        for impl, t in timings.items()
    ]


def read_bandwidth_gbs(nbytes: int = 400 * 2**20, repeats: int = 7) -> float:
    """The machine's read bandwidth in GB/s: a plain numpy sum over ``nbytes`` of float32.

    Bandwidth-bound workloads report the fraction of this they reach (measured in the same run).
    """
    import numpy as np

    a = np.ones(nbytes // 4, dtype=np.float32)
    return nbytes / median_time(lambda: a.sum(), repeats=repeats) / 1e9
