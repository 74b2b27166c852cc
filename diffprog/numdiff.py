"""Numerical differentiation: secants, difference quotients, and derivatives with error estimates.

The derivative is the limit of the difference quotient,

.. math:: f'(x) = \\lim_{h \\to 0} \\frac{f(x + h) - f(x)}{h},

and a computer can only take the quotient at a finite step :math:`h`. Two errors
compete: truncation (the quotient is not yet the limit, :math:`O(h^a)` for a
scheme of accuracy order :math:`a`) and round-off (:math:`f` is known only to a
relative :math:`\\varepsilon`, amplified by :math:`1/h^n` for the :math:`n`-th
derivative). Balancing them gives the automatic step used here,
:math:`h = \\varepsilon^{1/(n + a)} \\max(1, |x|)`: about :math:`\\sqrt{\\varepsilon}`
for a forward difference and :math:`\\varepsilon^{1/3}` for a central one, which is
why float32 (:math:`\\varepsilon \\approx 1.2 \\times 10^{-7}`) and float64
(:math:`\\varepsilon \\approx 2.2 \\times 10^{-16}`) need very different steps.

Kinks. Where the one-sided derivatives disagree (``|x|`` or ReLU at 0) a central
difference returns their average, which is not a derivative. ``derivative``
therefore also computes second-order one-sided estimates ``left`` and ``right``
(for smooth :math:`f` they agree to :math:`O(h^3)`; at a kink they differ by the
jump) and, where they disagree beyond round-off, sets ``kink`` and warns with
:class:`NonDifferentiableWarning`. Inside ``jax.jit`` no warning can be raised:
read ``kink`` from ``full_output=True``.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

__all__ = [
    "METHODS", "DerivativeResult", "NonDifferentiableWarning", "backward_difference",
    "central_difference", "derivative", "forward_difference", "gradient", "jacobian", "secant",
]

METHODS = ("forward", "backward", "central", "complex", "richardson")
_LEVELS = 4  # Richardson: central differences at h, h/2, h/4, h/8 (accuracy order 8)
_PLAIN = {"forward": (lambda n: range(0, n + 1), 1), "backward": (lambda n: range(-n, 1), 1),
          "central": (lambda n: range(-((n + 1) // 2), (n + 1) // 2 + 1), 2)}


class NonDifferentiableWarning(UserWarning):
    """The one-sided derivatives disagree: the returned value is not a derivative."""


class DerivativeResult(NamedTuple):
    """What ``derivative(..., full_output=True)`` returns (arrays shaped like the value).

    Attributes:
        value: the derivative estimate.
        error: an estimate of its absolute error (truncation + round-off; at a kink,
            at least half the jump between ``left`` and ``right``).
        left: the one-sided (from the left) estimate, second-order accurate.
        right: the one-sided (from the right) estimate, second-order accurate.
        kink: True where ``left`` and ``right`` disagree beyond round-off: the
            derivative does not exist there (or ``h`` is too coarse for ``f``).
        h: the step used.
    """

    value: jax.Array
    error: jax.Array
    left: jax.Array
    right: jax.Array
    kink: jax.Array
    h: jax.Array


def secant(f: Callable, x1: ArrayLike, x2: ArrayLike) -> tuple[jax.Array, jax.Array]:
    """Slope and intercept of the secant line through ``(x1, f(x1))`` and ``(x2, f(x2))``.

    The slope is :math:`m = (f(x_2) - f(x_1)) / (x_2 - x_1)` (the "delta method":
    :math:`\\Delta y / \\Delta x`) and the intercept :math:`b = f(x_1) - m x_1`.

    Args:
        f: a function of one real variable (applied elementwise).
        x1, x2: the two abscissae (arrays broadcast together); they must differ.

    Returns:
        ``(slope, intercept)``.

    Raises:
        ValueError: if ``x1 == x2`` anywhere (a secant needs two distinct points).

    Example:
        >>> from diffprog.numdiff import secant
        >>> slope, intercept = secant(lambda x: x**2 + 2 * x + 2, 2.0, 5.0)
        >>> float(slope), float(intercept)
        (9.0, -8.0)
    """
    x1, x2 = jnp.asarray(x1, dtype=float), jnp.asarray(x2, dtype=float)
    if _concrete_any(x1 == x2):
        raise ValueError("secant: x1 and x2 must differ (a secant needs two distinct points); "
                         "for the tangent slope use derivative(f, x)")
    y1, y2 = f(x1), f(x2)
    slope = (y2 - y1) / (x2 - x1)
    return slope, y1 - slope * x1


def forward_difference(f: Callable, x: ArrayLike, h: ArrayLike) -> jax.Array:
    """The forward difference quotient :math:`(f(x + h) - f(x)) / h` (error :math:`O(h)`).

    Example:
        >>> from diffprog.numdiff import forward_difference
        >>> round(float(forward_difference(lambda x: x**2, 3.0, 0.5)), 4)
        6.5
    """
    x, h = _as_real(x, "x"), _step(h, "h")
    return (f(x + h) - f(x)) / h


def backward_difference(f: Callable, x: ArrayLike, h: ArrayLike) -> jax.Array:
    """The backward difference quotient :math:`(f(x) - f(x - h)) / h` (error :math:`O(h)`).

    Example:
        >>> from diffprog.numdiff import backward_difference
        >>> round(float(backward_difference(lambda x: x**2, 3.0, 0.5)), 4)
        5.5
    """
    x, h = _as_real(x, "x"), _step(h, "h")
    return (f(x) - f(x - h)) / h


def central_difference(f: Callable, x: ArrayLike, h: ArrayLike) -> jax.Array:
    """The central difference quotient :math:`(f(x + h) - f(x - h)) / 2h` (error :math:`O(h^2)`).

    Example:
        >>> from diffprog.numdiff import central_difference
        >>> round(float(central_difference(lambda x: x**2, 3.0, 0.5)), 4)
        6.0
    """
    x, h = _as_real(x, "x"), _step(h, "h")
    return (f(x + h) - f(x - h)) / (2 * h)


def derivative(f: Callable, x: ArrayLike, method: str = "central", h: ArrayLike | None = None,
               order: int = 1, full_output: bool = False) -> jax.Array | DerivativeResult:
    """The ``order``-th derivative of a scalar function ``f`` at every point of ``x``.

    ``f`` is written for one scalar and is batched with ``jax.vmap`` over ``x`` (any
    shape); its value may be an array, giving an array of derivatives per point. The
    evaluation is jit-compiled (cached per ``f``: pass the same function object again).

    Methods (``order`` 1 or 2; ``"complex"`` order 1 only):

    - ``"forward"`` / ``"backward"``: one-sided, error :math:`O(h)`, auto step
      :math:`\\varepsilon^{1/(n+1)}`;
    - ``"central"``: error :math:`O(h^2)`, auto step :math:`\\varepsilon^{1/(n+2)}`;
    - ``"richardson"``: central differences at :math:`h, h/2, h/4, h/8` combined by
      Richardson extrapolation (error :math:`O(h^8)`, auto step
      :math:`\\varepsilon^{1/(n+7)}`); the most accurate real method;
    - ``"complex"``: :math:`\\operatorname{Im} f(x + ih) / h`, no subtraction hence no
      round-off (accurate to :math:`\\varepsilon`), but only for *complex-safe*
      ``f`` (analytic, no ``abs``, comparisons or ``jnp.real``): it is checked
      against a central difference and refused when they disagree (inside
      ``jax.jit``, where nothing can be raised, such values are NaN instead).

    Auto steps are scaled by :math:`\\max(1, |x|)`. At a kink (see the module notes)
    a :class:`NonDifferentiableWarning` names the points and their one-sided values.

    Args:
        f: a function of one real scalar (jax-traceable).
        x: the points (float32 unless float64 is enabled; ints become floats).
        method: one of ``METHODS``.
        h: the step (scalar or shaped like ``x``, all > 0); ``None`` picks one for
            the dtype. For ``"richardson"`` it is the largest of the four steps.
        order: 1 or 2.
        full_output: also return the error estimate, one-sided values and kink flags.

    Returns:
        The derivatives, shaped ``x.shape + f(x).shape``; with ``full_output`` a
        :class:`DerivativeResult`.

    Raises:
        ValueError: unknown ``method``, unsupported ``order``, ``h <= 0``, or a
            function that is not complex-safe with ``method="complex"``.
        TypeError: complex ``x``.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog.numdiff import derivative
        >>> d = derivative(jnp.sin, jnp.array([0.0, 1.0]))
        >>> [round(float(v), 4) for v in d]
        [1.0, 0.5403]

    References:
        Fornberg, "Generation of finite difference formulas on arbitrarily spaced grids" (1988);
        Squire & Trapp, "Using complex variables to estimate derivatives of real functions" (1998).
    """
    x = _as_real(x, "x")
    res = _run(f, "scalar", method, order, x.ravel(), _steps(h, x), jnp.zeros(0, x.dtype))
    res = DerivativeResult(*(a.reshape(x.shape + a.shape[1:]) for a in res))
    return res if full_output else res.value


def gradient(f: Callable, x: ArrayLike, method: str = "central", h: ArrayLike | None = None
             ) -> jax.Array:
    """Numerical gradient of a scalar function of a vector (for checking autodiff).

    Component :math:`i` is the derivative of :math:`t \\mapsto f(x + (t - x_i) e_i)`
    at :math:`t = x_i`, by ``derivative``'s ``method`` (kinks warn the same way).

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog.numdiff import gradient
        >>> g = gradient(lambda v: v[0] ** 2 + 3 * v[1], jnp.array([1.0, 2.0]))
        >>> [round(float(c), 3) for c in g]
        [2.0, 3.0]
    """
    x = _as_real(x, "x")
    return jacobian(f, x, method, h).reshape(x.shape)


def jacobian(f: Callable, x: ArrayLike, method: str = "central", h: ArrayLike | None = None
             ) -> jax.Array:
    """Numerical Jacobian :math:`J_{ji} = \\partial f_j / \\partial x_i`, shaped ``f(x).shape + x.shape``.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog.numdiff import jacobian
        >>> J = jacobian(lambda v: jnp.stack([v[0] * v[1], v[1]]), jnp.array([2.0, 3.0]))
        >>> [[round(float(c), 3) for c in row] for row in J]
        [[3.0, 2.0], [0.0, 1.0]]
    """
    x = _as_real(x, "x")
    res = _run(f, "vector", method, 1, x.ravel(), _steps(h, x), x)
    value = res.value  # (x.size, *out_shape)
    return jnp.moveaxis(value, 0, -1).reshape(value.shape[1:] + x.shape)


# --------------------------------------------------------------------------- the machinery


def _concrete_any(a) -> bool:
    """``any(a)`` when ``a`` is concrete; False inside jit/vmap (nothing to check there)."""
    try:
        return bool(np.any(np.asarray(a)))
    except (jax.errors.TracerArrayConversionError, jax.errors.ConcretizationTypeError):
        return False


def _as_real(x: ArrayLike, name: str) -> jax.Array:
    x = jnp.asarray(x)
    if jnp.issubdtype(x.dtype, jnp.complexfloating):
        raise TypeError(f"{name} must be real (got {x.dtype}); these are derivatives of real "
                        "functions (method='complex' makes the complex points itself)")
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(jnp.zeros(()).dtype)
    return x


def _step(h: ArrayLike, name: str) -> jax.Array:
    h = jnp.asarray(h)
    if _concrete_any(~(h > 0)):
        raise ValueError(f"{name} must be > 0 (got {np.asarray(h)}); a difference quotient needs "
                         f"a positive step (or h=None in derivative for an automatic one)")
    return h


def _steps(h: ArrayLike | None, x: jax.Array) -> jax.Array:
    if h is None:
        return jnp.full(x.size, jnp.nan, x.dtype)  # NaN = choose automatically
    h = _step(h, "h").astype(x.dtype)
    try:
        return jnp.broadcast_to(h, x.shape).ravel()
    except ValueError as err:
        raise ValueError(f"h must be a scalar or shaped like x {x.shape}, got {h.shape}") from err


@functools.cache
def _weights(offsets: tuple[int, ...], n: int) -> np.ndarray:
    """Finite-difference weights w with sum_k w_k f(x + k h) / h^n = f^(n)(x) + O(h^a)."""
    k = np.asarray(offsets, dtype=np.float64)
    rhs = np.zeros(len(k))
    rhs[n] = math.factorial(n)
    return np.linalg.solve(np.vander(k, len(k), increasing=True).T, rhs)


def _run(f, mode, method, order, x, h, base) -> DerivativeResult:
    """Validate, evaluate (jitted when ``f`` is hashable), then check and warn outside jit."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {METHODS}")
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2 (got {order!r}); for higher derivatives nest "
                         "jax.grad, or derivative of a derivative")
    if method == "complex" and order != 1:
        raise ValueError("method='complex' gives first derivatives only; use method='richardson' "
                         "or 'central' for order=2")
    try:
        hash(f)
        core = functools.partial(_core_jit, f, mode, method, order)
    except TypeError:
        core = functools.partial(_core, f, mode, method, order)
    try:
        res, bad = core(x, h, base)
    except TypeError as err:
        if method != "complex":
            raise
        raise ValueError(f"f is not complex-safe: evaluating it at x + ih raised {err!r}. "
                         "Use method='central' or method='richardson' instead.") from err
    if method == "complex" and _concrete_any(bad):
        where = np.asarray(x)[np.asarray(bad)][:3]
        raise ValueError(f"f is not complex-safe: its complex step disagrees with a central "
                         f"difference at x = {where} (abs, comparisons, jnp.real or a real-valued "
                         "result break it). Use method='central' or method='richardson' instead.")
    if _concrete_any(res.kink):
        kink = np.asarray(res.kink).reshape(len(x), -1).any(axis=1)
        i = np.flatnonzero(kink)[:3]
        left, right = (np.asarray(a).reshape(len(x), -1)[i, 0] for a in (res.left, res.right))
        what = "x" if mode == "scalar" else "component"
        pts = np.asarray(x)[i] if mode == "scalar" else i
        warnings.warn(
            f"f is not differentiable at {what} = {pts} ({kink.sum()} of {len(x)} points): the "
            f"one-sided derivatives{' (of f or of its derivative)' if order == 2 else ''} disagree "
            f"(left {left}, right {right}); the {method} value is "
            "not a derivative there. See derivative(..., full_output=True).left/.right/.kink.",
            NonDifferentiableWarning, stacklevel=3)
    return res


