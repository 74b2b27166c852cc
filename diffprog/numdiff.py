"""Numerical differentiation: secants, difference quotients, derivatives with honest error bars.

The derivative is the limit of the difference quotient,

.. math:: f'(x) = \\lim_{h \\to 0} \\frac{f(x + h) - f(x)}{h},

and a computer can only take the quotient at a finite step :math:`h`. Two errors
compete: truncation (the quotient is not yet the limit, :math:`O(h^a)` for a
scheme of accuracy order :math:`a`) and round-off (:math:`f` is known only to a
relative :math:`\\varepsilon`, amplified by :math:`1/h^n` for the :math:`n`-th
derivative). The best step depends on the function's own scale, which no formula
in :math:`\\varepsilon` and :math:`x` alone can know (:math:`\\sin` at
:math:`10^4` varies on a scale of 1, :math:`\\tanh(100x)` on a scale of 0.01).

Adaptive step (after numdifftools' step generators). ``derivative`` evaluates the
scheme on a ladder of steps :math:`h_j = s\\,2^{-j}/4`, :math:`j = 0 \\dots J-1`,
where :math:`s` is :math:`\\max(1, |x|)` rounded up to a power of two (the point's
scale) and :math:`J` reaches the round-off floor of the dtype (24 levels in float32,
44 in float64). At each level the truncation error is estimated from the
neighbouring levels (for a scheme of order :math:`a`,
:math:`D(h) - D(h/2) \\approx (1 - 2^{-a})\\,c\\,h^a`) and the round-off error from
:math:`\\varepsilon` times the values of :math:`f` (and :math:`|x f'|`, the rounding of
the point inside ``f``); the level with the smallest total wins, and its total is the
returned ``error``. A level is trusted only where three neighbouring levels show the
convergence the scheme predicts, and only if its interval ``value ± error`` meets that of
every finer trusted level: a step holding many periods of ``f`` (``sin(1e5 t)`` at
``t = 100``, top step 25) can look converged by coincidence, and the finer levels refute it.
Levels where ``f`` is NaN or infinite (a step that crosses the
edge of the domain, as :math:`\\log` at :math:`10^{-3}`) are never chosen. The whole
ladder costs one batched evaluation of ``f``.

Kinks and jumps. Where the one-sided derivatives disagree (``|x|`` or ReLU at 0) a
central difference returns their average, which is not a derivative; where ``f``
jumps (``sign`` at 0) every quotient grows like :math:`1/h`. ``derivative`` checks
both at the chosen step: second-order one-sided estimates ``left`` and ``right``
(for smooth :math:`f` their difference shrinks like :math:`h^3`; at a kink it stays),
and :math:`|f(x+h) - f(x-h)|` (shrinks like :math:`h` for a continuous :math:`f`,
stays at a jump). It sets ``kink`` (and ``jump``), widens ``error`` to cover the
disagreement (infinite at a jump) and warns with :class:`NonDifferentiableWarning`.
A result that is not finite warns with :class:`InaccurateDerivativeWarning`, and so does
a point where even the smallest step (four float spacings of ``x``) changes ``f`` by more
than 10% of its size (``sin(1e5 t)`` at ``t = 100`` in float32): no estimate is possible. Inside
the user's ``jax.jit`` nothing can be raised: read the flags from ``full_output=True``.

Design: no hidden compilation. Nothing here is ``jax.jit``-compiled or cached on
the user's function: every call evaluates ``f`` as it is now (a closure over a
changed variable gives the new answer). Called eagerly, ``f`` runs once, batched by
``jax.vmap`` over all the ladder's points, and the bookkeeping on the values runs in
numpy (no compilation: a fresh lambda costs a few milliseconds). Under the user's
own ``jax.jit``/``vmap``/``grad`` the same code runs on tracers with ``jax.numpy``;
``jax.jit`` the call yourself to compile it for repeated use (the optax/jax
convention).

Gradients, Jacobians, Hessians. ``numerical_gradient``, ``numerical_jacobian`` and
``numerical_hessian`` take arrays of any shape or pytrees; each coordinate (for the
Hessian: each pair of coordinates, through the second directional derivatives along
:math:`e_i \\pm e_j`) gets the same adaptive step and error estimate, in batches
whose memory is :math:`O(n)` per coordinate, never :math:`O(n^2)`.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import warnings
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree
from jax.typing import ArrayLike
from jaxtyping import Array, Float

from ._result import result
from ._validate import (
    check_arity,
    check_bool,
    check_choice,
    check_int,
    check_output,
    check_real_floating,
    check_representable,
    check_shapes_match,
    fail,
    is_tracer,
)

__all__ = [
    "METHODS",
    "DerivativeError",
    "DerivativeResult",
    "InaccurateDerivativeWarning",
    "NonDifferentiableWarning",
    "NumericalResult",
    "Secant",
    "backward_difference",
    "central_difference",
    "derivative",
    "forward_difference",
    "numerical_gradient",
    "numerical_hessian",
    "numerical_jacobian",
    "secant",
]

METHODS = ("forward", "backward", "central", "complex", "richardson")
_ACCURACY = {"forward": 1, "backward": 1, "central": 2, "richardson": 2, "complex": 2}
_NOISE = 4.0  # f's round-off, in units of eps * (|f| + |x f'|)
_SAFETY = 2.0  # on the truncation estimate from neighbouring levels
_BUDGET = 2**22  # numbers per batch in the gradient/Jacobian/Hessian (16 MB in float32)


class NonDifferentiableWarning(UserWarning):
    """The one-sided derivatives disagree, or ``f`` jumps: the value is not a derivative."""


class InaccurateDerivativeWarning(UserWarning):
    """No step gave a finite estimate (``f`` is NaN/inf around the point): no digits to trust."""


class DerivativeError(ArithmeticError):
    """A derivative estimate failed its verdict: raised by ``raise_if_failed()`` of a result.

    Attributes:
        result: the :class:`DerivativeResult` or :class:`NumericalResult` that failed.
    """

    def __init__(self, message: str, result: Any):
        super().__init__(message)
        self.result = result


def _flag(value: Any) -> Any:
    """A bool for a concrete scalar, a NumPy bool array for a concrete batch, else the array."""
    if is_tracer(value):
        return value
    arr = np.asarray(value)
    return bool(arr) if arr.ndim == 0 else arr


def _concrete(func: str, result: Any, field: str) -> None:
    if is_tracer(result):
        raise fail(
            f"{func} result.raise_if_failed",
            "needs concrete values, but the result is traced (inside jit or vmap)",
            f"Read result.{field} instead (an array that jit and vmap return)",
        )


@result
class DerivativeResult:
    """What ``derivative(..., full_output=True)`` returns (arrays shaped like the value).

    Attributes:
        value: the derivative estimate.
        error: an estimate of its absolute error (truncation + round-off at the chosen
            step; at a kink at least half the gap between ``left`` and ``right``; at a
            jump infinite).
        left: the one-sided (from the left) estimate, second-order accurate.
        right: the one-sided (from the right) estimate, second-order accurate.
        kink: True where the derivative does not exist: ``left`` and ``right`` disagree
            beyond round-off, or ``f`` jumps (or the step is too coarse for ``f``).
        h: the step used.
        jump: True where ``f`` itself is discontinuous (``f(x+h) - f(x-h)`` does not
            shrink with ``h``); ``kink`` is True there too.
        converged: False where no step of the ladder showed the convergence the scheme
            predicts, or where even the smallest step cannot resolve ``f`` (the error
            estimate is then a guess: read ``ok``; in the second case the call warns).
    """

    value: jax.Array
    error: jax.Array
    left: jax.Array
    right: jax.Array
    kink: jax.Array
    h: jax.Array
    jump: jax.Array
    converged: jax.Array

    @property
    def ok(self) -> Any:
        """Where the value is a derivative to trust: converged, no kink, finite.

        A bool for one point, a bool array (shaped like ``value``) for many; a jax array
        when traced.
        """
        xp = jnp if is_tracer(self) else np
        good = (
            xp.asarray(self.converged)
            & ~xp.asarray(self.kink)
            & xp.isfinite(xp.asarray(self.value))
            & xp.isfinite(xp.asarray(self.error))
        )
        return _flag(good)

    def raise_if_failed(self) -> DerivativeResult:
        """Raise :class:`DerivativeError` where ``ok`` is False; else return the result.

        Raises:
            DerivativeError: the message names the verdict (a jump, a kink, no convergence,
                a non-finite value) and how many points have it.
            InputError: called on traced values (inside ``jax.jit``): read ``ok`` instead.
        """
        _concrete("derivative", self, "ok")
        bad = ~np.asarray(self.ok)
        if not bad.any():
            return self
        jump, kink = np.asarray(self.jump), np.asarray(self.kink) & ~np.asarray(self.jump)
        finite = np.isfinite(np.asarray(self.value)) & np.isfinite(np.asarray(self.error))
        slow = ~np.asarray(self.converged) & finite & ~np.asarray(self.kink)
        parts = [
            f"{int(n.sum())} {what}"
            for n, what in (
                (jump, "where f jumps"),
                (kink, "at a kink (the one-sided derivatives disagree)"),
                (~finite & ~np.asarray(self.kink), "with no finite estimate"),
                (slow, "where the step ladder did not converge (the error is a guess)"),
            )
            if n.any()
        ]
        raise DerivativeError(
            f"derivative failed at {int(bad.sum())} of {bad.size} values: " + "; ".join(parts),
            self,
        )


@result
class NumericalResult:
    """What ``numerical_gradient/jacobian/hessian(..., full_output=True)`` return.

    Attributes:
        value: the estimate (an array, or a pytree shaped like the autodiff result).
        error: its estimated absolute error, the same structure.
        kink: True where a partial derivative does not exist (a kink or a jump).
    """

    value: Any
    error: Any
    kink: Any

    @property
    def ok(self) -> Any:
        """Whether every component is a derivative to trust (no kink, finite value and error).

        One bool for the whole estimate (a jax bool when traced).
        """
        xp = jnp if is_tracer(self) else np
        leaves = [
            xp.all(xp.isfinite(xp.asarray(v)) & xp.isfinite(xp.asarray(e)) & ~xp.asarray(k))
            for v, e, k in zip(
                jax.tree_util.tree_leaves(self.value),
                jax.tree_util.tree_leaves(self.error),
                jax.tree_util.tree_leaves(self.kink),
                strict=True,
            )
        ]
        return _flag(functools.reduce(lambda p, q: p & q, leaves))

    def raise_if_failed(self) -> NumericalResult:
        """Raise :class:`DerivativeError` unless ``ok``; else return the result.

        Raises:
            DerivativeError: the message counts the components at a kink or not finite.
            InputError: called on traced values (inside ``jax.jit``): read ``ok`` instead.
        """
        _concrete("numerical", self, "ok")
        if self.ok:
            return self
        kinks = sum(int(np.sum(np.asarray(k))) for k in jax.tree_util.tree_leaves(self.kink))
        nonfinite = sum(
            int(np.sum(~(np.isfinite(np.asarray(v)) & np.isfinite(np.asarray(e)))))
            for v, e in zip(
                jax.tree_util.tree_leaves(self.value),
                jax.tree_util.tree_leaves(self.error),
                strict=True,
            )
        )
        raise DerivativeError(
            f"numerical derivative failed: {kinks} components at a kink or jump, "
            f"{nonfinite} without a finite estimate",
            self,
        )


@result
class Secant:
    """The secant line :math:`y = \\text{slope}\\, x + \\text{intercept}` of :func:`secant`.

    Attributes:
        slope: :math:`(f(x_2) - f(x_1)) / (x_2 - x_1)`.
        intercept: :math:`f(x_1) - \\text{slope}\\, x_1`.
    """

    slope: jax.Array
    intercept: jax.Array


# --------------------------------------------------------------------------- argument checks


def _real_points(func: str, name: str, x: ArrayLike) -> jax.Array:
    if x is None or isinstance(x, str | dict | list | tuple) and not _numeric_sequence(x):
        raise fail(
            func,
            f"{name} must be a real number or array, got {type(x).__name__}",
            f"Pass e.g. {name}=1.0 or {name}=jnp.linspace(0, 1, 5)",
        )
    check_representable(func, name, x)
    x = check_real_floating(func, name, jnp.asarray(x) if not is_tracer(x) else x)
    x = jnp.asarray(x)
    if x.size == 0:
        raise fail(func, f"{name} is empty (shape {x.shape})", "Pass at least one point")
    if not is_tracer(x):
        arr = np.asarray(x)
        if not np.all(np.isfinite(arr)):
            raise fail(
                func,
                f"{name} must be finite, got {arr[~np.isfinite(arr)][:3]}",
                "Remove the NaN/inf points",
            )
    return x


def _numeric_sequence(x) -> bool:
    try:
        return np.asarray(x).dtype.kind in "biuf"
    except (ValueError, TypeError):
        return False


def _check_steps(
    func: str, h: ArrayLike, like: jax.Array, exact: bool = True, auto: bool = True
) -> jax.Array:
    """``h``: finite, > 0, broadcastable to ``like``; with ``exact``, ``like + h != like``."""
    if h is None or isinstance(h, str | bool):
        raise fail(func, f"h must be a finite number > 0, got {h!r}", "Pass a positive step")
    if _numeric_sequence(h):  # an h past float32 must say so, not overflow in the cast
        check_representable(func, "h", h)
    try:
        h = jnp.asarray(h, dtype=like.dtype) if not is_tracer(h) else jnp.asarray(h)
    except (TypeError, ValueError) as err:
        raise fail(func, f"h must be a finite number > 0, got {type(h).__name__}") from err
    if jnp.issubdtype(h.dtype, jnp.complexfloating):
        raise fail(func, "h must be real", "Pass a positive real step")
    try:
        shape = jnp.broadcast_shapes(h.shape, like.shape)
    except ValueError as err:
        raise fail(
            func, f"h must be a scalar or shaped like x {like.shape}, got shape {h.shape}"
        ) from err
    if shape != like.shape:
        raise fail(func, f"h must be a scalar or shaped like x {like.shape}, got shape {h.shape}")
    if not is_tracer(h):
        arr = np.asarray(h, dtype=np.float64)
        bad = ~(np.isfinite(arr) & (arr > 0))
        if np.any(bad):
            raise fail(
                func,
                f"h must be a finite number > 0, got {arr[bad][:3]}",
                "Pass a positive step" + (", or h=None for the automatic step" if auto else ""),
            )
        if exact and not is_tracer(like):
            gone = np.asarray((like + h) - like == 0)
            if np.any(gone):
                raise fail(
                    func,
                    f"h = {np.broadcast_to(arr, gone.shape)[gone][:3]} is below the "
                    f"resolution of x = {np.asarray(like)[gone][:3]} in {like.dtype} "
                    "(x + h == x: the quotient would be 0 whatever f is)",
                    "Pass a larger step" + (", or h=None" if auto else ""),
                )
    return h


# --------------------------------------------------------------------------- elementary quotients


def secant(
    f: Callable[[jax.Array], ArrayLike],
    x1: Float[ArrayLike, "*batch"],  # noqa: F722
    x2: Float[ArrayLike, "*batch"],  # noqa: F722
) -> Secant:
    """Slope and intercept of the secant line through ``(x1, f(x1))`` and ``(x2, f(x2))``.

    The slope is :math:`m = (f(x_2) - f(x_1)) / (x_2 - x_1)` (the "delta method":
    :math:`\\Delta y / \\Delta x`) and the intercept :math:`b = f(x_1) - m x_1`.

    Args:
        f: a function of one real variable (applied elementwise).
        x1: the first abscissa (an array broadcast against ``x2``).
        x2: the second abscissa; it must differ from ``x1`` everywhere.

    Returns:
        A :class:`Secant` with fields ``slope`` and ``intercept`` (broadcast shape).

    Raises:
        InputError: ``f`` not callable (of one argument) or not returning a real array;
            non-finite or complex points, shapes that do not broadcast, or ``x1 == x2``
            somewhere (a secant needs two distinct points).

    Example:
        >>> from diffprog.numdiff import secant
        >>> line = secant(lambda x: x**2 + 2 * x + 2, 2.0, 5.0)
        >>> float(line.slope), float(line.intercept)
        (9.0, -8.0)
    """
    check_arity("secant", "f", f, 1)
    x1, x2 = _real_points("secant", "x1", x1), _real_points("secant", "x2", x2)
    check_shapes_match("secant", ("x1", "x2"), x1, x2)
    if not is_tracer((x1, x2)) and np.any(np.asarray(x1 == x2)):
        raise fail(
            "secant",
            "x1 and x2 must differ (a secant needs two distinct points)",
            "For the tangent slope use derivative(f, x)",
        )
    y1, y2 = (check_output("secant", "f", f(t)) for t in (x1, x2))
    slope = (y2 - y1) / (x2 - x1)
    return Secant(slope=slope, intercept=y1 - slope * x1)


def _quotient(
    name: str, f: Callable, x: ArrayLike, h: ArrayLike
) -> tuple[Callable[[jax.Array], jax.Array], jax.Array, jax.Array]:
    """Checked ``(f, x, h)`` for an elementary quotient; ``f`` returns checked real values.

    A step lost in ``x + h`` (``x + h == x``: the quotient would be a silent 0) raises when
    the values are concrete; under tracing those quotients are NaN (see :func:`_lost_step`).
    """
    check_arity(name, "f", f, 1)
    x = _real_points(name, "x", x)
    try:
        like = jnp.broadcast_to(x, jnp.broadcast_shapes(x.shape, np.shape(h)))
    except (ValueError, TypeError) as err:
        raise fail(name, f"h must broadcast against x {x.shape}, got {h!r}") from err
    h = _check_steps(name, h, like, exact=True, auto=False)

    def checked(t: jax.Array) -> jax.Array:
        return jnp.asarray(check_output(name, "f", f(t)))

    return checked, x, h


def _lost_step(q: jax.Array, x: jax.Array, h: jax.Array) -> jax.Array:
    """NaN where ``x + h == x`` or ``x - h == x`` (traced inputs only reach here unchecked)."""
    if not is_tracer((x, h)):
        return q
    lost = ((x + h) == x) | ((x - h) == x)
    lost = jnp.reshape(lost, lost.shape + (1,) * (jnp.ndim(q) - lost.ndim))
    return jnp.where(lost, jnp.nan, q)


def forward_difference(
    f: Callable[[jax.Array], ArrayLike],
    x: Float[ArrayLike, "*batch"],  # noqa: F722
    h: Float[ArrayLike, "*batch"],  # noqa: F722
) -> Float[Array, "*shape"]:  # noqa: F722
    """The forward difference quotient :math:`(f(x + h) - f(x)) / h` (error :math:`O(h)`).

    Args:
        f: a function of one real variable (applied elementwise).
        x: the point(s).
        h: the step(s), finite and > 0.

    Returns:
        The quotient, shaped like ``f(x)``.

    Raises:
        InputError: ``f`` not a function of one argument or not returning a real array;
            non-finite ``x``; ``h`` not finite and positive, or so small that
            ``x + h == x`` (the quotient would be 0 whatever ``f`` is; under ``jax.jit``
            such quotients are NaN instead).

    Example:
        >>> from diffprog.numdiff import forward_difference
        >>> round(float(forward_difference(lambda x: x**2, 3.0, 0.5)), 4)
        6.5
    """
    f, x, h = _quotient("forward_difference", f, x, h)
    return _lost_step((f(x + h) - f(x)) / h, x, h)


def backward_difference(
    f: Callable[[jax.Array], ArrayLike],
    x: Float[ArrayLike, "*batch"],  # noqa: F722
    h: Float[ArrayLike, "*batch"],  # noqa: F722
) -> Float[Array, "*shape"]:  # noqa: F722
    """The backward difference quotient :math:`(f(x) - f(x - h)) / h` (error :math:`O(h)`).

    Args:
        f: a function of one real variable (applied elementwise).
        x: the point(s).
        h: the step(s), finite and > 0.

    Returns:
        The quotient, shaped like ``f(x)``.

    Raises:
        InputError: ``f`` not a function of one argument or not returning a real array;
            non-finite ``x``; ``h`` not finite and positive, or so small that
            ``x + h == x`` (the quotient would be 0 whatever ``f`` is; under ``jax.jit``
            such quotients are NaN instead).

    Example:
        >>> from diffprog.numdiff import backward_difference
        >>> round(float(backward_difference(lambda x: x**2, 3.0, 0.5)), 4)
        5.5
    """
    f, x, h = _quotient("backward_difference", f, x, h)
    return _lost_step((f(x) - f(x - h)) / h, x, h)


def central_difference(
    f: Callable[[jax.Array], ArrayLike],
    x: Float[ArrayLike, "*batch"],  # noqa: F722
    h: Float[ArrayLike, "*batch"],  # noqa: F722
) -> Float[Array, "*shape"]:  # noqa: F722
    """The central difference quotient :math:`(f(x + h) - f(x - h)) / 2h` (error :math:`O(h^2)`).

    Args:
        f: a function of one real variable (applied elementwise).
        x: the point(s).
        h: the step(s), finite and > 0.

    Returns:
        The quotient, shaped like ``f(x)``.

    Raises:
        InputError: ``f`` not a function of one argument or not returning a real array;
            non-finite ``x``; ``h`` not finite and positive, or so small that
            ``x + h == x`` (the quotient would be 0 whatever ``f`` is; under ``jax.jit``
            such quotients are NaN instead).

    Example:
        >>> from diffprog.numdiff import central_difference
        >>> round(float(central_difference(lambda x: x**2, 3.0, 0.5)), 4)
        6.0
    """
    f, x, h = _quotient("central_difference", f, x, h)
    return _lost_step((f(x + h) - f(x - h)) / (2 * h), x, h)


# --------------------------------------------------------------------------- derivative


def derivative(
    f: Callable[[jax.Array], ArrayLike],
    x: Float[ArrayLike, "*points"],  # noqa: F722
    method: str = "central",
    h: Float[ArrayLike, "*points"] | None = None,  # noqa: F722
    order: int = 1,
    full_output: bool = False,
) -> Float[Array, "*shape"] | DerivativeResult:  # noqa: F722
    """The ``order``-th derivative of a scalar function ``f`` at every point of ``x``.

    ``f`` is written for one scalar and is batched with ``jax.vmap`` over ``x`` (any
    shape); its value may be an array, giving an array of derivatives per point.
    Nothing is compiled or cached: each call sees ``f`` as it is now (``jax.jit`` the
    call yourself for repeated use).

    Methods (``order`` 1 or 2; ``"complex"`` order 1 only):

    - ``"forward"`` / ``"backward"``: one-sided, error :math:`O(h)`;
    - ``"central"``: :math:`(f(x+h) - f(x-h))/2h`, error :math:`O(h^2)`;
    - ``"richardson"``: central differences at :math:`h, h/2, h/4, h/8` combined by
      Richardson extrapolation (error :math:`O(h^8)`); the most accurate real method;
    - ``"complex"``: :math:`\\operatorname{Im} f(x + ih) / h`, no subtraction hence no
      round-off (accurate to :math:`\\varepsilon`), but only for *complex-safe*
      ``f`` (analytic, no ``abs``, comparisons or ``jnp.real``): it is checked
      against a central difference and refused when they disagree (inside
      ``jax.jit``, where nothing can be raised, such values are NaN instead).

    With ``h=None`` the step is chosen per point from a ladder of steps (see the
    module notes): the one with the smallest estimated truncation + round-off error.
    The returned ``error`` covers the true error, or the call warns: at a kink or a
    jump with :class:`NonDifferentiableWarning`, where no step gives a finite value
    with :class:`InaccurateDerivativeWarning`.

    Args:
        f: a function of one real scalar (jax-traceable), returning a real array.
        x: the points (float32 unless float64 is enabled; ints become floats); finite.
        method: one of ``METHODS``.
        h: a fixed step (scalar or shaped like ``x``, finite, > 0 and not lost in
            ``x + h``); ``None`` chooses one per point. For ``"richardson"`` it is the
            largest of the four steps.
        order: 1 or 2.
        full_output: also return the error estimate, one-sided values and flags (a bool).

    Returns:
        The derivatives, shaped ``x.shape + f(x).shape``; with ``full_output`` a
        :class:`DerivativeResult` (``.ok`` per value; ``.raise_if_failed()`` raises
        :class:`DerivativeError` at a kink, a jump or without convergence).

    Raises:
        InputError: ``f`` not callable or returning ``None``/a tuple/complex values;
            ``x`` empty, complex or not finite; unknown ``method``; ``order`` not 1 or
            2; a bad ``h``; or ``f`` not complex-safe with ``method="complex"``.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog.numdiff import derivative
        >>> d = derivative(jnp.sin, jnp.array([0.0, 1.0]))
        >>> [round(float(v), 4) for v in d]
        [1.0, 0.5403]

    References:
        Fornberg, "Generation of finite difference formulas on arbitrarily spaced grids" (1988);
        Squire & Trapp, "Using complex variables to estimate derivatives of real functions" (1998);
        P. A. Brodtkorb, numdifftools' adaptive step generators.
    """
    name = "derivative"
    check_arity(name, "f", f, 1)
    method, order = _check_method(name, method, order)
    full_output = check_bool(name, "full_output", full_output)
    x = _real_points(name, "x", x)
    hh = None if h is None else _check_steps(name, h, x, exact=method != "complex")
    flat = x.ravel()
    hflat = None if hh is None else jnp.broadcast_to(hh, x.shape).ravel()

    def evaluate(ts):
        return ts.shape, _traceable(name, jax.vmap(f), ts.ravel())

    res, bad = _engine(name, evaluate, flat, _scale_of(flat), method, order, hflat)
    _report(name, res, bad, method, order, "x", np.asarray(flat) if not is_tracer(flat) else None)
    res = jax.tree_util.tree_map(lambda a: a.reshape(x.shape + a.shape[1:]), res)
    return res if full_output else res.value


def _traceable(name: str, fn: Callable, arg: Any) -> Any:
    """``fn(arg)``, turning jax's errors for Python control flow on tracers into an InputError.

    An output that is not a jax type (a string) makes ``jax.vmap`` raise a raw TypeError: it
    becomes the InputError of :func:`check_output`.
    """
    try:
        return fn(arg)
    except (
        jax.errors.ConcretizationTypeError,
        jax.errors.TracerBoolConversionError,
        jax.errors.TracerIntegerConversionError,
        jax.errors.TracerArrayConversionError,
    ) as err:
        raise fail(
            name,
            "f must be jax-traceable (it is evaluated with jax.vmap on a batch of "
            f"points), but it converts its argument to a Python value: {type(err).__name__}",
            "Use jnp.where instead of `if`, and jnp functions instead of math/numpy",
        ) from err
    except TypeError as err:
        if "not a valid JAX type" not in str(err):
            raise
        kind = str(err).split(" with type ")[-1].split(" is not")[0]
        raise fail(
            name,
            f"f must return a real array, but it returned a value that is not a number ({kind})",
            "Return a jax array (e.g. `return jnp.sin(x)`)",
        ) from err


def _check_method(name: str, method: str, order: int) -> tuple[str, int]:
    check_choice(name, "method", method, METHODS)
    order = check_int(name, "order", order, least=1, most=2)
    if method == "complex" and order != 1:
        raise fail(
            name,
            "method='complex' gives first derivatives only",
            "Use method='richardson' or 'central' for order=2",
        )
    return method, order


def _scale_of(x) -> jax.Array:
    """max(1, |x|) rounded up to a power of two (exact arithmetic on steps)."""
    xp = jnp if is_tracer(x) else np
    a = xp.maximum(1.0, xp.abs(xp.asarray(x)))
    return (2.0 ** xp.ceil(xp.log2(a))).astype(x.dtype)


@functools.cache
def _weights(offsets: tuple[float, ...], n: int) -> tuple[float, ...]:
    """Finite-difference weights w with sum_k w_k f(x + k h) / h^n = f^(n)(x) + O(h^a)."""
    k = np.asarray(offsets, dtype=np.float64)
    rhs = np.zeros(len(k))
    rhs[n] = math.factorial(n)
    return tuple(float(w) for w in np.linalg.solve(np.vander(k, len(k), increasing=True).T, rhs))


@functools.cache
def _richardson_weights() -> tuple[float, ...]:
    """The combination of D(h), D(h/2), D(h/4), D(h/8) cancelling h^2, h^4, h^6."""
    rows = np.eye(4)
    for k in range(1, 4):
        rows = rows[1:] + (rows[1:] - rows[:-1]) / (4**k - 1)
    return tuple(float(w) for w in rows[0])


def _levels(dtype) -> int:
    return 24 if jnp.dtype(dtype).itemsize <= 4 else 44


@dataclasses.dataclass
class _Ladder:
    """The evaluated ladder of N points: f at x, at x + h_j and at x - h_j for J levels."""

    xp: Any  # numpy on concrete values, jax.numpy when traced
    dtype: Any
    eps: float
    J: int  # levels
    j0: int  # the level of a fixed h (forward/backward f'' also need 2h)
    fixed: bool  # h given: no choice among levels
    hs: Any  # (J, N) steps
    f0: Any  # (N, *out)
    fp: Any  # (J, N, *out)
    fm: Any
    hp: Any  # (J, N, 1...) the offsets actually used
    hm: Any
    xs: Any  # (N, 1...) |x|
    ex: tuple  # index that broadcasts (J, N) against (J, N, *out)
    out_nd: int


def _shift(xp: Any, arr: Any, k: int) -> Any:
    """``arr[j + k]`` at level ``j`` (NaN, or False, past the ends), along the level axis."""
    if k == 0:
        return arr
    pad = xp.full((abs(k),) + arr.shape[1:], False if arr.dtype == bool else np.nan, arr.dtype)
    return xp.concatenate([arr[k:], pad]) if k > 0 else xp.concatenate([pad, arr[:k]])


def _finer(xp: Any, arr: Any, op: str) -> Any:
    """At level ``j``: the min (``op="min"``) or max of ``arr`` over the finer levels ``i > j``."""
    acc: Any
    if xp is np:
        acc = (np.minimum if op == "min" else np.maximum).accumulate(arr[::-1], axis=0)[::-1]
    else:
        # An associative scan, not lax.cummin/cummax: on CPU those lower to a reduce_window
        # about 5x slower at the ladder's (levels, points) shapes (max/min are exact either way).
        acc = jax.lax.associative_scan(
            jnp.minimum if op == "min" else jnp.maximum, arr, reverse=True, axis=0
        )
    pad = xp.full((1,) + arr.shape[1:], np.inf if op == "min" else -np.inf, arr.dtype)
    return xp.concatenate([acc[1:], pad])


def _ladder(
    name: str,
    evaluate: Callable,
    x: Any,
    scale: Any,
    method: str,
    order: int,
    h: Any,
) -> _Ladder:
    """Build the steps ``h_j = s 2^-j / 4`` (or ``h 2^-j`` for a fixed ``h``), evaluate f."""
    traced = is_tracer(x) or is_tracer(h) or is_tracer(scale)
    dtype = x.dtype
    # With a fixed h, level j0 is h itself (forward/backward f'' also need the point 2h).
    j0 = 1 if method in ("forward", "backward") and order == 2 and h is not None else 0
    J = _levels(dtype) if h is None else 6 + j0
    # The ladder is built in numpy when the points are concrete (no eager jax dispatch).
    bp: Any = jnp if traced else np
    if bp is np:
        x, scale = np.asarray(x), np.asarray(scale)
        h = None if h is None else np.asarray(h)
    top = scale / 4 if h is None else h * 2.0**j0
    ratios = bp.asarray(2.0 ** -np.arange(J), dtype)
    hs = (top[None] * ratios[:, None]).astype(dtype)  # (J, N)
    if h is None:  # never below a few spacings of x (x + h == x would divide by 0)
        xc = x if bp is np else jax.lax.stop_gradient(x)
        hs = bp.maximum(hs, 4 * bp.abs(bp.nextafter(xc, bp.asarray(np.inf, dtype)) - xc)[None])
    tp, tm = x[None] + hs, x[None] - hs
    shape, vals = evaluate(jnp.asarray(bp.concatenate([x[None], tp, tm])))  # (2J + 1, N)
    check_output(name, "f", vals)
    xp: Any = jnp if traced or is_tracer(vals) else np
    if xp is np:
        vals = np.asarray(vals)
    vals = vals.astype(dtype).reshape(shape + vals.shape[1:])
    out_nd = vals.ndim - 2
    ex = (slice(None),) * 2 + (None,) * out_nd  # (J, N) -> (J, N, 1...)
    return _Ladder(
        xp=xp,
        dtype=dtype,
        eps=float(jnp.finfo(dtype).eps),
        J=J,
        j0=j0,
        fixed=h is not None,
        hs=hs,
        f0=vals[0],
        fp=vals[1 : J + 1],
        fm=vals[J + 1 :],
        hp=(tp - x[None])[ex],
        hm=(x[None] - tm)[ex],
        xs=xp.abs(x)[(slice(None),) + (None,) * out_nd],
        ex=ex,
        out_nd=out_nd,
    )


def _differences(L: _Ladder, method: str, n: int) -> tuple[Any, Any, Any]:
    """Per level: the scheme's estimate D, its round-off, and the central first difference."""
    xp, eps = L.xp, L.eps
    fp, fm, f0, hp, hm = L.fp, L.fm, L.f0, L.hp, L.hm
    d1 = (fp - fm) / (hp + hm)  # central first difference
    fmag = xp.maximum(xp.maximum(xp.abs(fp), xp.abs(fm)), xp.abs(f0)[None])
    # f's round-off at each level; eps |x f'| for the rounding of x inside f (a * x)
    fnoise = _NOISE * eps * fmag + 2 * eps * L.xs[None] * xp.nan_to_num(xp.abs(d1))
    if method in ("central", "richardson", "complex"):
        if n == 1:
            return d1, 2 * fnoise / (hp + hm), d1
        D = 2 * ((fp - f0) / hp - (f0 - fm) / hm) / (hp + hm)
        return D, 8 * fnoise / (hp * hm), d1
    fs, hsd = (fp, hp) if method == "forward" else (fm, -hm)  # the ladder's points on one side
    if n == 1:
        return (fs - f0) / hsd, 2 * fnoise / xp.abs(hsd), d1
    f2, h2 = _shift(xp, fs, -1), _shift(xp, hsd, -1)  # points 0, h, 2h (2h: the level above)
    return 2 * ((f2 - fs) / (h2 - hsd) - (fs - f0) / hsd) / h2, 8 * fnoise / hsd**2, d1


