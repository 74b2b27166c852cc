"""Forward-mode derivative rules, as data: one JVP rule per primitive.

``JVPS[name]`` is a tuple with one rule per argument of the primitive. The rule
for argument ``i`` maps ``(t, ans, *args)`` -- the tangent ``t`` of that argument,
the primitive's output ``ans`` and its inputs -- to that argument's contribution
to the output tangent. Forward mode sums the contributions of the arguments that
carry a tangent:

    ẏ = Σ_i (∂y/∂x_i) ẋ_i.

The rules are written with the engine's own operations, so they are ordinary
programs too.
"""

from __future__ import annotations

from collections.abc import Callable

from .primitives import cos, log, sin

__all__ = ["JVPS"]

#: Primitive name -> one tangent rule per argument.
JVPS: dict[str, tuple[Callable, ...]] = {
    "add": (lambda t, ans, x, y: t, lambda t, ans, x, y: t),
    "sub": (lambda t, ans, x, y: t, lambda t, ans, x, y: -t),
    "mul": (lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t),
    "div": (lambda t, ans, x, y: t / y, lambda t, ans, x, y: -t * ans / y),
    "neg": (lambda t, ans, x: -t,),
    "pow": (lambda t, ans, x, y: t * y * x ** (y - 1), lambda t, ans, x, y: t * log(x) * ans),
    "exp": (lambda t, ans, x: t * ans,),
    "log": (lambda t, ans, x: t / x,),
    "sin": (lambda t, ans, x: t * cos(x),),
    "cos": (lambda t, ans, x: -t * sin(x),),
    "tanh": (lambda t, ans, x: t * (1.0 - ans * ans),),
    "sqrt": (lambda t, ans, x: t / (2.0 * ans),),
    "sigmoid": (lambda t, ans, x: t * ans * (1.0 - ans),),
    "abs": (lambda t, ans, x: t * _abs_slope(x),),
}


def _abs_slope(x):
    # d|x|/dx of the value underneath any boxes, as a constant: +1 for x >= 0, -1 below
    # (at the kink jax takes +1 too, and the engine agrees with jax).
    while hasattr(x, "value"):
        x = x.value
    return 1.0 - 2.0 * (x < 0)

