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
``v_1, v_2, …``, as in the survey. The local partial derivatives come from the one table of
primitive derivatives (:mod:`diffprog._derivative_table`, shared with the teaching engine and
the rules), looked up by the jax primitive object (``jax.lax.sin_p``); calls to ``jit``-ed
functions are inlined. The numbers equal ``jax.jvp`` and ``jax.vjp`` (tested).

A function with its own derivative rule (``custom_jvp``: ``jax.nn.relu``,
``jax.nn.softplus``, ``jnp.logaddexp``; or ``custom_vjp``) is one row, whose partial
derivatives come from that rule (``jax.jvp`` of it along each input; ``jax.vjp`` for a
custom_vjp function), so the tables agree with jax there too.

What it does not do: programs whose intermediates are not scalars (arrays) and control
flow (``cond``, ``while``, ``scan``): each raises an error naming the primitive. Use it
on scalar functions to *see* autodiff; use jax's transformations for real work.

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
from jax.extend.core import ClosedJaxpr, DebugInfo, Jaxpr, Literal, jaxpr_as_fun
from jax.typing import ArrayLike

from ._derivative_table import BY_JAX, CUSTOM_TEXT, Entry, for_jax, render
from ._validate import (
    check_arity,
    check_finite_scalar,
    check_int,
    check_representable,
    fail,
    is_tracer,
)

__all__ = ["Row", "Trace", "explain"]

_SUB = str.maketrans("-0123456789", "₋₀₁₂₃₄₅₆₇₈₉")
_INLINE = {"pjit", "jit", "closed_call", "core_call"}
_CUSTOM = {"custom_jvp_call", "custom_vjp_call", "custom_vjp_call_jaxpr"}
_WHY_NOT = {
    "cond": "control flow",
    "while": "control flow",
    "scan": "control flow",
}


@dataclass(frozen=True)
class Row:
    """One line of a trace: the variable, its definition, and its value(s).

    A frozen dataclass, not a :func:`~diffprog._result.result`: it holds text and Python floats
    (a table to read), not arrays to trace.
    """

    var: str
    expr: str
    value: Any


class _Rule(NamedTuple):
    """How explain writes and differentiates one step (from the table, or a custom rule)."""

    primal: Callable[..., str]  # (arg names, params) -> the definition, e.g. "ln v₋₁"
    partials: Callable[..., tuple]  # (arg values, out value, params) -> ∂out/∂arg each (None: 0)
    partial_text: Callable[..., tuple]  # (arg names, out name, params) -> the same, as text
    jvp: Callable[..., Any] | None = None  # (arg values, arg tangents) -> out tangent, if direct
    vjp: Callable[..., tuple] | None = None  # (arg values, out adjoint) -> arg adjoints, if direct


def _table_rule(entry: Entry) -> _Rule:
    """The rule of a primitive of the table: its partials computed with jax.numpy."""
    return _Rule(
        lambda a, p: str(render(entry.text, a, "", p)),
        lambda v, o, p: tuple(entry.partial_at(i, jnp, o, tuple(v), p) for i in range(len(v))),
        lambda a, o, p: tuple(render(t, a, o, p) for t in entry.texts_for(a)),
        vjp=entry.vjp,
    )