def _choose(
    L: _Ladder, V: Any, err: Any, noise: Any, ratio: tuple[float, float]
) -> tuple[Any, Any, Any]:
    """The trusted level of least error: ``(err, j, converged)`` (the first level if h is fixed).

    A level is trusted where the differences to its neighbours shrink as the scheme's order
    says (``up / down`` in ``ratio``: the asymptotic regime) or are at the level of round-off,
    three levels in a row. Steps far too large for f (sin(1e5 t) with h = 8) can pass that by
    coincidence; their value then disagrees with the finer trusted levels beyond both errors,
    and a level so refuted is never chosen.
    """
    xp = L.xp
    up, down = xp.abs(_shift(xp, V, -1) - V), xp.abs(V - _shift(xp, V, 1))
    finite = xp.isfinite(err) & xp.isfinite(V)
    ok = ((up >= ratio[0] * down) & (up <= ratio[1] * down)) | (xp.fmax(up, down) <= 2 * noise)
    ok = ok & finite
    err = xp.where(finite, err, np.inf)
    if L.fixed:
        return err, xp.full(err.shape[1:], L.j0, dtype=int), xp.ones(err.shape[1:], bool)
    trusted = ok & _shift(xp, ok, 1) & _shift(xp, ok, -1)  # three in a row: no coincidence
    lo = _finer(xp, xp.where(trusted, V - err, -np.inf), "max")
    hi = _finer(xp, xp.where(trusted, V + err, np.inf), "min")
    trusted = trusted & (V - err <= hi) & (V + err >= lo)
    any_ok = xp.any(trusted, axis=0)
    score = xp.where(trusted | ~any_ok[None], err, np.inf)
    # the largest step within 25% of the least error (ties: less rounding)
    best = xp.min(score, axis=0)
    near = score <= 1.25 * best[None]
    return err, _first(xp, near), any_ok


