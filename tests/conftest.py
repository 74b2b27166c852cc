"""Shared fixtures: fixed PRNG keys, hypothesis profiles, the tutorials module."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import jax
import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent

# Hypothesis: deterministic in CI, no deadline (jit compiles on first call).
settings.register_profile(
    "default",
    deadline=None,
    derandomize=True,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def key() -> jax.Array:
    """A fixed PRNG key: every random test input is reproducible."""
    return jax.random.key(0)


@pytest.fixture(scope="session")
def book():
    """The tutorials' build module (tutorials/book.py)."""
    sys.path.insert(0, str(ROOT / "tutorials"))
    try:
        import book as book_module
    finally:
        sys.path.pop(0)
    return book_module
