"""The differentiation rules as pure combinators over a graph of (function, derivative) nodes.

A :class:`Diff` is a node of an expression graph in one variable :math:`x`; each node knows the
rule that gives its derivative from its parts:

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

The expression is a graph, not a tree: a sub-expression used twice (``u = x*x; u*u``) is one
node, so its value and derivative are computed once per evaluation, in one pass over the nodes in
topological order (forward mode, as autodiff does it). Everything is iterative, so there is no
recursion limit, and linear in the number of nodes: twenty squarings ``e = e*e`` are 21 nodes
(an expression of :math:`2^{20}` factors), differentiated in milliseconds.

A sub-expression without :math:`x` is a constant: its derivative is exactly 0 and its terms are
dropped (never multiplied by a partial that may be infinite, as :math:`\\sqrt{u}` at 0 is).

Every rule is checked against ``jax.grad`` and sympy in ``tests/test_rules.py``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from numbers import Real
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.typing import ArrayLike

from ._derivative_table import BY_NAME
from ._validate import check_arity, check_output, check_representable, fail, is_tracer

__all__ = [
    "Diff",
    "add",
    "chain",
    "constant",
    "cos",
    "exp",
    "identity",
    "log",
    "mul",
    "power",
    "scale",
    "sigmoid",
    "sin",
    "sqrt",
    "sub",
    "tanh",
    "truediv",
    "x",
]

#: Past this many characters, ``expr``/``dexpr`` are written with let-bindings, not inline.
INLINE_LIMIT = 4000
#: In ``derivation()``, a sub-expression longer than this gets a name (``u1``, ``u2``, ...).
NAME_WIDTH = 60

_Text = tuple[str, bool]  # (text, atomic: needs no parentheses around it)


def _p(t: _Text) -> str:
    """Parenthesise a compound expression."""
    return t[0] if t[1] else f"({t[0]})"


def _num(c: float) -> _Text:
    s = f"{c:g}"
    return s, s.replace("_", "").replace(".", "").isalnum()


class _Block(NamedTuple):
    """A function of one variable with a known derivative (an elementary function, a power)."""

    rule: str  # "elementary" or "power"
    f: Callable[[Any], Any]
    df: Callable[[Any], Any]
    text: Callable[[_Text], _Text]  # the argument's text -> the function's text
    dtext: Callable[[_Text], _Text]  # the argument's text -> the derivative's text


def _call(name: str) -> Callable[[_Text], _Text]:
    return lambda a: (f"{name}({a[0]})", True)


def _fmt(template: str, atomic: bool = False) -> Callable[[_Text], _Text]:
    """A text template in ``x``: ``{p}`` is the argument parenthesised, ``{a}`` it bare."""
    return lambda a: (template.format(p=_p(a), a=a[0]), atomic)


def _checked_output(name: str, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A user's block function whose every output is checked to be a real array (not None)."""

    def checked(t: Any) -> Any:
        return check_output("Diff", name, fn(t))

    return checked


