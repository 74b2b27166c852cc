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
from jax.typing import DTypeLike

from ._validate import fail

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
    return jnp.result_type(float)  # (no array is made: no dispatch)


def eps(dtype: DTypeLike | None = None) -> float:
    """Machine epsilon of ``dtype`` (default: the current default float).

    The gap between 1 and the next representable number, :math:`2^{-23}` for float32 and
    :math:`2^{-52}` for float64.

    Args:
        dtype: a floating-point dtype (``"float32"``, ``jnp.float64``, ``jnp.bfloat16``, an
            array's ``.dtype``), or None for the current default float.

    Returns:
        Machine epsilon, a Python float.

    Raises:
        InputError: if ``dtype`` is not a floating-point dtype (an integer dtype has no
            epsilon).

    Example:
        >>> import diffprog
        >>> diffprog.eps("float32") == 2.0**-23
        True
    """
    if dtype is None:
        return float(jnp.finfo(default_float()).eps)
    try:
        dt = None if isinstance(dtype, bool | int | float) else jnp.dtype(dtype)
    except (TypeError, ValueError):
        dt = None
    if dt is None or not jnp.issubdtype(dt, jnp.floating):
        shown = f"{dtype!r}" if dt is None else f"{dtype!r} (dtype {dt})"
        raise fail(
            "eps",
            f"dtype must be a floating-point dtype, got {shown}",
            'Pass a float dtype such as "float32", jnp.float64 or x.dtype, or None for the '
            "current default float",
        )
    return float(jnp.finfo(dt).eps)
