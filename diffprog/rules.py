"""The differentiation rules as pure combinators over (function, derivative) pairs.

A :class:`Diff` carries a function of one variable *and* its derivative function,
built by the rules and nothing else:

==================  =================================  ======================================
rule                function                           derivative
==================  =================================  ======================================
constant            :math:`c`                          :math:`0`
identity            :math:`x`                          :math:`1`
power               :math:`x^n`                        :math:`n x^{n-1}`
constant multiple   :math:`c\\,u`                       :math:`c\\,u'`
sum / difference    :math:`u \\pm v`                    :math:`u' \\pm v'`
product             :math:`u v`                        :math:`u' v + u v'`
quotient            :math:`u / v`                      :math:`(u' v - u v') / v^2`
chain               :math:`g(u(x))`                    :math:`g'(u(x))\\, u'(x)`
==================  =================================  ======================================

with the elementary functions (``exp``, ``log``, ``sin``, ``cos``, ``tanh``,
``sigmoid``, ``sqrt``) as building blocks whose derivatives are known. Operators
are overloaded, so a learner writes the function and gets its derivative::

    from diffprog.rules import x
    f = (x**2 + 1) / (x - 3)
    f(2.0), f.d(2.0)            # value and derivative, by the quotient rule
    print(f.derivation())       # which rule produced each part

Every rule is checked against ``jax.grad`` and sympy in ``tests/test_rules.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Real

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

__all__ = [
    "Diff", "add", "chain", "constant", "cos", "exp", "identity", "log", "mul", "power", "scale",
    "sigmoid", "sin", "sqrt", "sub", "tanh", "truediv", "x",
]


@dataclass(frozen=True, eq=False)
class Diff:
    """A function of one variable paired with its derivative, both built by the rules.

    Attributes:
        f: the function, ``x -> f(x)`` (jax-traceable, elementwise).
        df: its derivative, ``x -> f'(x)``.
        expr: the function, written out (e.g. ``"(x**2 + 1)/(x - 3)"``).
        dexpr: the derivative the rule produced, written out (unsimplified).
        rule: the rule that built this node ("product", "chain", ...).
        parts: the nodes it was built from.

    Call it for the value, ``.d`` for the derivative; combine with ``+ - * / **``
    (numbers become constants).

    Example:
        >>> from diffprog.rules import x
        >>> f = (x**2 + 1) / (x - 3)
        >>> float(f(2.0)), float(f.d(2.0))
        (-5.0, -9.0)
    """

    f: Callable[[jax.Array], jax.Array]
    df: Callable[[jax.Array], jax.Array]
    expr: str
    dexpr: str
    rule: str
    parts: tuple[Diff, ...] = field(default=())

    def __call__(self, x: ArrayLike) -> jax.Array:
        return self.f(jnp.asarray(x, dtype=jnp.result_type(float, x)))

    def d(self, x: ArrayLike) -> jax.Array:
        """The derivative at ``x``, as the rules built it."""
        return self.df(jnp.asarray(x, dtype=jnp.result_type(float, x)))

    def derivation(self) -> str:
        """Which rule produced each part: one line per node, innermost first.

        Example:
            >>> from diffprog.rules import x, sin
            >>> print(sin(x**2).derivation())
            elementary  d/dx[sin(x)] = cos(x)
            power       d/dx[x**2] = 2*x
            chain       d/dx[sin(x**2)] = cos(x**2)*(2*x)
        """
        seen, lines = set(), []

        def visit(node: Diff) -> None:
            if id(node) in seen:
                return
            seen.add(id(node))
            for p in node.parts:
                visit(p)
            lines.append((node.rule, f"d/dx[{node.expr}] = {node.dexpr}"))

        visit(self)
        width = max(len(r) for r, _ in lines)
        return "\n".join(f"{r:<{width}}  {t}" for r, t in lines)

    def __repr__(self) -> str:
        return f"Diff({self.expr})"

    __add__ = lambda self, other: add(self, other)
    __radd__ = lambda self, other: add(other, self)
    __sub__ = lambda self, other: sub(self, other)
    __rsub__ = lambda self, other: sub(other, self)
    __mul__ = lambda self, other: mul(self, other)
    __rmul__ = lambda self, other: mul(other, self)
    __truediv__ = lambda self, other: truediv(self, other)
    __rtruediv__ = lambda self, other: truediv(other, self)
    __neg__ = lambda self: scale(-1.0, self)

    def __pow__(self, n: float) -> Diff:
        if isinstance(n, Diff):
            raise TypeError("u ** v with a function exponent is not a rule here; write "
                            "exp(v * log(u)) and let the chain and product rules do it")
        return chain(power(n), self)

    def __rpow__(self, base: float) -> Diff:
        raise TypeError(f"{base} ** u is not a rule here; write exp(u * log({base})) instead")


def _lift(u: Diff | float) -> Diff:
    if isinstance(u, Diff):
        return u
    if isinstance(u, Real) or (hasattr(u, "shape") and jnp.shape(u) == ()):
        return constant(float(u))
    raise TypeError(f"expected a Diff or a number, got {type(u).__name__}; build functions "
                    "from diffprog.rules.x, e.g. 3 * x**2")


def _num(c: float) -> str:
    return f"{c:g}"


def _atomic(s: str) -> bool:
    """A name, a number, or one call like ``sin(...)``: no parentheses needed around it."""
    if s.replace("_", "").replace(".", "").isalnum():
        return True
    m = re.match(r"^[A-Za-z_]\w*\(", s)
    if not m or not s.endswith(")"):
        return False
    depth = 0
    for i, ch in enumerate(s[m.end() - 1:], start=m.end() - 1):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return i == len(s) - 1
    return False


def _p(s: str) -> str:
    """Parenthesise a compound expression."""
    return s if _atomic(s) else f"({s})"


# --------------------------------------------------------------------------- the rules


def constant(c: float) -> Diff:
    """The constant rule: :math:`\\frac{d}{dx} c = 0`.

    Example:
        >>> from diffprog.rules import constant
        >>> float(constant(7.0).d(3.0))
        0.0
    """
    c = float(c)
    return Diff(lambda x: jnp.full_like(x, c), lambda x: jnp.zeros_like(x), _num(c), "0", "constant")


def identity() -> Diff:
    """The identity: :math:`\\frac{d}{dx} x = 1` (the slope of the line :math:`y = x`).

    Example:
        >>> from diffprog.rules import identity
        >>> float(identity().d(3.0))
        1.0
    """
    return Diff(lambda x: x, lambda x: jnp.ones_like(x), "x", "1", "identity")


x = identity()
"""The variable :math:`x`, the identity: start every expression from it."""


def power(n: float) -> Diff:
    """The power rule: :math:`\\frac{d}{dx} x^n = n x^{n-1}` (any real ``n``).

    Example:
        >>> from diffprog.rules import power
        >>> float(power(3).d(2.0))
        12.0
    """
    n = float(n)
    if n == 0:
        return constant(1.0)
    if n == 1:
        return identity()
    dexpr = f"{_num(n)}*x" if n == 2 else f"{_num(n)}*x**{_num(n - 1)}"
    return Diff(lambda x: x**n, lambda x: n * x ** (n - 1), f"x**{_num(n)}", dexpr, "power")


def scale(c: float, u: Diff) -> Diff:
    """The constant-multiple rule: :math:`(c\\,u)' = c\\,u'`.

    Example:
        >>> from diffprog.rules import scale, x
        >>> float(scale(-5.0, x**3).d(1.0))
        -15.0
    """
    c, u = float(c), _lift(u)
    return Diff(lambda t: c * u.f(t), lambda t: c * u.df(t), f"{_num(c)}*{_p(u.expr)}",
                f"{_num(c)}*{_p(u.dexpr)}", "constant multiple", (u,))


def add(u: Diff | float, v: Diff | float) -> Diff:
    """The sum rule: :math:`(u + v)' = u' + v'`.

    Example:
        >>> from diffprog.rules import add, x
        >>> float(add(x**2, x).d(3.0))
        7.0
    """
    u, v = _lift(u), _lift(v)
    return Diff(lambda t: u.f(t) + v.f(t), lambda t: u.df(t) + v.df(t), f"{u.expr} + {v.expr}",
                f"{u.dexpr} + {v.dexpr}", "sum", (u, v))


def sub(u: Diff | float, v: Diff | float) -> Diff:
    """The difference rule: :math:`(u - v)' = u' - v'`.

    Example:
        >>> from diffprog.rules import sub, x
        >>> float(sub(x**2, x).d(3.0))
        5.0
    """
    u, v = _lift(u), _lift(v)
    return Diff(lambda t: u.f(t) - v.f(t), lambda t: u.df(t) - v.df(t), f"{u.expr} - {_p(v.expr)}",
                f"{u.dexpr} - {_p(v.dexpr)}", "difference", (u, v))


def mul(u: Diff | float, v: Diff | float) -> Diff:
    """The product rule: :math:`(u v)' = u' v + u v'`.

    A number times a function is the constant-multiple rule (its special case).

    Example:
        >>> from diffprog.rules import mul, x, sin
        >>> round(float(mul(x, sin(x)).d(0.0)), 6)
        0.0
    """
    if not isinstance(u, Diff) and isinstance(v, Diff):
        return scale(u, v)
    if isinstance(u, Diff) and not isinstance(v, Diff):
        return scale(v, u)
    u, v = _lift(u), _lift(v)
    return Diff(lambda t: u.f(t) * v.f(t), lambda t: u.df(t) * v.f(t) + u.f(t) * v.df(t),
                f"{_p(u.expr)}*{_p(v.expr)}",
                f"{_p(u.dexpr)}*{_p(v.expr)} + {_p(u.expr)}*{_p(v.dexpr)}", "product", (u, v))


def truediv(u: Diff | float, v: Diff | float) -> Diff:
    """The quotient rule: :math:`(u / v)' = (u' v - u v') / v^2` (where :math:`v \\ne 0`).

    Example:
        >>> from diffprog.rules import truediv, x
        >>> float(truediv(x**2 + 1, x - 3).d(2.0))
        -9.0
    """
    u, v = _lift(u), _lift(v)
    return Diff(lambda t: u.f(t) / v.f(t),
                lambda t: (u.df(t) * v.f(t) - u.f(t) * v.df(t)) / v.f(t) ** 2,
                f"{_p(u.expr)}/{_p(v.expr)}",
                f"({_p(u.dexpr)}*{_p(v.expr)} - {_p(u.expr)}*{_p(v.dexpr)})/{_p(v.expr)}**2",
                "quotient", (u, v))


def chain(g: Diff, u: Diff) -> Diff:
    """The chain rule: :math:`(g \\circ u)'(x) = g'(u(x))\\, u'(x)`.

    ``g`` is a function of :math:`x` (e.g. ``power(3)``); it is evaluated at ``u(x)``.

    Example:
        >>> from diffprog.rules import chain, power, x
        >>> float(chain(power(3), x**2 + 1).d(1.0))  # 3 (x^2 + 1)^2 * 2x
        24.0
    """
    g, u = _lift(g), _lift(u)
    if u.rule == "identity":
        return g  # g(x) itself
    # one pass, so that the x's of the inserted u are not substituted again
    at_u = lambda s: re.sub(r"\(x\)|\bx\b",
                            lambda m: f"({u.expr})" if m.group() == "(x)" else _p(u.expr), s)
    return Diff(lambda t: g.f(u.f(t)), lambda t: g.df(u.f(t)) * u.df(t), at_u(g.expr),
                f"{_p(at_u(g.dexpr))}*{_p(u.dexpr)}", "chain", (g, u))


# --------------------------------------------------------------------------- elementary blocks


def _elementary(name: str, f: Callable, df: Callable, dexpr: str) -> Callable[[Diff], Diff]:
    block = Diff(f, df, f"{name}(x)", dexpr, "elementary")

    def apply(u: Diff | float) -> Diff:
        return chain(block, _lift(u))

    apply.__name__ = name
    apply.__qualname__ = name
    apply.__doc__ = (f"``{name}(u)``: the elementary function {name} of ``u``; "
                     f":math:`\\frac{{d}}{{dx}} {name}(x) = ` ``{dexpr}``, then the chain rule.")
    apply.block = block
    return apply


exp = _elementary("exp", jnp.exp, jnp.exp, "exp(x)")
log = _elementary("log", jnp.log, lambda t: 1 / t, "1/x")
sin = _elementary("sin", jnp.sin, jnp.cos, "cos(x)")
cos = _elementary("cos", jnp.cos, lambda t: -jnp.sin(t), "-sin(x)")
tanh = _elementary("tanh", jnp.tanh, lambda t: 1 - jnp.tanh(t) ** 2, "1 - tanh(x)**2")
sigmoid = _elementary("sigmoid", jax.nn.sigmoid,
                      lambda t: jax.nn.sigmoid(t) * (1 - jax.nn.sigmoid(t)),
                      "sigmoid(x)*(1 - sigmoid(x))")
sqrt = _elementary("sqrt", jnp.sqrt, lambda t: 0.5 / jnp.sqrt(t), "1/(2*sqrt(x))")