def _substituting(template: str) -> Callable[[_Text], _Text]:
    """A user-written text in ``x`` (``Diff(...)``): each ``x`` becomes the argument."""
    atomic = re.fullmatch(r"[A-Za-z_]\w*(\(x\))?", template) is not None

    def text(a: _Text) -> _Text:
        s = re.sub(r"\(x\)|\bx\b", lambda m: f"({a[0]})" if m.group() == "(x)" else _p(a), template)
        return s, atomic

    return text


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
        self._init("apply", (_X,), block=block, rule=rule, parts=tuple(parts))

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
            self._order = tuple(_postorder(self, lambda n: n._args))
        return self._order

    def _evaluate(self, t: jax.Array, derivative: bool) -> tuple[jax.Array, jax.Array]:
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
        order = _postorder(self, lambda n: n.parts)
        refs: dict[int, int] = {}
        for n in order:
            for a in n._args:
                refs[id(a)] = refs.get(id(a), 0) + 1
        shown: dict[int, tuple[_Text, _Text | None]] = {id(_X): (("x", True), ("1", True))}
        lines, names = [], {}
        for n in order:
            expr, dexpr = _node_text(n, shown)
            name = None
            r = refs.get(id(n), 0)
            if (
                n._op not in ("x", "const")
                and r
                and (
                    (name_shared and r > 1)
                    or len(expr[0]) > width
                    or (dexpr is not None and len(dexpr[0]) > width)
                )
            ):
                name = f"u{len(names) + 1}"
                names[id(n)] = name
                shown[id(n)] = ((name, True), None if n.const else (f"{name}'", True))
            else:
                shown[id(n)] = (expr, dexpr)
            lines.append((n, name, expr, dexpr))
        return lines, shown

    def _inline(self) -> tuple[str, str] | None:
        """``(expr, dexpr)`` written inline, or None past :data:`INLINE_LIMIT` characters."""
        shown: dict[int, tuple[_Text, _Text | None]] = {}
        for n in _postorder(self, lambda n: n._args):
            expr, dexpr = _node_text(n, shown)
            if len(expr[0]) > INLINE_LIMIT or (dexpr and len(dexpr[0]) > INLINE_LIMIT):
                return None
            shown[id(n)] = (expr, dexpr)
        expr, dexpr = shown[id(self)]
        return expr[0], "0" if dexpr is None else dexpr[0]

    def _let(self) -> tuple[str, str]:
        lines, shown = self._text_pass(INLINE_LIMIT, name_shared=True)
        lets = [(nm, e[0], d[0] if d else "0") for _, nm, e, d in lines if nm]
        expr, dexpr = shown[id(self)]
        dtext = "0" if dexpr is None else dexpr[0]
        bind = "; ".join(f"{nm} = {e}" for nm, e, _ in lets)
        dbind = "; ".join(f"{nm} = {e}; {nm}' = {d}" for nm, e, d in lets)
        return f"let {bind} in {expr[0]}", f"let {dbind} in {dtext}"

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
        lines = []
        for n, name, expr, dexpr in self._text_pass(NAME_WIDTH, name_shared=True)[0]:
            dtext = "0" if dexpr is None else dexpr[0]
            if name:
                lines.append((n.rule, f"{name} = {expr[0]};  {name}' = {dtext}"))
            else:
                lines.append((n.rule, f"d/dx[{expr[0]}] = {dtext}"))
        width = max(len(r) for r, _ in lines)
        return "\n".join(f"{r:<{width}}  {t}" for r, t in lines)

    def __repr__(self) -> str:
        inline = self._inline()
        if inline is None:
            return f"Diff(<{len(self._topological())} nodes; see .expr or .derivation()>)"
        return f"Diff({inline[0]})"

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
            raise fail(
                "Diff.__pow__",
                "u ** v with a function exponent is not a rule here",
                "write exp(v * log(u)) and let the chain and product rules do it",
            )
        return chain(power(n), self)

    def __rpow__(self, base: float) -> Diff:
        raise fail(
            "Diff.__rpow__",
            f"{base} ** u is not a rule here",
            f"write exp(u * log({base})) instead",
        )


# --------------------------------------------------------------------------- graph helpers


def _postorder(root: Diff, children: Callable[[Diff], tuple]) -> list[Diff]:
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
    return _times(n._block.df(vs[0]), ds[0])


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


def _node_text(n: Diff, shown: dict) -> tuple[_Text, _Text | None]:
    """The node's text and its derivative's (None: a constant), from its parts' shown texts."""
    op = n._op
    if op == "x":
        return ("x", True), ("1", True)
    if op == "const":
        return _num(n._c), None
    (ue, ud), *rest = [shown[id(a)] for a in n._args]
    if op == "apply":
        expr = n._block.text(ue)
        if ud is None:
            return expr, None
        outer = n._block.dtext(ue)
        return expr, outer if ud[0] == "1" else (f"{_p(outer)}*{_p(ud)}", False)
    if op == "scale":
        c = _num(n._c)
        return (f"{c[0]}*{_p(ue)}", False), None if ud is None else (f"{c[0]}*{_p(ud)}", False)
    ((ve, vd),) = rest
    expr, dexpr = _BINARY_TEXT[op](ue, ud, ve, vd)
    return (expr, False), None if n.const else (dexpr, _ATOM.fullmatch(dexpr) is not None)


