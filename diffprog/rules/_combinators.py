"""The combinators of :mod:`diffprog.rules`: one function per differentiation rule.

Each builds a :class:`~._graph.Diff` node from its parts (the constant, power, constant-multiple,
sum, difference, product, quotient and chain rules), and the elementary functions are blocks
derived from the one table of primitive derivatives (:mod:`diffprog._derivative_table`).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from numbers import Real
from typing import Any, cast

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .._derivative_table import BY_NAME
from .._validate import check_representable, fail, is_tracer
from ._graph import Diff, X, _Block
from ._text import _call, _fmt, _num, _Text


def _lift(u: Any, func: str = "rules") -> Diff:
    if isinstance(u, Diff):
        return u
    if isinstance(u, bool) or is_tracer(u):
        raise fail(
            func,
            f"expected a Diff or a number, got {type(u).__name__} {u!r}",
            "build functions from diffprog.rules.x, e.g. 3 * x**2",
        )
    if isinstance(u, Real) or (
        hasattr(u, "shape") and jnp.shape(u) == () and not np.iscomplexobj(u)
    ):
        return constant(float(u))
    raise fail(
        func,
        f"expected a Diff or a number, got {type(u).__name__}",
        "build functions from diffprog.rules.x, e.g. 3 * x**2",
    )


# --------------------------------------------------------------------------- the rules


def constant(c: float) -> Diff:
    """The constant rule: :math:`\\frac{d}{dx} c = 0`.

    Example:
        >>> from diffprog.rules import constant
        >>> float(constant(7.0).d(3.0))
        0.0
    """
    if (
        isinstance(c, bool)
        or not isinstance(c, Real | np.number | np.ndarray | jax.Array)
        or is_tracer(c)
        or np.ndim(c) != 0
        or np.iscomplexobj(c)
    ):
        raise fail(
            "constant",
            f"c must be a real number, got {type(c).__name__} {c!r}",
            "Pass a float, e.g. constant(7.0)",
        )
    check_representable("constant", "c", c)
    return Diff._new("const", c=float(c), rule="constant")


def identity() -> Diff:
    """The identity: :math:`\\frac{d}{dx} x = 1` (the slope of the line :math:`y = x`).

    Example:
        >>> from diffprog.rules import identity
        >>> float(identity().d(3.0))
        1.0
    """
    return X


x = X
"""The variable :math:`x`, the identity: start every expression from it."""


def _apply(block: _Block, u: Diff, rule: str | None = None, parts: tuple | None = None) -> Diff:
    """``block(u)``; a block applied to ``x`` itself is shown as one leaf in derivations."""
    if parts is None and u is X:
        parts = ()
    return Diff._new("apply", (u,), block=block, rule=rule or block.rule, parts=parts)


@functools.lru_cache(maxsize=256)
def _power_node(n: float) -> Diff:
    m = _num(n)[0]
    dtext = _fmt(f"{m}*{{p}}") if n == 2 else _fmt(f"{m}*{{p}}**{_num(n - 1)[0]}")
    block = _Block("power", lambda t: t**n, lambda t: n * t ** (n - 1), _fmt(f"{{p}}**{m}"), dtext)
    return _apply(block, X)


def power(n: float) -> Diff:
    """The power rule: :math:`\\frac{d}{dx} x^n = n x^{n-1}` (any real ``n``).

    Example:
        >>> from diffprog.rules import power
        >>> float(power(3).d(2.0))
        12.0
    """
    ok = (
        not (isinstance(n, bool) or is_tracer(n))
        and np.ndim(n) == 0
        and isinstance(n, Real | np.number | np.ndarray | jax.Array)
        and not np.iscomplexobj(n)
    )
    if not ok or not math.isfinite(float(n)):
        raise fail(
            "power",
            f"the exponent must be a finite real number, got {n!r}",
            "e.g. x**3 or power(0.5)",
        )
    n = float(n)
    if n == 0:
        return constant(1.0)
    if n == 1:
        return identity()
    return _power_node(n)


def scale(c: float, u: Diff) -> Diff:
    """The constant-multiple rule: :math:`(c\\,u)' = c\\,u'`.

    Example:
        >>> from diffprog.rules import scale, x
        >>> float(scale(-5.0, x**3).d(1.0))
        -15.0
    """
    factor = _lift(c, "scale")
    if factor._op != "const":
        raise fail("scale", "c must be a number", "for a product of two functions use mul(u, v)")
    return Diff._new("scale", (_lift(u, "scale"),), c=factor._c, rule="constant multiple")


def add(u: Diff | float, v: Diff | float) -> Diff:
    """The sum rule: :math:`(u + v)' = u' + v'`.

    Example:
        >>> from diffprog.rules import add, x
        >>> float(add(x**2, x).d(3.0))
        7.0
    """
    return Diff._new("add", (_lift(u, "add"), _lift(v, "add")), rule="sum")


def sub(u: Diff | float, v: Diff | float) -> Diff:
    """The difference rule: :math:`(u - v)' = u' - v'`.

    Example:
        >>> from diffprog.rules import sub, x
        >>> float(sub(x**2, x).d(3.0))
        5.0
    """
    return Diff._new("sub", (_lift(u, "sub"), _lift(v, "sub")), rule="difference")


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
    return Diff._new("mul", (_lift(u, "mul"), _lift(v, "mul")), rule="product")


def truediv(u: Diff | float, v: Diff | float) -> Diff:
    """The quotient rule: :math:`(u / v)' = (u' v - u v') / v^2` (where :math:`v \\ne 0`).

    Example:
        >>> from diffprog.rules import truediv, x
        >>> float(truediv(x**2 + 1, x - 3).d(2.0))
        -9.0
    """
    return Diff._new("div", (_lift(u, "truediv"), _lift(v, "truediv")), rule="quotient")


def chain(g: Diff, u: Diff) -> Diff:
    """The chain rule: :math:`(g \\circ u)'(x) = g'(u(x))\\, u'(x)`.

    ``g`` is a function of :math:`x` (e.g. ``power(3)``); it is evaluated at ``u(x)``. An
    elementary ``g`` (a block, a power) becomes one node; a composite ``g`` is composed by
    substitution (each ``x`` in its graph replaced by ``u``), so that the chain rule applies at
    each block inside it.

    Example:
        >>> from diffprog.rules import chain, power, x
        >>> float(chain(power(3), x**2 + 1).d(1.0))  # 3 (x^2 + 1)^2 * 2x
        24.0
    """
    g, u = _lift(g, "chain"), _lift(u, "chain")
    if u._op == "x" or g.const:
        return g  # g(x) itself, or a constant
    if g._op == "x":
        return u
    if g._op == "apply" and g._args[0]._op == "x":
        return _apply(cast(_Block, g._block), u, "chain", (g, u))
    return _substitute(g, u)


def _substitute(g: Diff, u: Diff) -> Diff:
    """``g`` with every ``x`` replaced by ``u`` (iterative, each node rebuilt once)."""
    new: dict[int, Diff] = {}
    for n in g._topological():
        if n._op == "x":
            new[id(n)] = u
        elif n.const:
            new[id(n)] = n
        elif n._op == "apply":
            new[id(n)] = chain(_apply(cast(_Block, n._block), X), new[id(n._args[0])])
        else:
            args = tuple(new[id(a)] for a in n._args)
            new[id(n)] = Diff._new(n._op, args, c=n._c, rule=n.rule)
    return new[id(g)]


# --------------------------------------------------------------------------- elementary blocks


def _elementary(
    name: str, f: Callable, df: Callable, dtext: Callable[[_Text], _Text], written: str
) -> Callable[[Diff], Diff]:
    block = _Block("elementary", f, df, _call(name), dtext)
    node = _apply(block, X)

    def apply(u: Diff | float) -> Diff:
        return chain(node, _lift(u, name))

    apply.__name__ = name
    apply.__qualname__ = name
    apply.__doc__ = (
        f"``{name}(u)``: the elementary function {name} of ``u``; "
        f":math:`\\frac{{d}}{{dx}} {name}(x) = ` ``{written}``, then the chain rule."
    )
    apply.block = node  # type: ignore[attr-defined]
    return apply


def _from_table(name: str) -> Callable[[Diff], Diff]:
    """The elementary function ``name`` of the table of primitive derivatives, as a rule block.

    Its value is jax's primitive, its derivative the table's partial (computed with jax.numpy,
    so ``.f`` and ``.df`` stay jax-traceable), its texts the table's code forms.
    """
    entry = BY_NAME[name]
    if entry.code is None:  # pragma: no cover - a table entry without code texts
        raise NotImplementedError(f"the table has no code text for {name!r}")
    value = getattr(lax, entry.jax[0].name)
    fcode, dcode = entry.code
    atomic = re.fullmatch(r"\w+\(\{a\}\)", dcode) is not None
    return _elementary(
        name,
        value,
        lambda t: entry.partial_at(0, jnp, value(t), (t,)),
        _fmt(dcode, atomic),
        dcode.format(a="x", p="x"),
    )


exp = _from_table("exp")
log = _from_table("log")
sin = _from_table("sin")
cos = _from_table("cos")
tanh = _from_table("tanh")
sigmoid = _from_table("sigmoid")
sqrt = _from_table("sqrt")