def _first(xp: Any, mask: Any) -> Any:
    """The first level where ``mask`` holds, per point (0 where it nowhere does): argmax.

    Traced, it is a chain of selects over the (static, at most 44) levels, which XLA fuses
    into one pass; its CPU argmax, a variadic reduction, costs about 5x more at these shapes.
    """
    if xp is np:
        return np.argmax(mask, axis=0)
    out = jnp.zeros(mask.shape[1:], jnp.int32)
    for j in range(mask.shape[0] - 1, -1, -1):
        out = jnp.where(mask[j], j, out)
    return out


def _resolved(L: _Ladder) -> Any:
    """Whether the smallest step resolves f: f changes over it by < 10% of f's own scale.

    Where it does not (sin(1e5 t) at t = 100 in float32: the smallest step, four float
    spacings of t, holds half a period), no level can converge; whatever looks converged is
    a coincidence.
    """
    xp = L.xp
    fin = lambda a: xp.where(xp.isfinite(a), xp.abs(a), 0.0)  # noqa: E731
    scale = xp.maximum(xp.max(xp.maximum(fin(L.fp), fin(L.fm)), axis=0), fin(L.f0))
    change = xp.abs(L.fp[-1] - L.fm[-1])
    return ~(change > 0.1 * scale)


def _richardson(L: _Ladder, D: Any, noise: Any) -> tuple[Any, Any, Any]:
    """Richardson's combination of D(h), D(h/2), D(h/4), D(h/8), its error and round-off."""
    xp = L.xp
    w = _richardson_weights()
    V = sum(wk * _shift(xp, D, k) for k, wk in enumerate(w))
    Vn = sum(abs(wk) * _shift(xp, noise, k) for k, wk in enumerate(w))
    up, down = xp.abs(_shift(xp, V, -1) - V), xp.abs(V - _shift(xp, V, 1))
    return V, _SAFETY * xp.fmax(up, down) + Vn, Vn