@dataclass(frozen=True)
class Trace:
    """The three evaluation traces of a scalar function at a point.

    A frozen dataclass, not a :func:`~diffprog._result.result`: its rows are text tables for a
    reader, computed outside jax's transformations (explain refuses tracers).

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

    def _tables(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        """(title, rows as text) of the three tables."""
        dirs = ", ".join("(" + ", ".join(f"{d:g}" for d in dr) + ")" for dr in self.directions)
        titles = (
            "Forward primal trace",
            f"Forward tangent trace, ẋ = {dirs}",
            "Reverse adjoint trace, ȳ = 1",
        )
        tables = (self.primal, self.tangent, self.adjoint)
        return [
            (title, [(r.var, r.expr, self._fmt(r.value)) for r in rows])
            for title, rows in zip(titles, tables, strict=True)
        ]

    def __str__(self) -> str:
        out = []
        for title, rows in self._tables():
            w0 = max(_width(r[0]) for r in rows)
            w1 = max(_width(r[1]) for r in rows)
            out.append(title)
            out.extend(f"  {_pad(a, w0)} = {_pad(b, w1)} = {c}" for a, b, c in rows)
            out.append("")
        return "\n".join(out).rstrip() + "\n"

    def _repr_html_(self) -> str:
        parts = ['<div style="display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start">']
        for title, rows in self._tables():
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
    if " + " in coef or " − " in coef:  # a sum: parenthesise it (1 + v₁², ...)
        coef = f"({coef})"
    return f"{term} × {coef}"


def _width(s: str) -> int:
    # Display width: the dot and bar accents (combining characters) take no room.
    return len(s) - s.count("\u0307") - s.count("\u0304")


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))


_Atom = tuple  # (name, value, index of the step that made it, or None for inputs/constants)


def _constants(closed: Any) -> list[_Atom]:
    return [
        (f"c{str(i).translate(_SUB)}", jnp.asarray(c), None)
        for i, c in enumerate(getattr(closed, "consts", ()))
    ]


def _one_equation(eqn: Any) -> tuple[list, Callable[..., Any]]:
    """The equation as a function of its variable inputs (literals stay in it)."""
    ins = []
    for a in eqn.invars:
        if not isinstance(a, Literal) and a not in ins:
            ins.append(a)
    names = tuple(str(a) for a in ins)
    info = DebugInfo("explain", None, names, ("",) * len(eqn.outvars))  # type: ignore[arg-type]
    fun = jaxpr_as_fun(
        ClosedJaxpr(Jaxpr([], ins, list(eqn.outvars), [eqn], eqn.effects, debug_info=info), [])
    )
    return ins, lambda *v: fun(*v)[0]


def _custom_rule(eqn: Any) -> tuple[_Rule, list]:
    """One row for a custom_jvp / custom_vjp call, its partials from its own derivative rule.

    A custom_jvp function's partials are ``jax.jvp`` of it along each input (its jvp rule); a
    custom_vjp function's are ``jax.vjp`` of it with ȳ = 1 (its vjp rule: jax has no forward mode
    for those, so the tangent column is the one its vjp rule implies).
    """
    info = getattr(getattr(eqn.params.get("call_jaxpr"), "jaxpr", None), "debug_info", None)
    name = str(eqn.params.get("name") or getattr(info, "func_name", None) or eqn.primitive.name)
    ins, run = _one_equation(eqn)
    # Each variable's derivative goes to its first position (a variable passed twice, as in
    # logaddexp(a, a), gets the whole derivative there, 0 at the other).
    first = [
        not isinstance(a, Literal) and eqn.invars.index(a) == k for k, a in enumerate(eqn.invars)
    ]
    repeated = sum(first) < sum(not isinstance(a, Literal) for a in eqn.invars)
    forward = eqn.primitive.name == "custom_jvp_call"

    def partials(vals: list, out: Any, params: dict) -> tuple:
        args = [v for v, keep in zip(vals, first, strict=True) if keep]
        if forward:
            grads = [
                jax.jvp(
                    run,
                    tuple(args),
                    tuple(
                        jnp.ones_like(b) if i == j else jnp.zeros_like(b)
                        for i, b in enumerate(args)
                    ),
                )[1]
                for j in range(len(args))
            ]
        else:
            grads = list(jax.vjp(run, *args)[1](jnp.ones_like(out)))
        it = iter(grads)
        return tuple(next(it) if keep else None for keep in first)

    def jvp(vals: list, tangents: list) -> Any:
        args = [v for v, keep in zip(vals, first, strict=True) if keep]
        dargs = [
            jnp.asarray(t, jnp.result_type(v))
            for v, t, keep in zip(vals, tangents, first, strict=True)
            if keep
        ]
        return jax.jvp(run, tuple(args), tuple(dargs))[1]

    def vjp(vals: list, adjoint: Any) -> tuple:
        args = [v for v, keep in zip(vals, first, strict=True) if keep]
        it = iter(jax.vjp(run, *args)[1](adjoint))
        return tuple(next(it) if keep else None for keep in first)

    def text(arg_names: list, out: str, params: dict) -> tuple:
        known = CUSTOM_TEXT.get(name)
        if known is not None and not repeated and len(arg_names) == len(known):
            return tuple(render(t, arg_names, out) for t in known)
        return tuple(f"∂{name}/∂{a}" for a in arg_names)

    kind = "custom_jvp" if forward else "custom_vjp"
    primal = lambda a, p: f"{name}({', '.join(a)})" + ("" if name in CUSTOM_TEXT else f" [{kind}]")
    return _Rule(primal, partials, text, jvp if forward else None, vjp), ins


def _refuse(name: str) -> NotImplementedError:
    why = _WHY_NOT.get(name, "it has no entry in the table of primitive derivatives")
    known = sorted({e.name for e in BY_JAX.values()})
    return NotImplementedError(
        f"explain cannot trace primitive {name!r} ({why}); it supports scalar programs built "
        f"from {known}, custom_jvp/custom_vjp functions (jax.nn.relu, softplus, ...) "
        "and calls to jit-ed functions"
    )


def _check_scalar(eqn: Any) -> None:
    if len(eqn.outvars) != 1 or eqn.outvars[0].aval.shape != ():
        shapes = [tuple(v.aval.shape) for v in eqn.outvars]
        raise ValueError(
            f"explain traces scalar programs only; primitive {eqn.primitive.name!r} produces "
            f"shape(s) {shapes}. Write f with scalar intermediates (explain a scalar slice of it)"
        )


def _flatten(jaxpr: Any, consts: list, atoms: list, steps: list, counter: list) -> list[_Atom]:
    """Walk ``jaxpr`` (inlining calls), appending one step per equation."""
    env = dict(zip(jaxpr.invars, atoms, strict=True))
    env.update(zip(jaxpr.constvars, consts, strict=True))

    def read(atom: Any) -> _Atom:
        if isinstance(atom, Literal):  # a constant written into the jaxpr
            return (f"{float(atom.val):g}", jnp.asarray(atom.val), None)
        return env[atom]

    for eqn in jaxpr.eqns:
        name = eqn.primitive.name
        ins = [read(a) for a in eqn.invars]
        if name in _INLINE:
            closed = eqn.params.get("jaxpr", eqn.params.get("call_jaxpr"))
            outs = _flatten(
                getattr(closed, "jaxpr", closed), _constants(closed), ins, steps, counter
            )
            env.update(zip(eqn.outvars, outs, strict=True))
            continue
        if name in _WHY_NOT:
            raise _refuse(name)
        _check_scalar(eqn)
        entry = for_jax(eqn.primitive)
        if entry is None and name not in _CUSTOM:
            raise _refuse(name)
        if entry is None:
            rule, var_ins = _custom_rule(eqn)
            value = _one_equation(eqn)[1](*[env[a][1] for a in var_ins])
        else:
            rule = _table_rule(entry)
            value = eqn.primitive.bind(*[v for _, v, _ in ins], **eqn.params)
        value = jnp.asarray(value, eqn.outvars[0].aval.dtype)
        counter[0] += 1
        out_name = _v(counter[0])
        steps.append((out_name, rule, ins, value, eqn.params))
        env[eqn.outvars[0]] = (out_name, value, len(steps) - 1)
    return [read(a) for a in jaxpr.outvars]


# --------------------------------------------------------------------------- the steps of explain


def _check_point(args: tuple, tangent: Any, precision: Any) -> tuple[list, tuple]:
    """The inputs as float scalars, and the tangent directions (one per input by default)."""
    check_int("explain", "precision", precision, least=1, most=17)
    if not args:
        raise fail("explain", "no point was given", "Pass the point, e.g. explain(f, 2.0, 5.0)")
    xs = []
    for i, a in enumerate(args):
        if is_tracer(a):
            raise fail(
                "explain",
                f"argument {i} is a jax tracer (explain called under jit, vmap or grad)",
                "Call explain outside transformations, on concrete floats",
            )
        if a is None or isinstance(a, str | bytes | bool | dict | list | tuple):
            raise fail(
                "explain",
                f"argument {i} is {type(a).__name__} {a!r}; pass a float scalar",
                "e.g. explain(f, 2.0)",
            )
        check_representable("explain", f"argument {i}", a)
        x = jnp.asarray(a)
        if not jnp.issubdtype(x.dtype, jnp.floating) or x.shape != ():
            example = float(x.ravel()[0].real) if x.size else 1.0
            raise fail(
                "explain",
                f"argument {i} is {x.dtype}{list(x.shape)}; pass a float scalar "
                f"(e.g. {example!r}) -- integers have no derivative",
            )
        xs.append(x)
    n = len(xs)
    if tangent is None:
        return xs, tuple(tuple(1.0 if j == k else 0.0 for j in range(n)) for k in range(n))
    if isinstance(tangent, int | float) or (hasattr(tangent, "shape") and tangent.shape == ()):
        tangent = (tangent,)
    if isinstance(tangent, str | bytes | dict) or not hasattr(tangent, "__len__"):
        raise fail(
            "explain",
            f"tangent must be a sequence of {n} floats, got {type(tangent).__name__}",
            "e.g. tangent=(1.0, 0.0)",
        )
    if len(tangent) != n:
        raise fail(
            "explain",
            f"tangent has {len(tangent)} entries for {n} inputs",
            f"Pass one direction entry per input ({n})",
        )
    for k, t in enumerate(tangent):
        check_finite_scalar("explain", f"tangent[{k}]", t)
    return xs, (tuple(float(t) for t in tangent),)


def _refusing_text(f: Callable) -> Callable:
    """``f``, refusing a text output before jax reports it as an invalid JAX type."""

    def run(*xs: Any) -> Any:
        out = f(*xs)
        if isinstance(out, str | bytes):
            raise fail(
                "explain",
                f"f must return one scalar (its traces are of a scalar function), got "
                f"{type(out).__name__} {out!r}",
                "Return a float, e.g. `return jnp.sin(x)`",
            )
        return out

    return run


def _steps_of(f: Callable, xs: list) -> tuple[list[_Atom], list, _Atom]:
    """Trace ``f`` to its jaxpr and flatten it into steps ``(name, rule, ins, value, params)``."""
    check_arity("explain", "f", f, len(xs), ", ".join(f"x{k + 1}" for k in range(len(xs))))
    try:
        closed, shape = jax.make_jaxpr(_refusing_text(f), return_shape=True)(*xs)
    except (jax.errors.ConcretizationTypeError, jax.errors.TracerBoolConversionError) as err:
        raise fail(
            "explain",
            "f branches on the value of its input (a Python `if` or `bool()` on a traced value)",
            "Write the branch with jnp.where(cond, a, b)",
        ) from err
    if not isinstance(shape, jax.ShapeDtypeStruct):
        kind = "None" if shape is None else type(shape).__name__
        raise fail(
            "explain",
            f"f must return one scalar (its traces are of a scalar function), got {kind}",
            "Return a single float, e.g. `return jnp.sum(...)`"
            + (" (did you forget `return`?)" if shape is None else ""),
        )
    if shape.shape != () or not jnp.issubdtype(shape.dtype, jnp.floating):
        raise fail(
            "explain",
            f"f must return one scalar (its traces are of a scalar function), "
            f"got {shape.dtype}{list(shape.shape)}",
            "Return a real float scalar, e.g. reduce with jnp.sum",
        )
    inputs = [(_v(k + 1 - len(xs)), x, None) for k, x in enumerate(xs)]
    steps: list = []
    out = _flatten(closed.jaxpr, _constants(closed), inputs, steps, [0])[0]
    return inputs, steps, out


def _primal_rows(inputs: list, steps: list, out: _Atom) -> list[Row]:
    rows = [
        Row(name, f"x{str(k + 1).translate(_SUB)}", float(x))
        for k, (name, x, _) in enumerate(inputs)
    ]
    rows += [
        Row(name, rule.primal([a for a, _, _ in ins], params), float(value))
        for name, rule, ins, value, params in steps
    ]
    rows.append(Row("y", out[0], float(out[1])))
    return rows


def _partials(steps: list) -> list[tuple[tuple, tuple]]:
    """Each step's local partial derivatives ∂v_i/∂v_j, as numbers and as text."""
    out = []
    for name, rule, ins, value, params in steps:
        parts = rule.partials([v for _, v, _ in ins], value, params)
        out.append((parts, rule.partial_text([a for a, _, _ in ins], name, params)))
    return out


