"""diffprog.progress: tqdm's own switches decide (disable=None, TQDM_DISABLE), nothing else."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from diffprog import _progress, progress

pytest.importorskip("tqdm")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(monkeypatch, stream, enabled, env=None):
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    for k, val in (env or {}).items():
        monkeypatch.setenv(k, val)
    got = list(progress(range(5), total=5, desc="bar", enabled=enabled))
    assert got == [0, 1, 2, 3, 4]  # oracle: list(range(5)), bar or not
    return stream.getvalue()


def test_a_terminal_gets_a_bar(monkeypatch):
    assert "bar" in _run(monkeypatch, _Terminal(), None)
    assert _progress.watching()


def test_no_terminal_no_bar(monkeypatch):
    """tqdm's disable=None: output to a file or a pipe (pytest, CI) shows nothing."""
    assert _run(monkeypatch, io.StringIO(), None) == ""
    assert not _progress.watching()


def test_tqdm_disable_turns_bars_off(monkeypatch):
    assert _run(monkeypatch, _Terminal(), None, {"TQDM_DISABLE": "1"}) == ""
    assert not _progress.watching()


def test_enabled_forces_the_bar_on_or_off(monkeypatch):
    assert "bar" in _run(monkeypatch, io.StringIO(), True)
    assert _run(monkeypatch, _Terminal(), False) == ""


def test_pytest_being_imported_changes_nothing(monkeypatch):
    """Under pytest with a terminal (``pytest -s``), the bar shows as anywhere else."""
    assert "pytest" in sys.modules
    assert "bar" in _run(monkeypatch, _Terminal(), None)


def test_disabled_loop_does_not_import_tqdm():
    code = (
        "import sys; from diffprog import progress\n"
        "assert list(progress(range(3), enabled=False)) == [0, 1, 2]\n"
        "print('tqdm' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_kernel_env_is_a_copy(book):
    base = {"PATH": "/bin", "PYTHONPATH": "/elsewhere"}
    env = book.kernel_env(base)
    assert base == {"PATH": "/bin", "PYTHONPATH": "/elsewhere"}  # the caller's mapping as it was
    assert env["TQDM_DISABLE"] == "1" and env["PYTHONPATH"].endswith("/elsewhere")
    assert book.kernel_env({"TQDM_DISABLE": "0"})["TQDM_DISABLE"] == "0"  # the caller's choice
