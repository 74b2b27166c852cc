"""explain's three sweeps over the steps: the primal rows, the tangent trace, the adjoint trace."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from ._jaxpr import SUB, _Atom
from ._trace import Row

__all__ = ["adjoint_trace", "partials", "primal_rows", "tangent_trace"]


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


def primal_rows(inputs: list, steps: list, out: _Atom) -> list[Row]:
    rows = [
        Row(name, f"x{str(k + 1).translate(SUB)}", float(x))
        for k, (name, x, _) in enumerate(inputs)
    ]
    rows += [
        Row(name, rule.primal([a for a, _, _ in ins], params), float(value))
        for name, rule, ins, value, params in steps
    ]
    rows.append(Row("y", out[0], float(out[1])))
    return rows


def partials(steps: list) -> list[tuple[tuple, tuple]]:
    """Each step's local partial derivatives ∂v_i/∂v_j, as numbers and as text."""
    out = []
    for name, rule, ins, value, params in steps:
        parts = rule.partials([v for _, v, _ in ins], value, params)
        out.append((parts, rule.partial_text([a for a, _, _ in ins], name, params)))
    return out


def tangent_trace(
    inputs: list, steps: list, partials: list, out: _Atom, directions: tuple
) -> tuple[list[Row], dict, tuple]:
    """Forward tangent trace: v̇_i = Σ_j ∂v_i/∂v_j v̇_j, one column per direction."""
    tangents = {
        name: tuple(jnp.asarray(d[k], x.dtype) for d in directions)
        for k, (name, x, _) in enumerate(inputs)
    }
    rows = [
        Row(_dot(name), f"ẋ{str(k + 1).translate(SUB)}", tuple(float(t) for t in tangents[name]))
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


def adjoint_trace(
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
            Row(f"x̄{str(k + 1).translate(SUB)}", _bar(name) if name in adjoints else "0", g)
        )
    return rows, tuple(gradient)
