"""The method of exhaustion: pi from polygons (Archimedes) and areas from Riemann sums.

Before limits had a name, Eudoxus and Archimedes computed areas by filling ("exhausting")
a region with shapes whose areas they knew, more and more of them, and squeezing the
answer between an inner and an outer bound. Two instances, each converging at a rate
that the tests measure:

* **Regular polygons in and around the unit circle.** The inscribed regular ``n``-gon
  has area ``A_n = (n/2) sin(2π/n)`` and the circumscribed one ``B_n = n tan(π/n)``;
  ``A_n < π < B_n`` and both errors are ``O(1/n²)``. Archimedes needed no π to get
  them: doubling the number of sides,

      A_{2n} = sqrt(A_n B_n),     B_{2n} = 2 A_{2n} B_n / (A_{2n} + B_n),

  starting from the square (``A_4 = 2``, ``B_4 = 4``).
* **Riemann sums.** The area under ``f`` on ``[a, b]`` is approached by ``n``
  rectangles of width ``Δx = (b - a)/n``: heights at the left ends, the right ends or
  the midpoints, or trapezoids. Left and right sums have error ``O(1/n)``, midpoint and
  trapezoid ``O(1/n²)`` (for a twice-differentiable ``f``).

References:
    Archimedes, *Measurement of a Circle* (c. 250 BC).
    T. M. Apostol, *Calculus*, Vol. 1, §1.1–1.4 (the method of exhaustion) and §1.18.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

__all__ = ["ArchimedesBounds", "archimedes_bounds", "polygon_area", "riemann_sum"]

RULES = ("left", "right", "midpoint", "trapezoid")


def _check_n(n, name: str, least: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < least:
        raise ValueError(f"{name} must be an int >= {least}, got {n!r}.")
    return n


def polygon_area(n: int, kind: str = "inscribed", radius: ArrayLike = 1.0) -> jax.Array:
    r"""Area of the regular ``n``-gon inscribed in (or circumscribed about) a circle.

    Inscribed: :math:`A_n = \tfrac{n}{2} r^2 \sin(2\pi/n)`; circumscribed:
    :math:`B_n = n r^2 \tan(\pi/n)`.
    With :math:`r = 1` they squeeze :math:`\pi`: :math:`A_n < \pi < B_n`.

    Args:
        n: number of sides, an int >= 3.
        kind: ``"inscribed"`` or ``"circumscribed"``.
        radius: the circle's radius.

    Returns:
        The area, a scalar array.

    Raises:
        ValueError: if ``n`` is not an int >= 3 or ``kind`` is unknown.

    Example:
        >>> from diffprog import polygon_area
        >>> float(polygon_area(4)), float(polygon_area(4, "circumscribed"))
        (2.0, 4.0)
    """
    _check_n(n, "n", 3)
    r2 = jnp.square(jnp.asarray(radius, dtype=jnp.zeros(()).dtype))
    if kind == "inscribed":
        return 0.5 * n * r2 * jnp.sin(2.0 * math.pi / n)
    if kind == "circumscribed":
        return n * r2 * jnp.tan(math.pi / n)
    raise ValueError(f"kind must be 'inscribed' or 'circumscribed', got {kind!r}.")


class ArchimedesBounds(NamedTuple):
    """Archimedes' doubling: ``sides[i]``-gons with areas ``lower[i] < π < upper[i]``."""

    sides: jax.Array
    lower: jax.Array
    upper: jax.Array


