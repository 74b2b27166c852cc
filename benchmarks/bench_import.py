"""How long `import diffprog` takes, against `import jax` (its floor) in the same run."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from _harness import Row


def _import_time(module: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run(quick: bool) -> list[Row]:
    repeats = 3 if quick else 9
    timings = {
        "python": _import_time("sys", repeats),
        "import jax": _import_time("jax", repeats),
        "import diffprog": _import_time("diffprog", repeats),
    }
    base = timings["import jax"]
    return [
        Row(
            "import",
            "fresh interpreter, then import",
            impl,
            t,
            "import jax",
            t / base,
            "interpreter start-up included",
        )
        for impl, t in timings.items()
    ]