def _tangent_trace(
    inputs: list, steps: list, partials: list, out: _Atom, directions: tuple
) -> tuple[list[Row], dict, tuple]:
    """Forward tangent trace: v̇_i = Σ_j ∂v_i/∂v_j v̇_j, one column per direction."""
    tangents = {
        name: tuple(jnp.asarray(d[k], x.dtype) for d in directions)
        for k, (name, x, _) in enumerate(inputs)
    }
    rows = [
        Row(_dot(name), f"ẋ{str(k + 1).translate(_SUB)}", tuple(float(t) for t in tangents[name]))
        for k, (name, _, _) in enumerate(inputs)
    ]
    for (name, rule, ins, value, _params), (parts, texts) in zip(steps, partials, strict=True):
        total = tuple(jnp.zeros((), value.dtype) for _ in directions)
        terms = []
        for (arg, _, _), p, txt in zip(ins, parts, texts, strict=True):
            if p is None or arg not in tangents:
                continue
            total = tuple(t + p * dt for t, dt in zip(total, tangents[arg], strict=True))
            terms.append(_scale(txt, _dot(arg)))
        if rule.jvp is not None:  # a custom rule: apply it to the tangents, as jax.jvp does
            total = tuple(
                rule.jvp(
                    [v for _, v, _ in ins],
                    [tangents[a][d] if a in tangents else 0.0 for a, _, _ in ins],
                )
                for d in range(len(directions))
            )
        tangents[name] = tuple(jnp.asarray(t, value.dtype) for t in total)
        expr = " + ".join(terms).replace("+ −", "− ") if terms else "0"
        rows.append(Row(_dot(name), expr, tuple(float(t) for t in tangents[name])))
    out_tangent = tuple(float(t) for t in tangents.get(out[0], (0.0,) * len(directions)))
    rows.append(Row("ẏ", _dot(out[0]) if out[0] in tangents else "0", out_tangent))
    return rows, tangents, out_tangent


