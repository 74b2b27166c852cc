"""The graph node of :mod:`diffprog.rules`: :class:`Diff`, its evaluation and derivative pass.

A :class:`Diff` is a node of an expression graph in one variable; ``.d`` is one forward pass over
the nodes in topological order (iterative, linear in the number of nodes), each node applying its
rule (:data:`_DERIVATIVE`) to its parts' values and derivatives. The combinators that build nodes
are in :mod:`._combinators`, the texts in :mod:`._text`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, cast

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from .._validate import check_arity, check_output, check_representable, fail, is_tracer
from ._text import (
    INLINE_LIMIT,
    NAME_WIDTH,
    _substituting,
    _Text,
    derivation,
    inline,
    let,
    text_pass,
)

__all__ = ["Diff", "postorder"]


class _Block(NamedTuple):
    """A function of one variable with a known derivative (an elementary function, a power)."""

    rule: str  # "elementary" or "power"
    f: Callable[[Any], Any]
    df: Callable[[Any], Any]
    text: Callable[[_Text], _Text]  # the argument's text -> the function's text
    dtext: Callable[[_Text], _Text]  # the argument's text -> the derivative's text


def _checked_output(name: str, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A user's block function whose every output is checked to be a real array (not None)."""

    def checked(t: Any) -> Any:
        return check_output("Diff", name, fn(t))

    return checked


