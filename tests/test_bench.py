"""`make bench QUICK=1` as a smoke test: every benchmark produces sane rows (no timing asserts)."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_benchmarks_run(tmp_path):
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    report = json.loads((tmp_path / "results.json").read_text())
    assert report["rows"], "the quick benchmarks produced no rows"
    for row in report["rows"]:
        assert row["median_s"] > 0 and math.isfinite(row["ratio"]) and row["ratio"] > 0, row
    assert (tmp_path / "results.md").read_text().count("\n|") >= len(report["rows"])
    assert (tmp_path / "results.png").stat().st_size > 0
