"""Forward-mode derivative rules, as data: one JVP rule per primitive.

``JVPS[name]`` is a tuple with one rule per argument of the primitive. The rule
for argument ``i`` maps ``(t, ans, *args)`` -- the tangent ``t`` of that argument,
the primitive's output ``ans`` and its inputs -- to that argument's contribution
to the output tangent. Forward mode sums the contributions of the arguments that
carry a tangent:

.. math:: \\dot y = \\sum_i \\frac{\\partial y}{\\partial x_i} \\dot x_i .

The rules are written with the engine's own operations, so they are ordinary
programs too: run on boxes of an outer level, they are differentiated again, which is
how second and higher derivatives come out (grad of grad, derivative of derivative).
Where a derivative is infinite (``sqrt`` at 0, ``x ** y`` at ``x = 0`` for ``0 < y < 1``)
the rule raises :class:`~.primitives.DomainError` instead of returning inf.
"""

from __future__ import annotations

from collections.abc import Callable

from .primitives import _any, base_value, cos, domain_error, log, sin

__all__ = ["JVPS"]


def _abs_slope(x):
    # d|x|/dx of the value underneath any boxes, as a constant: +1 for x >= 0, -1 below
    # (at the kink jax takes +1 too, and the engine agrees with jax).
    return 1.0 - 2.0 * (base_value(x) < 0)


def _sqrt_rule(t, ans, x):
    if _any(base_value(ans) == 0):
        raise domain_error(
            "sqrt",
            "the derivative 1 / (2 sqrt(x)) is infinite at x = 0",
            "Differentiate at x > 0, or use e.g. sqrt(x + eps) (jax would return inf)",
        )
    return t / (2.0 * ans)


def _pow_x_rule(t, ans, x, y):
    # d(x**y)/dx = y x**(y-1); 0 for y = 0 (as jax); infinite at x = 0 for 0 < y < 1.
    xv, yv = base_value(x), base_value(y)
    if _any((xv == 0) & (yv > 0) & (yv < 1)):
        raise domain_error(
            "pow",
            f"the derivative y * x ** (y - 1) of x ** y is infinite at x = 0 for y = {yv!r}",
            "Differentiate at x > 0",
        )
    if _any(yv == 0) and not _any(xv != 0):
        return 0.0 * t
    return t * y * x ** (y - 1)


def _pow_y_rule(t, ans, x, y):
    # d(x**y)/dy = log(x) x**y; 0 at x = 0 (the limit, as jax takes it).
    xv = base_value(x)
    if _any(xv < 0):
        raise domain_error(
            "pow",
            f"the derivative of x ** y with respect to y needs x >= 0, got "
            f"x = {xv!r} (x ** y is defined only at whole y there)",
            "Use a positive base, e.g. abs(x) ** y",
        )
    if _any(xv == 0):
        return t * log(x + 1.0 * (xv == 0)) * ans
    return t * log(x) * ans


#: Primitive name -> one tangent rule per argument.
JVPS: dict[str, tuple[Callable, ...]] = {
    "add": (lambda t, ans, x, y: t, lambda t, ans, x, y: t),
    "sub": (lambda t, ans, x, y: t, lambda t, ans, x, y: -t),
    "mul": (lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t),
    "div": (lambda t, ans, x, y: t / y, lambda t, ans, x, y: -t * ans / y),
    "neg": (lambda t, ans, x: -t,),
    "pow": (_pow_x_rule, _pow_y_rule),
    "exp": (lambda t, ans, x: t * ans,),
    "log": (lambda t, ans, x: t / x,),
    "sin": (lambda t, ans, x: t * cos(x),),
    "cos": (lambda t, ans, x: -t * sin(x),),
    "tanh": (lambda t, ans, x: t * (1.0 - ans * ans),),
    "sqrt": (_sqrt_rule,),
    "sigmoid": (lambda t, ans, x: t * ans * (1.0 - ans),),
    "abs": (lambda t, ans, x: t * _abs_slope(x),),
}