class Diff:
    """A function of one variable and its derivative: a node of an expression graph.

    Build it from :data:`x`, numbers, ``+ - * / **`` and the elementary functions; each operation
    applies one rule. ``Diff(f, df, expr, dexpr)`` makes a new elementary block from a function
    and its derivative (jax-traceable, elementwise; ``expr``/``dexpr`` written in ``x``).

    Attributes:
        f: the function, ``x -> f(x)`` (jax-traceable, elementwise).
        df: its derivative, ``x -> f'(x)``.
        expr: the function, written out (e.g. ``"(x**2 + 1)/(x - 3)"``); past
            :data:`INLINE_LIMIT` characters, with let-bindings for the shared parts.
        dexpr: the derivative the rules produced, written out (unsimplified, constant terms
            dropped); past :data:`INLINE_LIMIT` characters, with let-bindings.
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

    __slots__ = ("_op", "_args", "_c", "_block", "rule", "parts", "const", "_order", "_texts")
    _order: tuple[Diff, ...] | None
    _texts: tuple[str, str] | None

    def __init__(
        self,
        f: Callable,
        df: Callable,
        expr: str,
        dexpr: str,
        rule: str = "elementary",
        parts: tuple = (),
    ) -> None:
        if not (callable(f) and callable(df)):
            raise fail(
                "Diff",
                "f and df must be callables (the function and its derivative)",
                "e.g. Diff(jnp.sinh, jnp.cosh, 'sinh(x)', 'cosh(x)')",
            )
        check_arity("Diff", "f", f, 1)
        check_arity("Diff", "df", df, 1)
        if not (isinstance(expr, str) and isinstance(dexpr, str)):
            raise fail(
                "Diff",
                "expr and dexpr must be strings written in x",
                "e.g. Diff(jnp.sinh, jnp.cosh, 'sinh(x)', 'cosh(x)')",
            )
        if not isinstance(rule, str):
            raise fail(
                "Diff",
                f"rule must be a string (the rule's name, shown in derivations), got "
                f"{type(rule).__name__} {rule!r}",
                "e.g. rule='elementary'",
            )
        if not isinstance(parts, tuple | list) or not all(isinstance(q, Diff) for q in parts):
            raise fail(
                "Diff",
                f"parts must be a tuple of Diff nodes (what this one is built from), got {parts!r}",
                "e.g. parts=(u,) with u = x**2, or leave it out",
            )
        block = _Block(
            rule,
            _checked_output("f", f),
            _checked_output("df", df),
            _substituting(expr),
            _substituting(dexpr),
        )
        self._init("apply", (X,), block=block, rule=rule, parts=tuple(parts))

    def _init(
        self,
        op: str,
        args: tuple,
        c: float = 0.0,
        block: _Block | None = None,
        rule: str = "",
        parts: tuple | None = None,
    ) -> None:
        self._op, self._args, self._c, self._block = op, args, c, block
        self.rule = rule
        self.parts = args if parts is None else parts
        self.const = op == "const" or (op != "x" and all(a.const for a in args))
        self._order = None
        self._texts = None

    @classmethod
    def _new(cls, op: str, args: tuple = (), **kw: Any) -> Diff:
        node = object.__new__(cls)
        node._init(op, args, **kw)
        return node

    # ------------------------------------------------------------------ evaluation

    def _topological(self) -> tuple[Diff, ...]:
        """The nodes this one is computed from, each once, children before parents."""
        if self._order is None:
            self._order = tuple(postorder(self, lambda n: n._args))
        return self._order

    def _evaluate(self, t: jax.Array, derivative: bool) -> tuple[jax.Array, Any]:
        """One forward pass: the value and (if asked) the derivative of every node, once."""
        val: dict[int, Any] = {}
        der: dict[int, Any] = {}
        for n in self._topological():
            k, op, args = id(n), n._op, n._args
            if op == "x":
                val[k], der[k] = t, _ONE
                continue
            if op == "const":
                val[k] = jnp.asarray(n._c, t.dtype)
                continue
            vs = [val[id(a)] for a in args]
            val[k] = _VALUE[op](n, *vs)
            if derivative and not n.const:
                der[k] = _DERIVATIVE[op](n, vs, [der.get(id(a)) for a in args])
        v, d = val[id(self)], der.get(id(self))
        if derivative:
            d = jnp.zeros_like(t) if d is None else _full(t, d)
        return _full(t, v), d

    @property
    def f(self) -> Callable[[jax.Array], jax.Array]:
        """The function, ``x -> f(x)``."""
        return lambda t: self._evaluate(jnp.asarray(t), False)[0]

    @property
    def df(self) -> Callable[[jax.Array], jax.Array]:
        """The derivative, ``x -> f'(x)``."""
        return lambda t: self._evaluate(jnp.asarray(t), True)[1]

    def __call__(self, x: ArrayLike) -> jax.Array:
        return self._evaluate(_point("Diff.__call__", x), False)[0]

    def d(self, x: ArrayLike) -> jax.Array:
        """The derivative at ``x``, as the rules built it (one forward pass over the graph).

        Example:
            >>> from diffprog.rules import x
            >>> e = x
            >>> for _ in range(20):
            ...     e = e * e             # x**(2**20), a graph of 21 nodes
            >>> float(e.d(1.0))           # 2**20 x**(2**20 - 1) at 1
            1048576.0
        """
        return self._evaluate(_point("Diff.d", x), True)[1]

    # ------------------------------------------------------------------ text

    def _text_pass(self, width: float, name_shared: bool) -> tuple[list, dict]:
        """Texts of every node (display order), naming shared or long sub-expressions."""
        return text_pass(self, postorder(self, lambda n: n.parts), width, name_shared)

    def _inline(self) -> tuple[str, str] | None:
        """``(expr, dexpr)`` written inline, or None past :data:`INLINE_LIMIT` characters."""
        return inline(self, postorder(self, lambda n: n._args))

    def _let(self) -> tuple[str, str]:
        return let(self, *self._text_pass(INLINE_LIMIT, name_shared=True))

    def _written(self) -> tuple[str, str]:
        if self._texts is None:
            self._texts = self._inline() or self._let()
        return self._texts

    @property
    def expr(self) -> str:
        """The function, written out."""
        return self._written()[0]

    @property
    def dexpr(self) -> str:
        """The derivative the rules produced, written out."""
        return self._written()[1]

    def derivation(self) -> str:
        """Which rule produced each part: one line per node, innermost first.

        A sub-expression used more than once, or longer than :data:`NAME_WIDTH` characters, is
        written once and named (``u1 = ...;  u1' = ...``); later lines use its name, so the
        derivation grows with the number of nodes, not with the size of the expanded formula.

        Example:
            >>> from diffprog.rules import x, sin
            >>> print(sin(x**2).derivation())
            elementary  d/dx[sin(x)] = cos(x)
            power       d/dx[x**2] = 2*x
            chain       d/dx[sin(x**2)] = cos(x**2)*(2*x)
            >>> u = x**2 + 1
            >>> print((u * u).derivation())
            power     d/dx[x**2] = 2*x
            constant  d/dx[1] = 0
            sum       u1 = x**2 + 1;  u1' = 2*x
            product   d/dx[u1*u1] = u1'*u1 + u1*u1'
        """
        return derivation(self._text_pass(NAME_WIDTH, name_shared=True)[0])

    def __repr__(self) -> str:
        inline = self._inline()
        if inline is None:
            return f"Diff(<{len(self._topological())} nodes; see .expr or .derivation()>)"
        return f"Diff({inline[0]})"

    def __add__(self, other: Any) -> Diff:
        return _c.add(self, other)

    def __radd__(self, other: Any) -> Diff:
        return _c.add(other, self)

    def __sub__(self, other: Any) -> Diff:
        return _c.sub(self, other)

    def __rsub__(self, other: Any) -> Diff:
        return _c.sub(other, self)

    def __mul__(self, other: Any) -> Diff:
        return _c.mul(self, other)

    def __rmul__(self, other: Any) -> Diff:
        return _c.mul(other, self)

    def __truediv__(self, other: Any) -> Diff:
        return _c.truediv(self, other)

    def __rtruediv__(self, other: Any) -> Diff:
        return _c.truediv(other, self)

    def __neg__(self) -> Diff:
        return _c.scale(-1.0, self)

    def __pow__(self, n: float) -> Diff:
        if isinstance(n, Diff):
            raise fail(
                "Diff.__pow__",
                "u ** v with a function exponent is not a rule here",
                "write exp(v * log(u)) and let the chain and product rules do it",
            )
        return _c.chain(_c.power(n), self)

    def __rpow__(self, base: float) -> Diff:
        raise fail(
            "Diff.__rpow__",
            f"{base} ** u is not a rule here",
            f"write exp(u * log({base})) instead",
        )