def _pick(L: _Ladder, arr: Any, j: Any) -> Any:
    shape = L.fp.shape
    return L.xp.take_along_axis(L.xp.broadcast_to(arr, shape), j[None], axis=0)[0]


def _kink_checks(L: _Ladder, jd: Any, spread: dict, n: int) -> tuple[Any, Any, Any, Any]:
    """(kink, jump, left, right) checked at the chosen plain step and at ``eps^(1/3) s``.

    A kink or a jump is there at every scale, while the rounding inside f can fake one at
    tiny steps only: both checks must agree.
    """
    xp, J = L.xp, L.J
    jref = int(round(math.log2(0.25 / L.eps ** (1 / 3))))
    least = 2 if n == 1 else 3
    checks = [
        _kinks(
            xp, at_level(xp, clip, J, L.fp.shape), spread, L.fp, L.fm, L.f0, L.hp, L.xs, n, L.eps
        )
        for clip in (
            xp.clip(jd, least, J - 1),
            xp.clip(xp.minimum(jd, jref), least, J - 1),
        )
    ]
    (kink, jump, rv, lv), (kink2, jump2, _, _) = checks
    jump = jump & jump2
    return (kink & kink2) | jump, jump, lv, rv


def _complex_step(
    name: str,
    evaluate: Callable,
    L: _Ladder,
    x: Any,
    scale: Any,
    h: Any,
    central: tuple[Any, Any, Any],
) -> tuple[Any, Any, Any, Any]:
    """``Im f(x + ih) / h`` checked against the central value: (value, error, step, bad)."""
    xp, eps, dtype = L.xp, L.eps, L.dtype
    value, error, kink = central
    hc = (
        xp.asarray(eps, dtype) * xp.asarray(scale)
        if h is None
        else xp.broadcast_to(xp.asarray(h, dtype), x.shape)
    )
    hc = hc if xp is jnp else np.asarray(hc, dtype)
    cdt = jnp.result_type(dtype, jnp.complex64)
    zt = jnp.stack(
        [jnp.asarray(x) + 1j * jnp.asarray(hc), jnp.asarray(x) + 2j * jnp.asarray(hc)]
    ).astype(cdt)
    try:
        zshape, zc = evaluate(zt)
    except TypeError as err_:
        raise fail(
            name,
            f"f is not complex-safe: evaluating it at x + ih raised {err_!r}",
            "Use method='central' or method='richardson'",
        ) from err_
    if xp is np:
        zc = np.asarray(zc)
    if not jnp.issubdtype(zc.dtype, jnp.complexfloating):
        zc = zc.astype(cdt)  # a real result: the check below refuses it
    zc = zc.reshape(zshape + zc.shape[1:])
    hcb = hc[(slice(None),) + (None,) * L.out_nd]
    c1, c2 = xp.imag(zc[0]) / hcb, xp.imag(zc[1]) / (2 * hcb)
    ctol = 10 * (error + xp.abs(c1 - c2)) + eps**0.25 * xp.maximum(xp.abs(value), xp.abs(c1))
    mismatch = ~(xp.abs(c1 - value) <= ctol) & ~kink
    bad = mismatch.reshape(x.shape[0], -1).any(axis=1)
    value = xp.where(mismatch, xp.asarray(np.nan, dtype), c1.astype(dtype))
    error = xp.where(kink, error, xp.abs(c1 - c2) / 3 + 4 * eps * xp.abs(c1))
    return value, error, xp.broadcast_to(hcb, value.shape), bad