def _core(f, mode, method, order, x, h, base):
    dtype, n = x.dtype, order
    eps = float(jnp.finfo(dtype).eps)
    scale = jnp.maximum(1.0, jnp.abs(x))
    idx = jnp.arange(x.size)

    def phi(t, i):
        return f(t) if mode == "scalar" else f(base.astype(t.dtype).at[i].set(t))

    def feval(points):  # points: (K, N) real or complex -> (K, N, *out)
        k = points.shape[0]
        vals = jax.vmap(phi)(points.ravel(), jnp.tile(idx, k))
        return vals.reshape((k, x.size) + vals.shape[1:])

    # The step unit u: every stencil is integer offsets times u.
    if method == "richardson":
        auto = eps ** (1.0 / (n + 2 * _LEVELS - 1)) * scale
        mults = [2 ** (_LEVELS - 1 - j) for j in range(_LEVELS)]  # steps h, h/2, ... as u-multiples
        kmult = 1                                                  # kink check at h/8, h/4
    else:
        base_method = "central" if method == "complex" else method
        a = _PLAIN[base_method][1]
        auto = eps ** (1.0 / (n + a)) * scale
        mults, kmult = [1, 2], 1
    step = jnp.where(jnp.isnan(h), auto, h) if method != "complex" else auto
    u = step / (mults[0] if method == "richardson" else 1)
    u = (x + u) - x  # a step the floating-point grid represents exactly

    plain = "central" if method in ("complex", "richardson") else method
    main = tuple(_PLAIN[plain][0](n))
    right = tuple(range(0, n + 2))          # one-sided, accuracy order 2
    left = tuple(-o for o in right)
    right1, left1 = (0, 1, 2), (0, -1, -2)
    stencils = [(main, m) for m in mults] + [
        (s, m) for s in (right, left, right1, left1) for m in (kmult, 2 * kmult)]
    offsets = sorted({o * m for s, m in stencils for o in s})
    pos = {o: i for i, o in enumerate(offsets)}
    fv = feval(x[None] + jnp.asarray(offsets, dtype)[:, None] * u[None])
    bshape = (-1,) + (1,) * (fv.ndim - 2)

    def apply(s, m, nn):
        w = _weights(s, nn)
        est = sum(float(wk) * fv[pos[o * m]] for wk, o in zip(w, s, strict=True))
        hm = (m * u).reshape(bshape)
        noise = eps * sum(abs(float(wk)) * jnp.abs(fv[pos[o * m]]) for wk, o in zip(w, s, strict=True))
        return est / hm**nn, noise / hm**nn

    ests = [apply(main, m, n) for m in mults]
    if method == "richardson":
        prev = [e for e, _ in ests]
        for k in range(1, _LEVELS):
            prev, last = [prev[j] + (prev[j] - prev[j - 1]) / (4**k - 1)
                          for j in range(1, len(prev))], prev
        value = prev[-1]
        error = jnp.abs(value - last[-1]) + 10 * ests[-1][1]  # f's own round-off may exceed eps|f|
    else:
        (value, noise), (coarse, _) = ests
        a = _PLAIN[plain][1]
        error = jnp.abs(value - coarse) / (2**a - 1) + noise

    # Kinks: second-order one-sided estimates (of f' and of the n-th derivative) at steps
    # k and 2k. Smooth f: right - left = O(k^3), growing 8-fold from k to 2k; a kink: the
    # jump, the same at both steps. Flag a jump above round-off that does not grow so.
    # Round-off in f is about eps * (|f| + |x f'|): rounding x moves f by eps |x f'|.
    kink = jnp.zeros(value.shape, bool)
    xs = jnp.abs(x).reshape(bshape)
    for nn, r, lft in ((1, right1, left1), (n, right, left)):
        (rv, rn), (lv, ln) = apply(r, kmult, nn), apply(lft, kmult, nn)
        (rv2, _), (lv2, _) = apply(r, 2 * kmult, nn), apply(lft, 2 * kmult, nn)
        if nn == 1:
            slope = jnp.maximum(jnp.abs(rv), jnp.abs(lv))
        wsum = sum(abs(float(w)) for w in _weights(r, nn)) * 2
        jump, jump2 = jnp.abs(rv - lv), jnp.abs(rv2 - lv2)
        noise = rn + ln + eps * wsum * xs * slope / (kmult * u.reshape(bshape)) ** nn
        tol = 10 * noise + jnp.sqrt(eps) * jnp.maximum(jnp.abs(rv), jnp.abs(lv))
        kink = kink | ((jump > tol) & (jump2 < 4 * jump))

    bad = jnp.zeros(x.size, bool)
    if method == "complex":
        hc = jnp.where(jnp.isnan(h), eps * scale, h)
        cdt = jnp.result_type(dtype, jnp.complex64)
        zc = feval(x[None].astype(cdt) + 1j * jnp.stack([hc, 2 * hc]).astype(cdt))
        if not jnp.issubdtype(zc.dtype, jnp.complexfloating):
            zc = zc.astype(cdt)  # a real result: the check below refuses it
        d1 = jnp.imag(zc[0]) / hc.reshape(bshape)
        d2 = jnp.imag(zc[1]) / (2 * hc).reshape(bshape)
        central = value
        tol = 10 * (error + jnp.abs(d1 - d2)) + eps**0.25 * jnp.maximum(jnp.abs(central), jnp.abs(d1))
        mismatch = jnp.abs(d1 - central) > tol
        mismatch = mismatch & ~kink  # at a kink the two legitimately differ
        bad = mismatch.reshape(x.size, -1).any(axis=1)
        value = jnp.where(mismatch, jnp.nan, d1)
        error = jnp.abs(d1 - d2) / 3 + 4 * eps * jnp.abs(d1)
        step = hc

    # (rv, lv: the one-sided estimates of the requested order, from the last loop pass)
    error = jnp.where(kink, jnp.maximum(error, jnp.abs(rv - lv) / 2), error)
    return DerivativeResult(value, error, lv, rv, kink,
                            jnp.broadcast_to(step.reshape(bshape), value.shape)), bad


_core_jit = jax.jit(_core, static_argnums=(0, 1, 2, 3))