def archimedes_bounds(num_doublings: int) -> ArchimedesBounds:
    r"""Bounds on π from inscribed and circumscribed polygons, without using π.

    Starting from the square (:math:`A_4 = 2`, :math:`B_4 = 4`), each doubling of the number
    of sides takes a geometric then a harmonic mean:
    :math:`A_{2n} = \sqrt{A_n B_n}`, :math:`B_{2n} = 2 A_{2n} B_n / (A_{2n} + B_n)`.

    Args:
        num_doublings: how many times to double (0 gives just the square), an int >= 0.

    Returns:
        :class:`ArchimedesBounds` ``(sides, lower, upper)``, arrays of length
        ``num_doublings + 1``; ``sides = 4·2^i``.

    Raises:
        ValueError: if ``num_doublings`` is not an int >= 0.

    Example:
        >>> from diffprog import archimedes_bounds
        >>> b = archimedes_bounds(4)   # up to the 64-gon
        >>> int(b.sides[-1]), round(float(b.lower[-1]), 3), round(float(b.upper[-1]), 3)
        (64, 3.137, 3.144)
    """
    _check_n(num_doublings, "num_doublings", 0)
    dtype = jnp.zeros(()).dtype
    a, b = jnp.asarray(2.0, dtype), jnp.asarray(4.0, dtype)
    lower, upper = [a], [b]
    for _ in range(num_doublings):
        a = jnp.sqrt(a * b)
        b = 2.0 * a * b / (a + b)
        lower.append(a)
        upper.append(b)
    sides = 4 * 2 ** jnp.arange(num_doublings + 1)
    return ArchimedesBounds(sides, jnp.stack(lower), jnp.stack(upper))


def riemann_sum(f: Callable[[jax.Array], ArrayLike], a: ArrayLike, b: ArrayLike, n: int,
                rule: str = "midpoint") -> jax.Array:
    r"""The Riemann sum of ``f`` over ``[a, b]`` with ``n`` equal pieces.

    With :math:`\Delta x = (b-a)/n` and :math:`x_i = a + i\,\Delta x`:
    left :math:`\sum_{i=0}^{n-1} f(x_i)\Delta x`, right :math:`\sum_{i=1}^{n} f(x_i)\Delta x`,
    midpoint :math:`\sum_{i=0}^{n-1} f(x_i + \Delta x/2)\Delta x`, trapezoid the mean of left
    and right. As :math:`n\to\infty` all tend to :math:`\int_a^b f(x)\,dx`: left/right with error
    :math:`O(1/n)`, midpoint/trapezoid :math:`O(1/n^2)`.

    Args:
        f: a real function of one scalar, written with ``jax.numpy`` (evaluated with
            ``jax.vmap`` at all nodes at once).
        a, b: the interval's ends.
        n: the number of pieces, an int >= 1.
        rule: ``"left"``, ``"right"``, ``"midpoint"`` (default) or ``"trapezoid"``.

    Returns:
        The sum, a scalar array.

    Raises:
        TypeError: if ``f`` is not callable.
        ValueError: if ``n`` is not an int >= 1, ``rule`` is unknown, or ``f`` does not
            return one number per point.

    Example:
        >>> from diffprog import riemann_sum
        >>> float(riemann_sum(lambda x: x**2, 0.0, 1.0, 4, "left"))   # (0 + 1 + 4 + 9) / 64
        0.21875
    """
    if not callable(f):
        raise TypeError(f"f must be a function of one scalar x, got {type(f).__name__}.")
    _check_n(n, "n", 1)
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}.")
    dtype = jnp.zeros(()).dtype
    y_shape = jax.eval_shape(jax.vmap(f), jax.ShapeDtypeStruct((n + (rule != "midpoint"),), dtype))
    if getattr(y_shape, "shape", None) != (n + (rule != "midpoint"),):
        raise ValueError(f"f must return one number per scalar x; got {y_shape} for "
                         f"{n + (rule != 'midpoint')} points.")
    return _riemann_sum(f, jnp.asarray(a, dtype), jnp.asarray(b, dtype), n, rule)


@partial(jax.jit, static_argnums=(0, 3, 4))
def _riemann_sum(f, a, b, n, rule):
    """The sum itself, compiled once per (f, n, rule): one compilation, not one per operation."""
    dx = (b - a) / n
    i = jnp.arange(n + 1, dtype=a.dtype)
    x = a + (i[:-1] + 0.5) * dx if rule == "midpoint" else a + i * dx
    y = jax.vmap(f)(x)
    if rule == "midpoint":
        return jnp.sum(y) * dx
    if rule == "left":
        return jnp.sum(y[:-1]) * dx
    if rule == "right":
        return jnp.sum(y[1:]) * dx
    return (jnp.sum(y) - 0.5 * (y[0] + y[-1])) * dx