def _engine(
    name: str, evaluate: Callable, x: Any, scale: Any, method: str, order: int, h: Any
) -> tuple[DerivativeResult, Any]:
    """The adaptive ladder for N points at once; returns (DerivativeResult of (N, *out), bad).

    ``evaluate(ts)`` evaluates the 1-D functions at the (K, N) abscissae ``ts`` (point ``i``
    is column ``i``) and returns ``(ts.shape, values)`` with values shaped (K*N, *out).
    """
    n, a = order, _ACCURACY[method]
    h_complex = h if method == "complex" else None
    if method == "complex":  # the central check always uses the adaptive ladder
        h = None
    L = _ladder(name, evaluate, x, scale, method, order, h)
    xp = L.xp
    with np.errstate(all="ignore"):
        D, noise, d1 = _differences(L, method, n)
        up, down = xp.abs(_shift(xp, D, -1) - D), xp.abs(D - _shift(xp, D, 1))
        err = _SAFETY * xp.fmax(up / (2.0**a - 1), down / (1 - 2.0**-a)) + noise
        err, j, converged = _choose(L, D, err, noise, (2.0**a / 1.5, 2.0**a * 1.5))
        jd = j  # the best plain step: where the one-sided checks below are accurate
        # The plain ladders' own spread at that step (f' and f^(n)): how far apart two
        # estimates may fall from round-off alone, whatever the noise model says.
        up1, down1 = xp.abs(_shift(xp, d1, -1) - d1), xp.abs(d1 - _shift(xp, d1, 1))
        spread = {1: 4 * xp.fmax(up1, down1), n: 4 * xp.fmax(up, down) / (1 - 2.0**-a)}
        V = D
        if method == "richardson":
            V, err, Vn = _richardson(L, D, noise)
            err, j, converged = _choose(L, V, err, Vn, (2.0**4, 2.0**12))  # ratio ~2^8
        value, error = _pick(L, V, j), _pick(L, err, j)
        step = _pick(L, L.hs[L.ex], j)
        kink, jump, lv, rv = _kink_checks(L, jd, spread, n)
        error = xp.where(kink, xp.maximum(error, xp.abs(rv - lv) / 2), error)
        error = xp.where(jump, np.inf, error)
        nanf = xp.asarray(np.nan, L.dtype)
        value = xp.where(xp.isfinite(error), value, xp.where(jump, value, nanf))
        bad = xp.zeros(x.shape, bool)
        if method == "complex":
            value, error, step, bad = _complex_step(
                name, evaluate, L, x, scale, h_complex, (value, error, kink)
            )
    if not L.fixed and name == "derivative":  # (a coordinate of a gradient may be f = 0 + noise)
        with np.errstate(all="ignore"):
            resolved = _resolved(L)
        converged = converged & resolved
        if xp is np and not np.all(resolved | kink):
            warnings.warn(
                f"{name}: no step can resolve f at {int(np.sum(~resolved))} of "
                f"{resolved.size} values: f changes by more than 10% of its size over the "
                "smallest step the dtype allows there (about 4 float spacings of x); the value "
                "and its error are a guess (converged=False). Try `with diffprog.float64():`.",
                InaccurateDerivativeWarning,
                stacklevel=4,
            )
    converged = converged | kink | ~xp.isfinite(value)
    fields = [value, error, lv, rv, kink, step, jump, converged]
    arrays = [
        jnp.asarray(v).astype(L.dtype) if v.dtype.kind == "f" else jnp.asarray(v) for v in fields
    ]
    return DerivativeResult(*arrays), bad


