"""Run every benchmark under benchmarks/ and write one report.

    python benchmarks/run.py            # the full report
    python benchmarks/run.py --quick    # about a minute: small sizes, few repeats
    python benchmarks/run.py --only numdiff

Each ``benchmarks/bench_<topic>.py`` defines ``run(quick: bool) -> list[Row]``
(see ``_harness.Row``): medians, and ratios against a baseline measured in the
same run. Each topic runs in a fresh interpreter of its own, so that what one topic
imports (PyTorch's and TensorFlow's thread pools, jax's compilation caches) does not
slow or warm another. The report is written to build/bench/ as results.json and
results.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _harness import read_bandwidth_gbs  # noqa: E402

OUT = ROOT / "build" / "bench"


def machine() -> dict:
    import jax
    import numpy as np

    import diffprog

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "jax": jax.__version__,
        "numpy": np.__version__,
        "diffprog": diffprog.__version__,
        "devices": [str(d) for d in jax.devices()],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def markdown(rows: list[dict], info: dict) -> str:
    lines = [
        f"Measured {info['date']} on {info['processor']} ({info['platform']}), Python "
        f"{info['python']}, jax {info['jax']}, numpy {info['numpy']}; read bandwidth (numpy sum) "
        f"{info.get('read_bandwidth_gbs', float('nan')):.1f} GB/s. Medians; ratio = time / "
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


def figure(rows: list[dict], path: Path) -> None:
    """One bar per row: its ratio to the baseline on a log axis (left of 1 is faster)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [r for r in rows if r["impl"] != r["baseline"]]
    fig, ax = plt.subplots(figsize=(9, 0.32 * max(len(shown), 3) + 1.2), constrained_layout=True)
    labels = [f"{r['benchmark']}: {r['workload'][:40]} — {r['impl']}" for r in shown]
    ratios = [r["ratio"] for r in shown]
    colors = ["#2a9d8f" if x <= 1 else "#e76f51" for x in ratios]
    ax.barh(range(len(shown)), ratios, color=colors)
    ax.set_yticks(range(len(shown)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.axvline(1.0, color="k", lw=0.8)
    ax.set_xlabel("time / baseline's time in the same run (log; < 1 is faster)")
    ax.set_title("diffprog benchmarks (medians)")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _one_topic(topic: str, quick: bool, rows_to: Path | None) -> int:
    """Run ``bench_<topic>.py`` in this interpreter; print its rows and write them as JSON."""
    module = importlib.import_module(f"bench_{topic}")
    rows = []
    for row in module.run(quick=quick):
        rows.append(row.as_dict())
        print(
            f"   {row.workload} | {row.impl}: {row.median_s * 1e3:.3g} ms "
            f"(x{row.ratio:.2f} vs {row.baseline}) {row.note}",
            flush=True,
        )
    if rows_to is not None:
        rows_to.write_text(json.dumps(rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", help="comma-separated topics, e.g. numdiff,costs")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--topic", help=argparse.SUPPRESS)  # internal: run one topic here
    parser.add_argument("--rows-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.topic:
        return _one_topic(args.topic, args.quick, args.rows_to)
    topics = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    if args.only:
        topics = [t for t in topics if t in args.only.split(",")]
    rows: list[dict] = []
    args.out.mkdir(parents=True, exist_ok=True)
    for topic in topics:
        t0 = time.perf_counter()
        print(f"-- {topic}", flush=True)
        part = args.out / f".rows_{topic}.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--topic", topic]
        cmd += ["--rows-to", str(part)] + (["--quick"] if args.quick else [])
        subprocess.run(cmd, check=True)
        rows += json.loads(part.read_text())
        part.unlink()
        print(f"   ({time.perf_counter() - t0:.1f} s)")
    info = machine()
    info["read_bandwidth_gbs"] = round(
        read_bandwidth_gbs(40 * 2**20 if args.quick else 400 * 2**20), 2
    )
    (args.out / "results.json").write_text(json.dumps({"machine": info, "rows": rows}, indent=1))
    (args.out / "results.md").write_text(markdown(rows, info))
    figure(rows, args.out / "results.png")
    print(f"\nWrote {args.out}/results.md, results.json and results.png ({len(rows)} rows).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
