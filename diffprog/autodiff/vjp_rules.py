"""Reverse-mode derivative rules, as data: one VJP rule per primitive.

``VJPS[name]`` is a tuple with one rule per argument of the primitive. The rule
for argument ``i`` maps ``(g, ans, *args)`` -- the adjoint ``g = ∂L/∂y`` of the
primitive's output ``y``, the output ``ans`` and the inputs -- to that argument's
contribution to its adjoint:

.. math:: \\bar x_i \\mathrel{+}= \\bar y \\, \\frac{\\partial y}{\\partial x_i} .

Only arguments that are on the tape get their rule called (so ``x ** 2.0`` never
evaluates ``log(x)``). Like the JVP rules, they are written with the engine's own
operations, so a backward sweep run inside an outer derivative is differentiated too
(grad of grad, forward over reverse). For these scalar, elementwise primitives a VJP
rule has the same form as the JVP rule (``g`` in place of ``t``), so the special cases
(``sqrt`` at 0, ``pow`` at 0) are shared with :mod:`.jvp_rules`.
"""

from __future__ import annotations

from collections.abc import Callable

from .jvp_rules import _abs_slope, _pow_x_rule, _pow_y_rule, _sqrt_rule
from .primitives import cos, sin

__all__ = ["VJPS"]

#: Primitive name -> one adjoint rule per argument.
VJPS: dict[str, tuple[Callable, ...]] = {
    "add": (lambda g, ans, x, y: g, lambda g, ans, x, y: g),
    "sub": (lambda g, ans, x, y: g, lambda g, ans, x, y: -g),
    "mul": (lambda g, ans, x, y: g * y, lambda g, ans, x, y: g * x),
    "div": (lambda g, ans, x, y: g / y, lambda g, ans, x, y: -g * ans / y),
    "neg": (lambda g, ans, x: -g,),
    "pow": (_pow_x_rule, _pow_y_rule),
    "exp": (lambda g, ans, x: g * ans,),
    "log": (lambda g, ans, x: g / x,),
    "sin": (lambda g, ans, x: g * cos(x),),
    "cos": (lambda g, ans, x: -g * sin(x),),
    "tanh": (lambda g, ans, x: g * (1.0 - ans * ans),),
    "sqrt": (_sqrt_rule,),
    "sigmoid": (lambda g, ans, x: g * ans * (1.0 - ans),),
    "abs": (lambda g, ans, x: g * _abs_slope(x),),
}