def at_level(xp, kl, J, shape):
    """``at(arr, d)``: arr at level ``kl - d`` (clipped to the ladder) for every point."""
    if xp is not np:
        return lambda arr, d: xp.take_along_axis(
            xp.broadcast_to(arr, shape), xp.clip(kl - d, 0, J - 1)[None], axis=0
        )[0]
    # numpy: one fancy index per call, the clipped levels computed once per offset d
    # (``_kinks`` reads some fifty arrays at a handful of offsets).
    grid = np.indices(shape[1:], sparse=True)
    rows: dict[int, np.ndarray] = {}

    def at(arr, d):
        if d not in rows:
            rows[d] = np.clip(kl - d, 0, J - 1)
        return np.broadcast_to(arr, shape)[(rows[d], *grid)]

    return at


def _kinks(xp, at, spread, fp, fm, f0, hp, xs, n, eps):
    """(kink, jump, right, left) from one-sided estimates at step k = hp[kl], 2k and 4k."""
    k = at(hp, 0)
    slope = None
    kink = False
    rv = lv = None
    for nn in sorted({1, n}):
        offs = (0.0, 1.0, 2.0) if nn == 1 else (0.0, 1.0, 2.0, 4.0)
        wts = _weights(offs, nn)

        def one_sided(side, scale_k, d0, nn=nn, wts=wts, offs=offs):
            fv = fp if side > 0 else fm
            terms = [f0 if o == 0 else at(fv, d0 + int(round(math.log2(o)))) for o in offs]
            est = sum(wk * t for wk, t in zip(wts, terms, strict=True))
            nz = sum(abs(wk) * xp.abs(t) for wk, t in zip(wts, terms, strict=True))
            return side**nn * est / scale_k**nn, nz / scale_k**nn

        (r1, rn1), (l1, ln1) = one_sided(1, k, 0), one_sided(-1, k, 0)
        (r2, _), (l2, _) = one_sided(1, 2 * k, 1), one_sided(-1, 2 * k, 1)
        if nn == 1:
            slope = xp.maximum(xp.abs(r1), xp.abs(l1))
        wsum = 2 * sum(abs(wk) for wk in wts)
        gap, gap2 = xp.abs(r1 - l1), xp.abs(r2 - l2)
        near = functools.reduce(xp.fmax, [at(spread[nn], d) for d in (-2, -1, 0, 1, 2)])
        tol = (
            10 * eps * (rn1 + ln1 + wsum * xs * slope / k**nn)
            + math.sqrt(eps) * xp.maximum(xp.abs(r1), xp.abs(l1))
            + 10 * xp.nan_to_num(near, nan=0.0, posinf=0.0)
        )
        # a kink: a gap above round-off, the same at k and 2k (smooth f: it grows 8-fold),
        # that matters beside f's own variation over the step
        vary = xp.abs(at(fp, 0) - f0) + xp.abs(f0 - at(fm, 0))
        kink = kink | (
            (gap > tol) & (gap2 < 1.33 * gap) & (gap2 > gap / 1.33) & (gap * k**nn >= 1e-3 * vary)
        )
        rv, lv = r1, l1
    # A jump: f(x + k) - f(x - k) does not shrink with k.
    dj = [xp.abs(at(fp, d) - at(fm, d)) for d in (0, 1, 2)]
    ftol = 10 * _NOISE * eps * (xp.abs(at(fp, 0)) + xp.abs(at(fm, 0)) + xs * slope)
    same = lambda p, q: (p < 1.33 * q) & (q < 1.33 * p)  # noqa: E731
    jump = (dj[0] > ftol) & same(dj[1], dj[0]) & same(dj[2], dj[1])
    return kink, jump, rv, lv


def _report(name, res, bad, method, order, what, points) -> None:
    """Outside jit: refuse a failed complex step, warn at kinks, jumps and non-finite values."""
    if is_tracer(res):
        return
    if np.any(np.asarray(bad)):
        where = np.flatnonzero(np.asarray(bad))[:3]
        shown = points[where] if points is not None else where
        raise fail(
            name,
            f"f is not complex-safe: its complex step disagrees with a central "
            f"difference at {what} = {shown} (abs, comparisons, jnp.real or a real-valued "
            "result break it)",
            "Use method='central' or method='richardson'",
        )
    n = res.value.shape[0] if res.value.ndim else 1
    kink = np.asarray(res.kink).reshape(n, -1).any(axis=1)
    if kink.any():
        i = np.flatnonzero(kink)[:3]
        jump = np.asarray(np.asarray(res.jump).reshape(n, -1).any(axis=1))
        first = np.argmax(np.asarray(res.kink).reshape(n, -1)[i], axis=1)  # a flagged output
        left, right = (np.asarray(a).reshape(n, -1)[i, first] for a in (res.left, res.right))
        pts = points[i] if points is not None else i
        kind = "jumps" if jump[i].any() else "has a kink"
        of_what = " (of f or of its derivative)" if order == 2 else ""
        warnings.warn(
            f"f is not differentiable at {what} = {pts} ({kink.sum()} of {n} points): it {kind} "
            f"there; the one-sided derivatives{of_what}"
            f" disagree (left {left}, right {right}); the {method} value is not a derivative "
            f"there. See {name}(..., full_output=True).left/.right/.kink/.jump.",
            NonDifferentiableWarning,
            stacklevel=3,
        )
    value = np.asarray(res.value).reshape(n, -1)
    nonfinite = ~np.isfinite(value).all(axis=1) & ~kink
    if nonfinite.any():
        i = np.flatnonzero(nonfinite)[:3]
        pts = points[i] if points is not None else i
        warnings.warn(
            f"{name}: no step gave a finite estimate at {what} = {pts} ({nonfinite.sum()} of {n} "
            "points): f is NaN or infinite around there (outside its domain, or overflowing). "
            "The result is NaN there.",
            InaccurateDerivativeWarning,
            stacklevel=3,
        )


