"""ruff (lint and format, line limit 100) over the code; the rules are in pyproject.toml."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["diffprog", "diffprog_course", "tests", "tutorials", "benchmarks", "docs"]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *PATHS], cwd=ROOT, capture_output=True, text=True
    )


def test_ruff_is_clean():
    """`ruff check`: the rules of pyproject.toml, E501 (100 columns) included, notebooks too."""
    out = _ruff("check")
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_format_is_clean():
    """`ruff format --check`: the code is as the formatter writes it (notebooks excluded by the
    config: they are generated from their .md twins)."""
    out = _ruff("format", "--check")
    assert out.returncode == 0, "run `ruff format` on:\n" + out.stdout + out.stderr