# --------------------------------------------------------------------------- graph helpers


def postorder(root: Diff, children: Callable[[Diff], tuple]) -> list[Diff]:
    """Every node reachable from ``root``, once, children first (iterative: no recursion)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(children(node)) if id(c) not in seen)
    return order


_ONE = 1.0  # the derivative of x, kept symbolic so that g'(x) * 1 costs nothing


def _times(a: Any, b: Any) -> Any:
    return a if b is _ONE else b if a is _ONE else a * b


def _full(t: jax.Array, v: Any) -> jax.Array:
    if v is _ONE:
        return jnp.ones_like(t)
    if isinstance(v, jax.Array) and v.shape == t.shape and v.dtype == t.dtype:
        return v
    return jnp.full_like(t, v)


def _point(func: str, x: Any) -> jax.Array:
    """The point(s) to evaluate at, as a float array."""
    if x is None or isinstance(x, str | bytes | dict) or isinstance(x, bool):
        raise fail(
            func,
            f"x must be a real number or array, got {type(x).__name__} {x!r}",
            "Pass a float, e.g. f.d(2.0), or an array of points",
        )
    if not is_tracer(x):
        arr = np.asarray(x)
        if np.iscomplexobj(arr) or not (
            np.issubdtype(arr.dtype, np.number) or arr.dtype == jnp.bfloat16
        ):
            raise fail(
                func,
                f"x must be a real number or array, got dtype {arr.dtype}",
                "Pass real floats (the rules here are for real functions)",
            )
    check_representable(func, "x", x)
    return jnp.asarray(x, dtype=jnp.result_type(float, x))


def _sum_terms(*terms: Any) -> Any:
    present = [t for t in terms if t is not None]
    out = present[0]
    for t in present[1:]:
        out = out + t
    return out


_VALUE: dict[str, Callable[..., Any]] = {
    "apply": lambda n, u: n._block.f(u),
    "scale": lambda n, u: n._c * u,
    "add": lambda n, u, v: u + v,
    "sub": lambda n, u, v: u - v,
    "mul": lambda n, u, v: u * v,
    "div": lambda n, u, v: u / v,
}


def _d_apply(n: Diff, vs: list, ds: list) -> Any:
    return _times(cast(_Block, n._block).df(vs[0]), ds[0])


def _d_sub(n: Diff, vs: list, ds: list) -> Any:
    du, dv = ds
    if dv is None:
        return du
    return -dv if du is None else du - dv


def _d_mul(n: Diff, vs: list, ds: list) -> Any:
    (u, v), (du, dv) = vs, ds
    return _sum_terms(None if du is None else _times(du, v), None if dv is None else _times(u, dv))


def _d_div(n: Diff, vs: list, ds: list) -> Any:
    (u, v), (du, dv) = vs, ds
    if dv is None:
        return _times(du, v) / v**2
    if du is None:
        return -_times(u, dv) / v**2
    return (_times(du, v) - _times(u, dv)) / v**2


_DERIVATIVE: dict[str, Callable[[Diff, list, list], Any]] = {
    "apply": _d_apply,
    "scale": lambda n, vs, ds: n._c * ds[0],
    "add": lambda n, vs, ds: _sum_terms(*ds),
    "sub": _d_sub,
    "mul": _d_mul,
    "div": _d_div,
}


X = Diff._new("x", rule="identity")
"""The variable :math:`x` (the one identity node)."""

from . import _combinators as _c  # noqa: E402  (the combinators build Diff nodes: import last)