# --------------------------------------------------------------------------- gradient, Jacobian


def _is_leaf(t) -> bool:
    return t is not None and jax.tree_util.treedef_is_leaf(jax.tree_util.tree_structure(t))


def _flat_problem(name: str, f: Callable, x: Any):
    check_arity(name, "f", f, 1)
    if x is None:
        raise fail(name, "x must be an array or a pytree of arrays, got None")
    x = check_real_floating(name, "x", x)
    if _is_leaf(x):
        check_representable(name, "x", x)
        x = jnp.asarray(x)
    v, unravel = ravel_pytree(x)
    if v.size == 0:
        raise fail(name, "x is empty (no coordinates)", "Pass at least one number")
    if not jnp.issubdtype(v.dtype, jnp.floating):
        v = v.astype(jnp.result_type(float))
    if not is_tracer(v) and not np.all(np.isfinite(np.asarray(v))):
        raise fail(name, "x must be finite", "Remove NaN/inf entries")
    out0 = _traceable(name, f, x)
    if _is_leaf(out0) and out0 is not None:
        out0 = jnp.asarray(check_output(name, "f", out0))
    leaves = jax.tree_util.tree_leaves(out0)
    if out0 is None or not leaves:
        check_output(name, "f", None)
    for leaf in leaves:
        check_output(name, "f", leaf)
    o, unravel_out = ravel_pytree(out0)
    return x, v, unravel, out0, o, unravel_out


