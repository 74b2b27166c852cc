"""Run every benchmark under benchmarks/ and write one report.

    python benchmarks/run.py            # the full report
    python benchmarks/run.py --quick    # about a minute: small sizes, few repeats
    python benchmarks/run.py --only numdiff

Each ``benchmarks/bench_<topic>.py`` defines ``run(quick: bool) -> list[Row]``
(see ``_harness.Row``): medians, and ratios against a baseline measured in the
same run. The report is written to build/bench/ as results.json and results.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = ROOT / "build" / "bench"


def machine() -> dict:
    import jax
    import numpy as np

    import diffprog

    return {
        "python": platform.python_version(), "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "jax": jax.__version__, "numpy": np.__version__, "diffprog": diffprog.__version__,
        "devices": [str(d) for d in jax.devices()],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def markdown(rows: list[dict], info: dict) -> str:
    lines = [
        f"Measured {info['date']} on {info['processor']} ({info['platform']}), Python "
        f"{info['python']}, jax {info['jax']}, numpy {info['numpy']}. Medians; ratio = time / "
        "baseline's time in the same run (< 1 is faster).",
        "",
        "| benchmark | workload | impl | median | baseline | ratio | note |",
        "|---|---|---|---:|---|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['benchmark']} | {r['workload']} | {r['impl']} | {r['median_s'] * 1e3:.3g} ms "
            f"| {r['baseline']} | {r['ratio']:.2f} | {r['note']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", help="comma-separated topics, e.g. numdiff,costs")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    topics = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    if args.only:
        topics = [t for t in topics if t in args.only.split(",")]
    rows: list[dict] = []
    for topic in topics:
        t0 = time.perf_counter()
        print(f"-- {topic}", flush=True)
        module = importlib.import_module(f"bench_{topic}")
        for row in module.run(quick=args.quick):
            rows.append(row.as_dict())
            print(f"   {row.workload} | {row.impl}: {row.median_s * 1e3:.3g} ms "
                  f"(x{row.ratio:.2f} vs {row.baseline}) {row.note}", flush=True)
        print(f"   ({time.perf_counter() - t0:.1f} s)")
    info = machine()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps({"machine": info, "rows": rows}, indent=1))
    (args.out / "results.md").write_text(markdown(rows, info))
    print(f"\nWrote {args.out / 'results.md'} and results.json ({len(rows)} rows).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
