"""From a jax function to explain's steps: its jaxpr flattened, each equation with its rule.

Calls to jit-ed functions are inlined; each other equation is one step ``(name, rule, inputs,
value, params)``, its rule from the table of primitive derivatives (looked up by the jax primitive
object) or, for a custom_jvp / custom_vjp call, from that function's own derivative rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jax.extend.core import ClosedJaxpr, DebugInfo, Jaxpr, Literal, jaxpr_as_fun

from .._derivative_table import BY_JAX, CUSTOM_TEXT, Entry, for_jax, render
from .._validate import check_arity, fail

__all__ = ["SUB", "steps_of", "var_name"]

SUB = str.maketrans("-0123456789", "₋₀₁₂₃₄₅₆₇₈₉")
_INLINE = {"pjit", "jit", "closed_call", "core_call"}
_CUSTOM = {"custom_jvp_call", "custom_vjp_call", "custom_vjp_call_jaxpr"}
_WHY_NOT = {
    "cond": "control flow",
    "while": "control flow",
    "scan": "control flow",
}


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


def var_name(k: int) -> str:
    return f"v{str(k).translate(SUB)}"


_Atom = tuple  # (name, value, index of the step that made it, or None for inputs/constants)


def _constants(closed: Any) -> list[_Atom]:
    return [
        (f"c{str(i).translate(SUB)}", jnp.asarray(c), None)
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

    def primal(a: list, p: dict) -> str:
        return f"{name}({', '.join(a)})" + ("" if name in CUSTOM_TEXT else f" [{kind}]")

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
        out_name = var_name(counter[0])
        steps.append((out_name, rule, ins, value, eqn.params))
        env[eqn.outvars[0]] = (out_name, value, len(steps) - 1)
    return [read(a) for a in jaxpr.outvars]


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


def steps_of(f: Callable, xs: list) -> tuple[list[_Atom], list, _Atom]:
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
    inputs = [(var_name(k + 1 - len(xs)), x, None) for k, x in enumerate(xs)]
    steps: list = []
    out = _flatten(closed.jaxpr, _constants(closed), inputs, steps, [0])[0]
    return inputs, steps, out