def _by_coordinate(name, g, v, method, order, h, extra_scale=None):
    """Estimates for the N 1-D problems t -> g(i, t) (column i of every (K, N) batch).

    ``g(idx, ts)`` evaluates problem ``idx[c]`` at ``ts[:, c]``; returns (K*B, m) values.
    Batches of B problems keep memory at O(K * B * (n + m)).
    """
    N = v.shape[0]
    K = 2 * _levels(v.dtype) + 1 if h is None else 13
    width = max(1, g.width)
    B = max(1, min(N, _BUDGET // (K * width)))
    parts = []
    for start in range(0, N, B):
        idx = np.arange(start, min(N, start + B))
        pts = g.points(idx)
        sc = extra_scale[idx] if extra_scale is not None else _scale_of(pts)
        hb = None if h is None else h[idx]

        def evaluate(ts, idx=idx):
            return ts.shape, g(idx, ts)

        res, _ = _engine(name, evaluate, pts, sc, method, order, hb)
        parts.append(res)
    return jax.tree_util.tree_map(lambda *p: jnp.concatenate(p), *parts)


class _Coordinate:
    """t -> ravel(f(x with coordinate i set to t)): the 1-D problems of a Jacobian."""

    name = "numerical_jacobian"

    def __init__(self, f, v, unravel, m):
        self.f, self.v, self.unravel = f, v, unravel
        self.width = v.size + m

    def points(self, idx):
        return self.v[idx]

    def __call__(self, idx, ts):
        k, b = ts.shape
        cols = jnp.tile(jnp.asarray(idx), k)
        rows = jnp.broadcast_to(self.v.astype(ts.dtype), (k * b, self.v.size))
        w = rows.at[jnp.arange(k * b), cols].set(ts.ravel())
        return _traceable(
            self.name, jax.vmap(lambda r: ravel_pytree(self.f(self.unravel(r)))[0]), w
        )


def _steps_for(name, h, v):
    if h is None:
        return None
    hv = _check_steps(name, h, v, exact=False)
    return jnp.broadcast_to(hv, v.shape)


def _warn_components(name, res, what="component"):
    _report(
        name,
        jax.tree_util.tree_map(jnp.atleast_1d, res),
        np.zeros(1, bool),
        "numerical",
        1,
        what,
        None,
    )


def numerical_jacobian(
    f: Callable,
    x: Any,
    method: str = "central",
    h: ArrayLike | None = None,
    full_output: bool = False,
) -> Any:
    """Numerical Jacobian :math:`J_{ji} = \\partial f_j / \\partial x_i` of ``f`` at ``x``.

    Each input coordinate :math:`i` is a 1-D problem :math:`t \\mapsto f(x + (t - x_i) e_i)`
    differentiated at :math:`t = x_i` by ``derivative``'s adaptive ladder (same methods,
    error estimates, kink warnings). Coordinates are evaluated in batches whose memory is
    :math:`O(n + m)` per coordinate (``n`` inputs, ``m`` outputs), never :math:`O(n^2)`.

    Args:
        f: a function of an array or pytree, returning an array or pytree (real).
        x: an array of any shape, or a pytree of arrays.
        method: one of ``METHODS`` (``"complex"`` needs a complex-safe ``f``).
        h: ``None`` (adaptive, per coordinate) or a fixed step (scalar, or one per
            coordinate of the flattened ``x``).
        full_output: also return the error estimate and kink flags.

    Returns:
        For an array ``x`` and array ``f(x)``: shape ``f(x).shape + x.shape``. For
        pytrees: the structure of ``jax.jacrev`` (output structure outside, input inside).
        With ``full_output`` a :class:`NumericalResult` of such values.

    Raises:
        InputError: ``f`` not callable or returning ``None``/complex values; ``x`` empty,
            complex or not finite; a bad ``method`` or ``h``.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog.numdiff import numerical_jacobian
        >>> J = numerical_jacobian(lambda v: jnp.stack([v[0] * v[1], v[1]]), jnp.array([2.0, 3.0]))
        >>> [[round(float(c), 3) for c in row] for row in J]
        [[3.0, 2.0], [0.0, 1.0]]
    """
    name = "numerical_jacobian"
    full_output = check_bool(name, "full_output", full_output)
    check_choice(name, "method", method, METHODS)
    x, v, unravel, out0, o, unravel_out = _flat_problem(name, f, x)
    g = _Coordinate(f, v, unravel, o.size)
    res = _by_coordinate(name, g, v, method, 1, _steps_for(name, h, v))
    _warn_components(name, res)
    fields = [_arrange(a, x, unravel, out0, unravel_out) for a in (res.value, res.error, res.kink)]
    return NumericalResult(*fields) if full_output else fields[0]


def _arrange(a, x, unravel, out0, unravel_out):
    """(n, m) per-coordinate rows -> the jacrev layout (output structure outside, input inside)."""
    if _is_leaf(x) and _is_leaf(out0):
        out_shape = jnp.shape(out0)
        return jnp.moveaxis(a.reshape((-1,) + (int(np.prod(out_shape)),)), 0, -1).reshape(
            out_shape + jnp.shape(x)
        )
    in_leaves, in_def = jax.tree_util.tree_flatten(x)
    out_leaves, out_def = jax.tree_util.tree_flatten(out0)
    cols, start = [], 0
    for leaf in in_leaves:
        size = int(np.prod(jnp.shape(leaf)))
        cols.append((a[start : start + size], jnp.shape(leaf)))
        start += size
    rows, ostart = [], 0
    for oleaf in out_leaves:
        osize = int(np.prod(jnp.shape(oleaf)))
        inner = [
            jnp.moveaxis(block[:, ostart : ostart + osize], 0, -1).reshape(jnp.shape(oleaf) + shape)
            for block, shape in cols
        ]
        rows.append(jax.tree_util.tree_unflatten(in_def, inner))
        ostart += osize
    return jax.tree_util.tree_unflatten(out_def, rows)


def numerical_gradient(
    f: Callable,
    x: Any,
    method: str = "central",
    h: ArrayLike | None = None,
    full_output: bool = False,
) -> Any:
    """Numerical gradient of a scalar function of an array or pytree (for checking autodiff).

    Component :math:`i` is the derivative of :math:`t \\mapsto f(x + (t - x_i) e_i)` at
    :math:`t = x_i` by ``derivative``'s adaptive ladder (kinks warn the same way), in
    batches of :math:`O(n)` memory per coordinate. A 2×3 weight matrix gets a 2×3 gradient.

    Args:
        f: a real scalar function of ``x``.
        x: an array of any shape, or a pytree of arrays.
        method: one of ``METHODS``.
        h: ``None`` (adaptive) or a fixed step (scalar or one per flattened coordinate).
        full_output: also return the error estimate and kink flags.

    Returns:
        The gradient, structured like ``x``; with ``full_output`` a :class:`NumericalResult`.

    Raises:
        InputError: ``f`` not returning a real scalar; ``x`` empty, complex or not finite;
            a bad ``method`` or ``h``.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog.numdiff import numerical_gradient
        >>> g = numerical_gradient(lambda v: v[0] ** 2 + 3 * v[1], jnp.array([1.0, 2.0]))
        >>> [round(float(c), 3) for c in g]
        [2.0, 3.0]
    """
    name = "numerical_gradient"
    full_output = check_bool(name, "full_output", full_output)
    check_choice(name, "method", method, METHODS)
    x, v, unravel, out0, o, _ = _flat_problem(name, f, x)
    check_output(name, "f", out0, scalar=True)
    g = _Coordinate(f, v, unravel, o.size)
    res = _by_coordinate(name, g, v, method, 1, _steps_for(name, h, v))
    _warn_components(name, res)
    fields = [
        unravel(a.reshape(-1).astype(v.dtype))
        if a.dtype != bool
        else _unravel_bool(a.reshape(-1), x)
        for a in (res.value, res.error, res.kink)
    ]
    return NumericalResult(*fields) if full_output else fields[0]


def _unravel_bool(a, x):
    leaves, treedef = jax.tree_util.tree_flatten(x)
    out, start = [], 0
    for leaf in leaves:
        size = int(np.prod(jnp.shape(leaf)))
        out.append(a[start : start + size].reshape(jnp.shape(leaf)))
        start += size
    return jax.tree_util.tree_unflatten(treedef, out)


class _Direction:
    """t -> f(x + t u) for the directions u = s_i e_i + sign s_j e_j of the Hessian's pairs."""

    name = "numerical_hessian"

    def __init__(self, f, v, unravel, pairs, signs, s):
        self.f, self.v, self.unravel = f, v, unravel
        self.pairs, self.signs, self.s = pairs, signs, s
        self.width = 2 * v.size

    def points(self, idx):
        return jnp.zeros(len(idx), self.v.dtype)

    def __call__(self, idx, ts):
        k, b = ts.shape
        i, j = self.pairs[0][idx], self.pairs[1][idx]
        u = jnp.zeros((b, self.v.size), ts.dtype)
        u = u.at[jnp.arange(b), i].add(self.s[i])
        u = u.at[jnp.arange(b), j].add(self.signs[idx] * self.s[j])
        w = self.v.astype(ts.dtype)[None, None] + ts[:, :, None] * u[None]
        return _traceable(
            self.name,
            jax.vmap(lambda r: jnp.reshape(self.f(self.unravel(r)), ())),
            w.reshape(k * b, self.v.size),
        )


def numerical_hessian(
    f: Callable,
    x: Any,
    method: str = "central",
    h: ArrayLike | None = None,
    full_output: bool = False,
) -> Any:
    """Numerical Hessian :math:`H_{ij} = \\partial^2 f / \\partial x_i \\partial x_j` of a scalar f.

    With :math:`s_i` the scale of :math:`x_i` (``max(1, |x_i|)`` as a power of two) and
    :math:`D^2_u` the second derivative of :math:`t \\mapsto f(x + t u)` at 0 (by
    ``derivative``'s adaptive ladder, ``order=2``, with its error estimate),

    .. math:: H_{ii} = D^2_{s_i e_i} / s_i^2, \\qquad
              H_{ij} = \\frac{D^2_{s_i e_i + s_j e_j} - D^2_{s_i e_i - s_j e_j}}{4 s_i s_j},

    and the errors add accordingly. Cost: :math:`n^2` one-dimensional problems, in batches
    of :math:`O(n)` memory each.

    Args:
        f: a real scalar function of ``x``.
        x: an array of any shape, or a pytree of arrays.
        method: ``"central"``, ``"richardson"``, ``"forward"`` or ``"backward"``.
        h: ``None`` (adaptive) or a fixed step along each direction (a scalar).
        full_output: also return the error estimate and kink flags.

    Returns:
        For an array ``x``: shape ``x.shape + x.shape``; for a pytree the nested structure
        of ``jax.hessian``. With ``full_output`` a :class:`NumericalResult`.

    Raises:
        InputError: ``f`` not returning a real scalar; ``x`` empty, complex or not finite;
            a bad ``method`` (``"complex"`` has no second derivative) or ``h``.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog.numdiff import numerical_hessian
        >>> H = numerical_hessian(lambda v: v[0] ** 2 * v[1], jnp.array([1.0, 2.0]))
        >>> [[round(float(c), 2) for c in row] for row in H]
        [[4.0, 2.0], [2.0, 0.0]]
    """
    name = "numerical_hessian"
    full_output = check_bool(name, "full_output", full_output)
    check_choice(name, "method", method, ("forward", "backward", "central", "richardson"))
    x, v, unravel, out0, o, _ = _flat_problem(name, f, x)
    check_output(name, "f", out0, scalar=True)
    n = v.size
    s = _scale_of(v)
    s = jnp.asarray(s)
    ii, jj = np.triu_indices(n)
    off = ii != jj
    pi = np.concatenate([ii, ii[off]])
    pj = np.concatenate([jj, jj[off]])
    signs = jnp.asarray(np.concatenate([np.where(off, 1.0, 0.0), -np.ones(off.sum())]), v.dtype)
    g = _Direction(f, v, unravel, (pi, pj), signs, s)
    hv = None
    if h is not None:
        _check_steps(name, h, jnp.zeros((), v.dtype), exact=False)
        hv = jnp.full(len(pi), h, v.dtype)
    unit = jnp.ones(len(pi), v.dtype)
    res = _by_coordinate(name, g, jnp.zeros(len(pi), v.dtype), method, 2, hv, extra_scale=unit)
    _warn_components(name, res, what="pair")
    val, err, kink = res.value.reshape(-1), res.error.reshape(-1), res.kink.reshape(-1)
    ndiag = len(ii)
    si, sj = s[ii], s[jj]
    plus = val[:ndiag]
    eplus = err[:ndiag]
    minus = jnp.zeros(ndiag, v.dtype).at[np.flatnonzero(off)].set(val[ndiag:])
    eminus = jnp.zeros(ndiag, v.dtype).at[np.flatnonzero(off)].set(err[ndiag:])
    kminus = jnp.zeros(ndiag, bool).at[np.flatnonzero(off)].set(kink[ndiag:])
    # plus = D2 along s_i e_i + s_j e_j (diagonal: along s_i e_i, sign 0 for the second term)
    hval = jnp.where(jnp.asarray(off), (plus - minus) / (4 * si * sj), plus / si**2)
    herr = jnp.where(jnp.asarray(off), (eplus + eminus) / (4 * si * sj), eplus / si**2)
    hk = kink[:ndiag] | kminus
    full = []
    for a in (hval, herr, hk):
        m = jnp.zeros((n, n), a.dtype).at[ii, jj].set(a).at[jj, ii].set(a)
        full.append(m)
    fields = [_arrange_hessian(m, x, unravel) for m in full]
    return NumericalResult(*fields) if full_output else fields[0]


def _arrange_hessian(m, x, unravel):
    if _is_leaf(x):
        return m.reshape(jnp.shape(x) + jnp.shape(x))
    leaves, treedef = jax.tree_util.tree_flatten(x)
    shapes = [jnp.shape(leaf) for leaf in leaves]
    sizes = [int(np.prod(sh)) for sh in shapes]
    offs = np.concatenate([[0], np.cumsum(sizes)])
    rows = []
    for a, sa in enumerate(shapes):
        inner = [
            m[offs[a] : offs[a + 1], offs[b] : offs[b + 1]].reshape(sa + sb)
            for b, sb in enumerate(shapes)
        ]
        rows.append(jax.tree_util.tree_unflatten(treedef, inner))
    return jax.tree_util.tree_unflatten(treedef, rows)


# The old module-level names (diffprog.numdiff.gradient / .jacobian): aliases only.
gradient = numerical_gradient
jacobian = numerical_jacobian
