"""Precision policy: float32 by default, float64 only where a point needs it.

TPUs have no fast float64, so everything in diffprog runs in float32 unless asked
otherwise. Where a lesson needs float64 (round-off in finite differences, say),
it enables it explicitly and locally::

    with diffprog.float64():
        ...  # arrays created here default to float64

The context manager wraps ``jax.enable_x64`` so that it works across the jax
versions diffprog supports.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import jax
import jax.numpy as jnp

__all__ = ["float64", "default_float", "eps"]


@contextlib.contextmanager
def float64() -> Iterator[None]:
    """Enable float64 inside a ``with`` block, and only there.

    Example:
        >>> import jax.numpy as jnp
        >>> import diffprog
        >>> with diffprog.float64():
        ...     print(jnp.ones(1).dtype)
        float64
        >>> print(jnp.ones(1).dtype)
        float32
    """
    with jax.enable_x64(True):
        yield


def default_float() -> jnp.dtype:
    """The floating dtype jax gives new arrays right now (float32 unless x64 is on).

    Example:
        >>> import diffprog
        >>> diffprog.default_float()
        dtype('float32')
    """
    return jnp.zeros(()).dtype


def eps(dtype: jnp.dtype | None = None) -> float:
    """Machine epsilon of ``dtype`` (default: the current default float).

    Example:
        >>> import diffprog
        >>> diffprog.eps("float32") == 2.0**-23
        True
    """
    return float(jnp.finfo(dtype if dtype is not None else default_float()).eps)