def _adjoint_trace(
    inputs: list, steps: list, partials: list, out: _Atom, differentiable: dict
) -> tuple[list[Row], tuple]:
    """Reverse adjoint trace: v̄_j += v̄_i ∂v_i/∂v_j, from the last operation back."""
    adjoints: dict[str, Any] = {}
    rows = [Row("ȳ", "1", 1.0)]
    if out[0] in differentiable:
        adjoints[out[0]] = jnp.ones((), out[1].dtype)
        rows.append(Row(_bar(out[0]), "ȳ", 1.0))
    for (name, rule, ins, value, _params), (parts, texts) in zip(
        reversed(steps), reversed(partials), strict=True
    ):
        g = adjoints.get(name)
        if g is None:
            continue  # the output does not depend on this value
        # a custom rule: its vjp applied to v̄_i, as jax.grad does; else v̄_i times each partial
        pulled = (
            rule.vjp([v for _, v, _ in ins], g)
            if rule.vjp is not None
            else tuple(None if p is None else g * p for p in parts)
        )
        for (arg, _, _), txt, gp in zip(ins, texts, pulled, strict=True):
            if gp is None or arg not in differentiable:
                continue
            term = _scale(txt, _bar(name))
            if arg in adjoints:
                adjoints[arg] = adjoints[arg] + gp
                expr = f"{_bar(arg)} + {term}".replace("+ −", "− ")
            else:
                adjoints[arg] = jnp.asarray(gp, value.dtype)
                expr = term
            rows.append(Row(_bar(arg), expr, float(adjoints[arg])))
    gradient = []
    for k, (name, _, _) in enumerate(inputs):
        g = float(adjoints.get(name, 0.0))
        gradient.append(g)
        rows.append(
            Row(f"x̄{str(k + 1).translate(_SUB)}", _bar(name) if name in adjoints else "0", g)
        )
    return rows, tuple(gradient)


