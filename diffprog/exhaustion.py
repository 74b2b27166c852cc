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

import decimal
import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from . import _validate as v
from ._result import result
from .precision import default_float

__all__ = ["RULES", "ArchimedesBounds", "archimedes_bounds", "polygon_area", "riemann_sum"]

#: The ``rule=`` strings :func:`riemann_sum` accepts.
RULES = ("left", "right", "midpoint", "trapezoid")


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
        InputError: if ``n`` is not an int >= 3, ``kind`` is unknown, or ``radius`` is not a
            finite number >= 0.

    Example:
        >>> from diffprog import polygon_area
        >>> float(polygon_area(4)), float(polygon_area(4, "circumscribed"))
        (2.0, 4.0)
    """
    func = "polygon_area"
    n = v.check_int(func, "n", n, 3, example=6)
    if not isinstance(kind, str) or kind not in ("inscribed", "circumscribed"):
        raise v.fail(func, f"kind must be 'inscribed' or 'circumscribed', got {v.show(kind)}")
    v.check_nonnegative(func, "radius", radius, "Pass the circle's radius, e.g. radius=1.0")
    v.check_representable(func, "radius", radius)
    r2 = jnp.square(jnp.asarray(radius, dtype=default_float()))
    if kind == "inscribed":
        return 0.5 * n * r2 * jnp.sin(2.0 * math.pi / n)
    return n * r2 * jnp.tan(math.pi / n)


@result
class ArchimedesBounds:
    """Archimedes' doubling: ``sides[i]``-gons with areas ``lower[i] < π < upper[i]``.

    Attributes:
        sides: the numbers of sides, ``4·2^i`` (int64, exact).
        lower: the inscribed areas, rounded down to the active float dtype.
        upper: the circumscribed areas, rounded up to the active float dtype.
    """

    sides: np.ndarray
    lower: jax.Array
    upper: jax.Array


def _to_dtype(x: decimal.Decimal, dtype: Any, direction: int) -> Any:
    """``x`` rounded to ``dtype`` towards -inf (``direction = -1``) or +inf (``+1``)."""
    f = np.asarray(float(x), dtype)
    if direction < 0 and decimal.Decimal(float(f)) > x:
        f = np.nextafter(f, np.asarray(-np.inf, dtype))
    if direction > 0 and decimal.Decimal(float(f)) < x:
        f = np.nextafter(f, np.asarray(np.inf, dtype))
    return f


def archimedes_bounds(num_doublings: int) -> ArchimedesBounds:
    r"""Bounds on π from inscribed and circumscribed polygons, without using π.

    Starting from the square (:math:`A_4 = 2`, :math:`B_4 = 4`), each doubling of the number
    of sides takes a geometric then a harmonic mean:
    :math:`A_{2n} = \sqrt{A_n B_n}`, :math:`B_{2n} = 2 A_{2n} B_n / (A_{2n} + B_n)`.

    The recursion runs in exact-enough decimal arithmetic with directed rounding (each lower
    bound rounded down, each upper bound rounded up: interval arithmetic), and the bounds are
    then rounded *outward* to the active float dtype. So ``lower[i] <= π <= upper[i]`` holds
    for every row, in float32 too; once :math:`B_n - A_n` is below the dtype's spacing at π (from
    about 2^12 sides in float32, 2^26 in float64) the bounds stop improving at the two
    neighbours of π in that dtype, instead of crossing it.

    Args:
        num_doublings: how many times to double (0 gives just the square), an int in [0, 60].

    Returns:
        :class:`ArchimedesBounds` with fields ``sides``, ``lower``, ``upper``, arrays of length
        ``num_doublings + 1``; ``sides = 4·2^i`` (int64, exact), ``lower``/``upper`` in the
        active float dtype.

    Raises:
        InputError: if ``num_doublings`` is not an int in [0, 60].

    Example:
        >>> from diffprog import archimedes_bounds
        >>> b = archimedes_bounds(4)   # up to the 64-gon
        >>> int(b.sides[-1]), round(float(b.lower[-1]), 3), round(float(b.upper[-1]), 3)
        (64, 3.137, 3.144)
    """
    num_doublings = v.check_int(
        "archimedes_bounds", "num_doublings", num_doublings, 0, 60, example=8
    )
    dtype = np.dtype(default_float())
    D = decimal.Decimal
    floor = decimal.Context(prec=80, rounding=decimal.ROUND_FLOOR)
    ceil = decimal.Context(prec=80, rounding=decimal.ROUND_CEILING)
    a_lo = a_hi = D(2)
    b_lo = b_hi = D(4)
    lower, upper = [a_lo], [b_hi]
    for _ in range(num_doublings):
        a_lo, a_hi = (floor.sqrt(floor.multiply(a_lo, b_lo)), ceil.sqrt(ceil.multiply(a_hi, b_hi)))
        # the harmonic mean 2 / (1/A + 1/B) grows with A and B: round each end its own way
        b_lo = floor.divide(2, ceil.add(ceil.divide(1, a_lo), ceil.divide(1, b_lo)))
        b_hi = ceil.divide(2, floor.add(floor.divide(1, a_hi), floor.divide(1, b_hi)))
        lower.append(a_lo)
        upper.append(b_hi)
    lo = np.array([_to_dtype(x, dtype, -1) for x in lower], dtype)
    hi = np.array([_to_dtype(x, dtype, +1) for x in upper], dtype)
    sides = np.array([4 * 2**i for i in range(num_doublings + 1)], dtype=np.int64)
    return ArchimedesBounds(sides, jnp.asarray(lo), jnp.asarray(hi))


def riemann_sum(
    f: Callable[[jax.Array], ArrayLike], a: ArrayLike, b: ArrayLike, n: int, rule: str = "midpoint"
) -> jax.Array:
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

    ``f`` is evaluated as it is now on every call (no compilation is cached on it); wrap the
    call in ``jax.jit`` yourself to compile a sum you repeat.

    Returns:
        The sum, a scalar array.

    Raises:
        InputError: if ``f`` is not a function of one argument, ``n`` is not an int >= 1,
            ``rule`` is unknown, ``a``/``b`` are not finite real numbers in the active dtype's
            range, or ``f`` does not return one real number per point.

    Example:
        >>> from diffprog import riemann_sum
        >>> float(riemann_sum(lambda x: x**2, 0.0, 1.0, 4, "left"))   # (0 + 1 + 4 + 9) / 64
        0.21875
    """
    func = "riemann_sum"
    v.check_arity(func, "f", f, 1, "x")
    n = v.check_int(func, "n", n, 1, example=100)
    v.check_choice(func, "rule", rule, RULES)
    for name, end in (("a", a), ("b", b)):
        v.check_finite_scalar(func, name, end)
        v.check_representable(func, name, end)
    dtype = default_float()
    a, b = jnp.asarray(a, dtype), jnp.asarray(b, dtype)
    dx = (b - a) / n
    i = jnp.arange(n + 1, dtype=dtype)
    x = a + (i[:-1] + 0.5) * dx if rule == "midpoint" else a + i * dx
    try:
        y: Any = jax.vmap(f)(x)
    except TypeError as err:  # f returned a string or another non-array
        if "not a valid JAX type" not in str(err):
            raise
        raise v.fail(
            func,
            "f must return a number for each x, got a value that is not an array",
            "Return a jax number, e.g. lambda x: x**2",
        ) from None
    v.check_output(func, "f", y)
    if jnp.shape(y) != x.shape:
        raise v.fail(
            func,
            f"f must return one number per scalar x; got shape {jnp.shape(y)} for "
            f"{x.shape[0]} points",
            "Return a scalar from f(x)",
        )
    if rule == "midpoint":
        return jnp.sum(y) * dx
    if rule == "left":
        return jnp.sum(y[:-1]) * dx
    if rule == "right":
        return jnp.sum(y[1:]) * dx
    return (jnp.sum(y) - 0.5 * (y[0] + y[-1])) * dx
