"""Evaluation traces of a JAX function: the primal, tangent and adjoint tables.

``explain(f, *args)`` turns ``f`` into its jaxpr (the list of primitive operations
jax records) and walks it three times, as the autodiff literature tabulates it
(Baydin et al. 2018, tables 2 and 3):

1. the **forward primal trace**: each intermediate ``v_i`` and its value;
2. the **forward tangent trace**: each ``v̇_i = Σ_j (∂v_i/∂v_j) v̇_j`` for an input
   direction ``ẋ`` (by default one column per input, ``ẋ = e_k``), so the last row
   is the directional derivative ``ẏ = ∇f · ẋ``;
3. the **reverse adjoint trace**: each ``v̄_j += v̄_i ∂v_i/∂v_j``, visited backwards
   from ``ȳ = 1``, so the inputs end with the whole gradient ``x̄ = ∇f``.

Inputs are named ``v_{1-n} … v_0`` (input ``x_k`` is ``v_{k-n}``) and the operations
``v_1, v_2, …``, as in the survey. The local partial derivatives come from a table
with one rule per primitive (:data:`RULES`); calls to ``jit``-ed functions are
inlined. The numbers equal ``jax.jvp`` and ``jax.vjp`` (tested).

What it does not do: programs whose intermediates are not scalars (arrays), control
flow (``cond``, ``while``, ``scan``), and custom derivative rules (``custom_jvp`` /
``custom_vjp``): each raises an error naming the primitive. Use it on scalar
functions to *see* autodiff; use jax's transformations for real work.

References:
    Baydin, Pearlmutter, Radul, Siskind (2018), Automatic differentiation in machine
    learning: a survey, JMLR 18(153):1-43, tables 2 and 3.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jax.extend.core import Literal
from jax.typing import ArrayLike

__all__ = ["RULES", "Row", "Trace", "explain"]

_SUB = str.maketrans("-0123456789", "₋₀₁₂₃₄₅₆₇₈₉")


class _Rule(NamedTuple):
    primal: Callable[..., str]  # (arg names, params) -> the definition, e.g. "ln v₋₁"
    partials: Callable[..., tuple]  # (arg values, out value, params) -> ∂out/∂arg each (None: not differentiable)
    partial_text: Callable[..., tuple]  # (arg names, out name, params) -> the same, as text


def _where(c, a, b):
    return jnp.where(c, a, b)


def _max_partials(x, y):
    # jax's rule for max: the whole derivative to the larger argument, half each at a tie.
    px = _where(x > y, 1.0, _where(x == y, 0.5, 0.0)).astype(jnp.result_type(x))
    return px, 1 - px


def _unary(fmt: str, partial: Callable, text: str) -> _Rule:
    return _Rule(lambda a, p: fmt.format(*a), lambda v, o, p: (partial(v[0], o),),
                 lambda a, o, p: (text.format(*a, out=o),))


def _compare(symbol: str) -> _Rule:
    return _Rule(lambda a, p: f"{a[0]} {symbol} {a[1]}", lambda v, o, p: (None, None),
                 lambda a, o, p: (None, None))


#: Primitive name -> its rule: definition text, local partial derivatives, their text.
RULES: dict[str, _Rule] = {
    "add": _Rule(lambda a, p: f"{a[0]} + {a[1]}", lambda v, o, p: (1.0, 1.0),
                 lambda a, o, p: ("1", "1")),
    "sub": _Rule(lambda a, p: f"{a[0]} − {a[1]}", lambda v, o, p: (1.0, -1.0),
                 lambda a, o, p: ("1", "−1")),
    "mul": _Rule(lambda a, p: f"{a[0]} × {a[1]}", lambda v, o, p: (v[1], v[0]),
                 lambda a, o, p: (a[1], a[0])),
    "div": _Rule(lambda a, p: f"{a[0]} / {a[1]}", lambda v, o, p: (1 / v[1], -o / v[1]),
                 lambda a, o, p: (f"1/{a[1]}", f"−{o}/{a[1]}")),
    "max": _Rule(lambda a, p: f"max({a[0]}, {a[1]})", lambda v, o, p: _max_partials(v[0], v[1]),
                 lambda a, o, p: (f"[{a[0]} > {a[1]}]", f"[{a[1]} > {a[0]}]")),
    "min": _Rule(lambda a, p: f"min({a[0]}, {a[1]})", lambda v, o, p: _max_partials(v[1], v[0]),
                 lambda a, o, p: (f"[{a[0]} < {a[1]}]", f"[{a[1]} < {a[0]}]")),
    "pow": _Rule(lambda a, p: f"{a[0]}^{a[1]}",
                 lambda v, o, p: (v[1] * v[0] ** (v[1] - 1), jnp.log(v[0]) * o),
                 lambda a, o, p: (f"{a[1]}·{a[0]}^({a[1]} − 1)", f"ln {a[0]} · {o}")),
    "integer_pow": _Rule(lambda a, p: f"{a[0]}^{p['y']}",
                         lambda v, o, p: (p["y"] * v[0] ** (p["y"] - 1),),
                         lambda a, o, p: (f"{p['y']}·{a[0]}^{p['y'] - 1}",)),
    "neg": _unary("−{0}", lambda x, o: -1.0, "−1"),
    "log": _unary("ln {0}", lambda x, o: 1 / x, "1/{0}"),
    "log1p": _unary("ln(1 + {0})", lambda x, o: 1 / (1 + x), "1/(1 + {0})"),
    "exp": _unary("exp {0}", lambda x, o: o, "{out}"),
    "expm1": _unary("exp({0}) − 1", lambda x, o: o + 1, "{out} + 1"),
    "sin": _unary("sin {0}", lambda x, o: jnp.cos(x), "cos {0}"),
    "cos": _unary("cos {0}", lambda x, o: -jnp.sin(x), "−sin {0}"),
    "tan": _unary("tan {0}", lambda x, o: 1 + o * o, "1 + {out}²"),
    "tanh": _unary("tanh {0}", lambda x, o: 1 - o * o, "1 − {out}²"),
    "logistic": _unary("σ({0})", lambda x, o: o * (1 - o), "{out}(1 − {out})"),
    "sqrt": _unary("√{0}", lambda x, o: 0.5 / o, "1/(2{out})"),
    "rsqrt": _unary("1/√{0}", lambda x, o: -0.5 * o / x, "−{out}/(2{0})"),
    "square": _unary("{0}²", lambda x, o: 2 * x, "2{0}"),
    "abs": _unary("|{0}|", lambda x, o: _where(x >= 0, 1.0, -1.0).astype(jnp.result_type(x)),
                  "sign {0}"),
    "convert_element_type": _Rule(  # a cast to an integer or bool has no derivative
        lambda a, p: f"{a[0]}" if jnp.issubdtype(p["new_dtype"], jnp.inexact)
        else f"{p['new_dtype']}({a[0]})",
        lambda v, o, p: (1.0 if jnp.issubdtype(p["new_dtype"], jnp.inexact) else None,),
        lambda a, o, p: ("1",)),
    "copy": _unary("{0}", lambda x, o: 1.0, "1"),
    "copy_p": _unary("{0}", lambda x, o: 1.0, "1"),
    "select_n": _Rule(lambda a, p: f"{a[2]} if {a[0]} else {a[1]}",
                      lambda v, o, p: (None, 1.0 - v[0], 1.0 * v[0]),
                      lambda a, o, p: (None, f"[not {a[0]}]", f"[{a[0]}]")),
    "gt": _compare(">"), "ge": _compare("≥"), "lt": _compare("<"), "le": _compare("≤"),
    "eq": _compare("="), "ne": _compare("≠"),
}
_INLINE = {"pjit", "jit", "closed_call", "core_call"}
_WHY_NOT = {
    "cond": "control flow", "while": "control flow", "scan": "control flow",
    "custom_jvp_call": "a custom derivative rule (custom_jvp)",
    "custom_vjp_call": "a custom derivative rule (custom_vjp)",
    "custom_vjp_call_jaxpr": "a custom derivative rule (custom_vjp)",
}


class Row(NamedTuple):
    """One line of a trace: the variable, its definition, and its value(s)."""

    var: str
    expr: str
    value: Any


@dataclass(frozen=True)
class Trace:
    """The three evaluation traces of a scalar function at a point.

    Attributes:
        primal: rows ``(v_i, definition, value)`` of the forward primal trace.
        tangent: rows ``(v̇_i, definition, values)``, one value per direction.
        adjoint: rows ``(v̄_j, update, value after the update)`` of the reverse sweep.
        directions: the input directions ``ẋ`` of the tangent columns.
        value: ``f(x)``.
        jvp: ``∇f · ẋ`` for each direction (the last tangent row).
        gradient: ``∇f`` (the adjoints of the inputs).
    """

    primal: tuple[Row, ...]
    tangent: tuple[Row, ...]
    adjoint: tuple[Row, ...]
    directions: tuple[tuple[float, ...], ...]
    value: float
    jvp: tuple[float, ...]
    gradient: tuple[float, ...]
    precision: int = 5

    def _fmt(self, v: Any) -> str:
        if isinstance(v, tuple):
            return "  ".join(self._fmt(x) for x in v)
        return f"{float(v):.{self.precision}g}"

    def _tables(self) -> list[tuple[str, list[str], list[tuple[str, str, str]]]]:
        dirs = ", ".join("(" + ", ".join(f"{d:g}" for d in dr) + ")" for dr in self.directions)
        return [
            ("Forward primal trace", ["", "", "value"],
             [(r.var, r.expr, self._fmt(r.value)) for r in self.primal]),
            (f"Forward tangent trace, ẋ = {dirs}", ["", "", "value(s)"],
             [(r.var, r.expr, self._fmt(r.value)) for r in self.tangent]),
            ("Reverse adjoint trace, ȳ = 1", ["", "", "value"],
             [(r.var, r.expr, self._fmt(r.value)) for r in self.adjoint]),
        ]

    def __str__(self) -> str:
        out = []
        for title, _, rows in self._tables():
            w0 = max(_width(r[0]) for r in rows)
            w1 = max(_width(r[1]) for r in rows)
            out.append(title)
            out.extend(f"  {_pad(a, w0)} = {_pad(b, w1)} = {c}" for a, b, c in rows)
            out.append("")
        return "\n".join(out).rstrip() + "\n"

    def _repr_html_(self) -> str:
        parts = ['<div style="display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start">']
        for title, _, rows in self._tables():
            body = "".join(
                f"<tr><td>{html.escape(a)}</td><td>= {html.escape(b)}</td>"
                f"<td style='text-align:right'>= {html.escape(c)}</td></tr>"
                for a, b, c in rows
            )
            parts.append(f"<table><caption><b>{html.escape(title)}</b></caption>{body}</table>")
        parts.append("</div>")
        return "".join(parts)


def _v(k: int) -> str:
    return f"v{str(k).translate(_SUB)}"


def _dot(name: str) -> str:
    return name[0] + "\u0307" + name[1:]


def _bar(name: str) -> str:
    return name[0] + "\u0304" + name[1:]


def _scale(coef: str, term: str) -> str:
    if coef == "1":
        return term
    if coef == "−1":
        return f"−{term}"
    return f"{term} × {coef}"


def _width(s: str) -> int:
    # Display width: the dot and bar accents (combining characters) take no room.
    return len(s) - s.count("\u0307") - s.count("\u0304")


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))


def _flatten(jaxpr, consts, atoms, steps, counter):
    """Walk ``jaxpr`` (inlining calls), appending one step per equation."""
    env = dict(zip(jaxpr.invars, atoms, strict=True))
    env.update(zip(jaxpr.constvars, consts, strict=True))

    def read(atom):
        if isinstance(atom, Literal):  # a constant written into the jaxpr
            return (f"{float(atom.val):g}", jnp.asarray(atom.val), None)
        return env[atom]

    for eqn in jaxpr.eqns:
        name = eqn.primitive.name
        ins = [read(a) for a in eqn.invars]
        if name in _INLINE:
            closed = eqn.params.get("jaxpr", eqn.params.get("call_jaxpr"))
            inner = getattr(closed, "jaxpr", closed)
            inner_consts = [(f"c{str(i).translate(_SUB)}", jnp.asarray(c), None)
                            for i, c in enumerate(getattr(closed, "consts", ()))]
            outs = _flatten(inner, inner_consts, ins, steps, counter)
            env.update(zip(eqn.outvars, outs, strict=True))
            continue
        if name in _WHY_NOT:
            raise NotImplementedError(
                f"explain cannot trace primitive {name!r} ({_WHY_NOT[name]}); it supports "
                f"scalar programs built from {sorted(RULES)} and calls to jit-ed functions"
            )
        if len(eqn.outvars) != 1 or eqn.outvars[0].aval.shape != ():
            shapes = [tuple(v.aval.shape) for v in eqn.outvars]
            raise ValueError(
                f"explain traces scalar programs only; primitive {name!r} produces shape(s) "
                f"{shapes}. Write f with scalar intermediates (explain a scalar slice of it)"
            )
        if name not in RULES:
            raise NotImplementedError(
                f"explain cannot trace primitive {name!r} (it has no rule in "
                f"diffprog.explain.RULES); it supports scalar programs "
                f"built from {sorted(RULES)} and calls to jit-ed functions"
            )
        value = eqn.primitive.bind(*[v for _, v, _ in ins], **eqn.params)
        counter[0] += 1
        out_name = _v(counter[0])
        rule = RULES[name]
        steps.append((out_name, rule, ins, value, eqn.params))
        env[eqn.outvars[0]] = (out_name, value, len(steps) - 1)
    return [read(a) for a in jaxpr.outvars]


def explain(f: Callable[..., Any], *args: ArrayLike,
            tangent: Sequence[float] | None = None, precision: int = 5) -> Trace:
    """The forward primal, forward tangent and reverse adjoint traces of ``f`` at ``args``.

    Walks ``jax.make_jaxpr(f)(*args)``. For each operation ``v_i = φ(v_j, …)`` the
    tangent trace applies ``v̇_i = Σ_j (∂φ/∂v_j) v̇_j`` and the adjoint trace, in
    reverse order, ``v̄_j += v̄_i ∂φ/∂v_j``.

    Args:
        f: a JAX function of scalar arguments returning a scalar.
        *args: the point, one float scalar per argument.
        tangent: the input direction ``ẋ`` for the tangent trace; ``None`` (default)
            traces one column per input (``ẋ = e_1, e_2, …``: the partial derivatives).
        precision: significant digits shown.

    Returns:
        A :class:`Trace`: ``str(trace)`` is the three tables as text; in a notebook it
        shows as HTML tables; ``trace.value``, ``trace.jvp`` and ``trace.gradient``
        hold the results.

    Raises:
        TypeError: if an argument is not a float scalar (integers have no derivative).
        ValueError: if ``f`` returns something other than one scalar, an intermediate
            is not a scalar, or ``tangent`` has the wrong length.
        NotImplementedError: for a primitive without a rule (control flow, custom
            derivative rules, array operations), naming it.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog import explain
        >>> t = explain(lambda x1, x2: jnp.log(x1) + x1 * x2 - jnp.sin(x2), 2.0, 5.0)
        >>> round(t.value, 3), [round(g, 3) for g in t.gradient]
        (11.652, [5.5, 1.716])
        >>> print(str(t).splitlines()[3])
          v₁  = ln v₋₁  = 0.69315

    References:
        Baydin et al. (2018), Automatic differentiation in machine learning: a survey,
        JMLR 18(153), tables 2-3.
    """
    xs = []
    for i, a in enumerate(args):
        x = jnp.asarray(a)
        if not jnp.issubdtype(x.dtype, jnp.floating) or x.shape != ():
            raise TypeError(
                f"explain: argument {i} is {x.dtype}{list(x.shape)}; pass a float scalar "
                f"(e.g. {float(x.ravel()[0]) if x.size else 1.0!r}) -- integers have no derivative"
            )
        xs.append(x)
    n = len(xs)
    if n == 0:
        raise ValueError("explain: pass the point, e.g. explain(f, 2.0, 5.0)")
    if tangent is None:
        directions = tuple(tuple(1.0 if j == k else 0.0 for j in range(n)) for k in range(n))
    else:
        directions = (tuple(float(t) for t in tangent),)
        if len(directions[0]) != n:
            raise ValueError(f"explain: tangent has {len(directions[0])} entries for {n} inputs")
    closed = jax.make_jaxpr(f)(*xs)
    if len(closed.jaxpr.outvars) != 1 or closed.jaxpr.outvars[0].aval.shape != ():
        raise ValueError("explain: f must return one scalar (its traces are of a scalar function)")

    inputs = [(_v(k + 1 - n), x, None) for k, x in enumerate(xs)]
    consts = [(f"c{str(i).translate(_SUB)}", jnp.asarray(c), None)
              for i, c in enumerate(closed.consts)]
    steps: list = []
    out = _flatten(closed.jaxpr, consts, inputs, steps, [0])[0]

    # Forward primal trace.
    primal = [Row(name, f"x{str(k + 1).translate(_SUB)}", float(x))
              for k, (name, x, _) in enumerate(inputs)]
    primal += [Row(name, rule.primal([a for a, _, _ in ins], params), float(value))
               for name, rule, ins, value, params in steps]
    primal.append(Row("y", out[0], float(out[1])))

    # Forward tangent trace: v̇_i = Σ_j ∂v_i/∂v_j v̇_j.
    dtype = xs[0].dtype
    tangents = {name: tuple(jnp.asarray(d[k], dtype) for d in directions)
                for k, (name, _, _) in enumerate(inputs)}
    tangent_rows = [Row(_dot(name), f"ẋ{str(k + 1).translate(_SUB)}",
                        tuple(float(t) for t in tangents[name]))
                    for k, (name, _, _) in enumerate(inputs)]
    partials_of = []
    for name, rule, ins, value, params in steps:
        parts = rule.partials([v for _, v, _ in ins], value, params)
        texts = rule.partial_text([a for a, _, _ in ins], name, params)
        partials_of.append((parts, texts))
        total = tuple(jnp.zeros((), value.dtype) for _ in directions)
        terms = []
        for (arg, _, _), p, txt in zip(ins, parts, texts, strict=True):
            if p is None or arg not in tangents:
                continue
            total = tuple(t + p * dt for t, dt in zip(total, tangents[arg], strict=True))
            terms.append(_scale(txt, _dot(arg)))
        tangents[name] = tuple(jnp.asarray(t, value.dtype) for t in total)
        expr = " + ".join(terms).replace("+ −", "− ") if terms else "0"
        tangent_rows.append(Row(_dot(name), expr, tuple(float(t) for t in tangents[name])))
    out_tangent = tangents.get(out[0], tuple(0.0 for _ in directions))
    tangent_rows.append(Row("ẏ", _dot(out[0]) if out[0] in tangents else "0",
                            tuple(float(t) for t in out_tangent)))

    # Reverse adjoint trace: v̄_j += v̄_i ∂v_i/∂v_j, from the last operation back.
    adjoints: dict[str, Any] = {}
    adjoint_rows = [Row("ȳ", "1", 1.0)]
    if out[0] in tangents:
        adjoints[out[0]] = jnp.ones((), dtype)
        adjoint_rows.append(Row(_bar(out[0]), "ȳ", 1.0))
    for (name, _rule, ins, value, _params), (parts, texts) in zip(
            reversed(steps), reversed(partials_of), strict=True):
        g = adjoints.get(name)
        if g is None:
            continue  # the output does not depend on this value
        for (arg, _, _), p, txt in zip(ins, parts, texts, strict=True):
            if p is None or arg not in tangents:
                continue
            term = _scale(txt, _bar(name))
            if arg in adjoints:
                adjoints[arg] = adjoints[arg] + g * p
                expr = f"{_bar(arg)} + {term}".replace("+ −", "− ")
            else:
                adjoints[arg] = jnp.asarray(g * p, value.dtype)
                expr = term
            adjoint_rows.append(Row(_bar(arg), expr, float(adjoints[arg])))
    gradient = []
    for k, (name, _, _) in enumerate(inputs):
        g = float(adjoints.get(name, 0.0))
        gradient.append(g)
        adjoint_rows.append(Row(f"x̄{str(k + 1).translate(_SUB)}",
                                _bar(name) if name in adjoints else "0", g))

    return Trace(tuple(primal), tuple(tangent_rows), tuple(adjoint_rows), directions,
                 float(out[1]), tuple(float(t) for t in out_tangent), tuple(gradient),
                 precision)