_ATOM = re.compile(r"[\w.']+")


def _join(*terms: str | None) -> str:
    return " + ".join(t for t in terms if t is not None).replace("+ -", "- ")


_BINARY_TEXT: dict[str, Callable[..., tuple[str, str]]] = {
    "add": lambda ue, ud, ve, vd: (f"{ue[0]} + {ve[0]}", _join(ud and ud[0], vd and vd[0])),
    "sub": lambda ue, ud, ve, vd: (
        f"{ue[0]} - {_p(ve)}",
        (ud[0] if ud else "") + (f" - {_p(vd)}" if ud and vd else f"-{_p(vd)}" if vd else ""),
    ),
    "mul": lambda ue, ud, ve, vd: (
        f"{_p(ue)}*{_p(ve)}",
        _join(ud and f"{_p(ud)}*{_p(ve)}", vd and f"{_p(ue)}*{_p(vd)}"),
    ),
    "div": lambda ue, ud, ve, vd: (
        f"{_p(ue)}/{_p(ve)}",
        (
            f"({_p(ud)}*{_p(ve)} - {_p(ue)}*{_p(vd)})/{_p(ve)}**2"
            if ud and vd
            else f"{_p(ud)}*{_p(ve)}/{_p(ve)}**2"
            if ud
            else f"-{_p(ue)}*{_p(vd)}/{_p(ve)}**2"
        ),
    ),
}


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


_X = Diff._new("x", rule="identity")


def identity() -> Diff:
    """The identity: :math:`\\frac{d}{dx} x = 1` (the slope of the line :math:`y = x`).

    Example:
        >>> from diffprog.rules import identity
        >>> float(identity().d(3.0))
        1.0
    """
    return _X


x = _X
"""The variable :math:`x`, the identity: start every expression from it."""


def _apply(block: _Block, u: Diff, rule: str | None = None, parts: tuple | None = None) -> Diff:
    """``block(u)``; a block applied to ``x`` itself is shown as one leaf in derivations."""
    if parts is None and u is _X:
        parts = ()
    return Diff._new("apply", (u,), block=block, rule=rule or block.rule, parts=parts)


@functools.lru_cache(maxsize=256)
def _power_node(n: float) -> Diff:
    m = _num(n)[0]
    dtext = _fmt(f"{m}*{{p}}") if n == 2 else _fmt(f"{m}*{{p}}**{_num(n - 1)[0]}")
    block = _Block("power", lambda t: t**n, lambda t: n * t ** (n - 1), _fmt(f"{{p}}**{m}"), dtext)
    return _apply(block, _X)


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
    c = _lift(c, "scale")
    if c._op != "const":
        raise fail("scale", "c must be a number", "for a product of two functions use mul(u, v)")
    return Diff._new("scale", (_lift(u, "scale"),), c=c._c, rule="constant multiple")


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
        return _apply(g._block, u, "chain", (g, u))
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
            new[id(n)] = chain(_apply(n._block, _X), new[id(n._args[0])])
        else:
            args = tuple(new[id(a)] for a in n._args)
            new[id(n)] = Diff._new(n._op, args, c=n._c, rule=n.rule)
    return new[id(g)]


# --------------------------------------------------------------------------- elementary blocks


def _elementary(
    name: str, f: Callable, df: Callable, dtext: Callable[[_Text], _Text], written: str
) -> Callable[[Diff], Diff]:
    block = _Block("elementary", f, df, _call(name), dtext)
    node = _apply(block, _X)

    def apply(u: Diff | float) -> Diff:
        return chain(node, _lift(u, name))

    apply.__name__ = name
    apply.__qualname__ = name
    apply.__doc__ = (
        f"``{name}(u)``: the elementary function {name} of ``u``; "
        f":math:`\\frac{{d}}{{dx}} {name}(x) = ` ``{written}``, then the chain rule."
    )
    apply.block = node
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
