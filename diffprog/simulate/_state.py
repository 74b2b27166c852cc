"""State helpers shared by the simulate modules: float promotion and mechanical ``(q, v)`` pairs."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .._typing import PyTree
from .._validate import fail
from ..precision import default_float

__all__ = ["as_float", "mechanical"]


def as_float(x: Any) -> jax.Array:
    """``x`` as an array of an inexact dtype (ints and bools promoted to the default float)."""
    x = jnp.asarray(x)
    return x if jnp.issubdtype(x.dtype, jnp.inexact) else x.astype(default_float())


def mechanical(state: PyTree, system: str, shape: tuple[int, ...] | None = None) -> tuple[Any, Any]:
    """Unpack a mechanical state ``(q, v)``, checking its shape; raise a clear error if wrong."""
    if not (isinstance(state, tuple | list) and len(state) == 2):
        raise fail(
            system,
            f"needs a state (q, v): a pair of position and velocity, got {type(state).__name__}",
            "Pass state=(q, v)",
        )
    q, v = state
    if jnp.shape(q) != jnp.shape(v) or (shape is not None and jnp.shape(q) != shape):
        want = f"{shape}" if shape is not None else "the same shape"
        raise fail(system, f"needs q and v of shape {want}, got {jnp.shape(q)} and {jnp.shape(v)}")
    return q, v
