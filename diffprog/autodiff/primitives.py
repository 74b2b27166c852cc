"""The primitives of the teaching engine: their values, and how a call is dispatched.

Every differentiable operation is a *primitive* with a name (``"sin"``, ``"mul"``...)
and a numpy implementation in :data:`IMPLS`. A program is built from primitives
only, through :func:`bind`: when an argument is a *box* (a :class:`~.forward.Dual`
number, or a :class:`~.reverse.Node` on a tape), the box's class decides what
happens (carry a tangent, record a node); on plain numbers the primitive is just
evaluated. The derivative rules live elsewhere, as data: one JVP rule per primitive
in :mod:`.jvp_rules`, one VJP rule per primitive in :mod:`.vjp_rules`.

The operations work on Python floats and numpy scalars (and elementwise on numpy
arrays of one shape; broadcasting is not differentiated).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "IMPLS", "Box", "bind", "abs", "cos", "exp", "log", "pow", "sigmoid", "sin",
    "sqrt", "tanh",
]


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


#: Primitive name -> numpy implementation.
IMPLS: dict[str, Callable[..., Any]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
    "neg": lambda x: -x,
    "pow": lambda x, y: x**y,
    "exp": np.exp,
    "log": np.log,
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "sqrt": np.sqrt,
    "sigmoid": _sigmoid,
    "abs": np.abs,
}


class Box:
    """A value carrying extra information through primitives (a dual number, a tape node).

    Subclasses set ``_priority`` (the outermost transformation wins when boxes of
    two kinds meet) and implement ``_apply(name, args)``. Arithmetic operators all
    go through :func:`bind`, so ``x * y + sin(x)`` works on any box.
    """

    __slots__ = ()
    _priority = 0

    @classmethod
    def _apply(cls, name: str, args: tuple) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def __add__(self, other): return bind("add", self, other)
    def __radd__(self, other): return bind("add", other, self)
    def __sub__(self, other): return bind("sub", self, other)
    def __rsub__(self, other): return bind("sub", other, self)
    def __mul__(self, other): return bind("mul", self, other)
    def __rmul__(self, other): return bind("mul", other, self)
    def __truediv__(self, other): return bind("div", self, other)
    def __rtruediv__(self, other): return bind("div", other, self)
    def __pow__(self, other): return bind("pow", self, other)
    def __rpow__(self, other): return bind("pow", other, self)
    def __neg__(self): return bind("neg", self)
    def __pos__(self): return self
    def __abs__(self): return bind("abs", self)


def bind(name: str, *args: Any) -> Any:
    """Apply primitive ``name`` to ``args``: evaluate it, or hand it to the box in ``args``.

    Raises:
        NotImplementedError: if ``name`` is not a primitive (see :data:`IMPLS`).

    Example:
        >>> bind("mul", 3.0, 4.0)
        12.0
    """
    if name not in IMPLS:
        raise NotImplementedError(
            f"{name!r} is not a primitive of diffprog.autodiff; known: {sorted(IMPLS)}"
        )
    boxes = [a for a in args if isinstance(a, Box)]
    if not boxes:
        return IMPLS[name](*args)
    top = max(boxes, key=lambda b: b._priority)
    return type(top)._apply(name, args)


def exp(x):
    """e^x (primitive ``exp``)."""
    return bind("exp", x)


def log(x):
    """Natural logarithm (primitive ``log``)."""
    return bind("log", x)


def sin(x):
    """sin x (primitive ``sin``)."""
    return bind("sin", x)


def cos(x):
    """cos x (primitive ``cos``)."""
    return bind("cos", x)


def tanh(x):
    """tanh x (primitive ``tanh``)."""
    return bind("tanh", x)


def sqrt(x):
    """Square root (primitive ``sqrt``)."""
    return bind("sqrt", x)


def sigmoid(x):
    """The logistic function 1 / (1 + e^-x) (primitive ``sigmoid``)."""
    return bind("sigmoid", x)


def pow(x, y):
    """x ** y (primitive ``pow``)."""
    return bind("pow", x, y)


def abs(x):
    """:math:`|x|` (primitive ``abs``; its derivative at 0 is taken as +1, as jax does)."""
    return bind("abs", x)