def explain(
    f: Callable[..., Any],
    *args: ArrayLike,
    tangent: Sequence[float] | None = None,
    precision: int = 5,
) -> Trace:
    """The forward primal, forward tangent and reverse adjoint traces of ``f`` at ``args``.

    Walks ``jax.make_jaxpr(f)(*args)``. For each operation :math:`v_i = \\varphi(v_j, \\dots)`
    the tangent trace applies

    .. math:: \\dot v_i = \\sum_j \\frac{\\partial \\varphi}{\\partial v_j} \\dot v_j

    and the adjoint trace, in reverse order,
    :math:`\\bar v_j \\mathrel{+}= \\bar v_i\\, \\partial \\varphi / \\partial v_j`. A custom_jvp
    or custom_vjp function (``jax.nn.relu``, ``jax.nn.softplus``, ``jnp.logaddexp``) is one
    row whose partials come from its own derivative rule, as jax uses it.

    Args:
        f: a JAX function of scalar arguments returning a scalar.
        *args: the point, one float scalar per argument.
        tangent: the input direction ``ẋ`` for the tangent trace; ``None`` (default)
            traces one column per input (``ẋ = e_1, e_2, …``: the partial derivatives).
        precision: significant digits shown (1 to 17).

    Returns:
        A :class:`Trace`: ``str(trace)`` is the three tables as text; in a notebook it
        shows as HTML tables; ``trace.value``, ``trace.jvp`` and ``trace.gradient``
        hold the results.

    Raises:
        InputError: (a ``TypeError`` and ``ValueError``) if ``f`` is not callable, an
            argument is not a float scalar (integers have no derivative), ``f`` returns
            something other than one float scalar (``None``, a tuple, an array), ``f``
            branches on a traced value, or ``tangent`` is not one finite float per input.
        ValueError: if an intermediate is not a scalar.
        NotImplementedError: for a primitive without a rule (control flow, array
            operations), naming it.

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
    xs, directions = _check_point(args, tangent, precision)
    inputs, steps, out = _steps_of(f, xs)
    partials = _partials(steps)
    tangent_rows, tangents, out_tangent = _tangent_trace(inputs, steps, partials, out, directions)
    adjoint_rows, gradient = _adjoint_trace(inputs, steps, partials, out, tangents)
    return Trace(
        tuple(_primal_rows(inputs, steps, out)),
        tuple(tangent_rows),
        tuple(adjoint_rows),
        directions,
        float(out[1]),
        out_tangent,
        gradient,
        precision,
    )
