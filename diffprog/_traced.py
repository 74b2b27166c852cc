"""Compile what a call *does*, not the callable it was given: no stale closures, no recompiles.

diffprog keeps no cache keyed on a user's function (a ``jax.jit`` keyed on ``loss_fn`` would
freeze whatever ``loss_fn`` closes over: change ``a`` in ``lambda p: a * p**2`` and the old
``a`` would still be used). Instead, every call traces the user's code afresh with
``jax.make_jaxpr`` (sub-millisecond for a small loss) and runs the traced program through one
module-level ``jax.jit`` whose static argument is that program, compared by its *content* (its
operations, parameters, shapes and literal values: what ``str(jaxpr)`` prints). So:

* the function is seen as it is now: a changed closure changes the traced program (a changed
  Python scalar changes a literal in its text; a changed array is a constant passed in as an
  argument), so it is never answered from an old compilation;
* two calls that trace to the same program share one compilation (jax's own jit cache, on
  content, bounded by jax), so a second ``fit`` with the same loss and optimiser only traces;
* it works under the user's own ``jit``/``vmap``/``grad``: tracing and evaluating a jaxpr are
  ordinary jax operations, and constants closed over from an outer trace are passed as inputs.

What the text does not show is a Python callback's closure (``jax.pure_callback``) or a
``custom_jvp``/``custom_vjp`` rule's closure: those are named, not traced, in a jaxpr.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.extend
import numpy as np

__all__ = ["call_traced", "traced"]


def _param_key(value: Any) -> Any:
    if isinstance(value, jax.extend.core.ClosedJaxpr):
        consts = tuple((str(jax.typeof(c)), np.asarray(c).tobytes()) for c in value.consts)
        return ("closed", _fingerprint(value.jaxpr), consts)
    if isinstance(value, jax.extend.core.Jaxpr):
        return ("jaxpr", _fingerprint(value))
    if isinstance(value, tuple | list):
        return tuple(_param_key(v) for v in value)
    if callable(value) and not isinstance(value, type):  # a rule: named, as the printer does
        inner = getattr(value, "f", value)
        return (
            "fn",
            getattr(inner, "__module__", ""),
            getattr(inner, "__qualname__", repr(type(inner))),
        )
    return repr(value)


def _fingerprint(jaxpr: Any) -> tuple:
    """Everything a jaxpr computes, as nested tuples: operations, parameters, shapes, literals.

    Variables are numbered in order of appearance; literals keep their exact value and type.
    Equal fingerprints mean the same program (what ``str(jaxpr)`` shows, several times faster).
    """
    ids: dict[Any, int] = {}
    literal = jax.extend.core.Literal

    def var(v: Any) -> Any:
        if isinstance(v, literal):
            val = v.val
            if isinstance(val, int | float | complex):  # bool is an int; repr keeps NaN equal
                return ("lit", type(val).__name__, repr(val), v.aval)
            arr = np.asarray(val)
            return ("lit", arr.dtype.str, arr.shape, arr.tobytes(), v.aval)
        if v not in ids:
            ids[v] = len(ids)
        return ids[v]

    head = (
        tuple((var(v), v.aval) for v in jaxpr.constvars),
        tuple((var(v), v.aval) for v in jaxpr.invars),
    )
    body = tuple(
        (
            e.primitive.name,
            tuple(map(var, e.invars)),
            tuple((var(o), o.aval) for o in e.outvars),
            tuple((k, _param_key(val)) for k, val in sorted(e.params.items())),
        )
        for e in jaxpr.eqns
    )
    return head, body, tuple(map(var, jaxpr.outvars))


class _Program:
    """A traced jaxpr, hashable by its fingerprint (its operations, shapes and literals)."""

    __slots__ = ("jaxpr", "key", "_hash")

    def __init__(self, jaxpr: Any):
        self.jaxpr = jaxpr
        self.key = _fingerprint(jaxpr)
        self._hash = hash(self.key)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Program) and other.key == self.key


def _evaluate(program: _Program, consts: list, args: list) -> list:
    return jax.core.eval_jaxpr(program.jaxpr, consts, *args)


_run = jax.jit(_evaluate, static_argnums=0)


def call_traced(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``, compiled by content: traced now, compiled once per distinct program."""
    closed, out_shape = jax.make_jaxpr(fn, return_shape=True)(*args)
    flat = jax.tree_util.tree_leaves(args)
    out = _run(_Program(closed.jaxpr), list(closed.consts), flat)
    return jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(out_shape), out)


def traced(fn: Callable[..., Any], *args: Any) -> Callable[..., Any]:
    """Trace ``fn`` at ``args`` now; return a runner for arguments of the same structure.

    The runner evaluates the program traced here (compiled once per distinct program), so a
    loop over chunks traces the user's code once per call, not once per chunk.
    """
    closed, out_shape = jax.make_jaxpr(fn, return_shape=True)(*args)
    program, consts = _Program(closed.jaxpr), list(closed.consts)
    out_tree = jax.tree_util.tree_structure(out_shape)

    def run(*new_args: Any) -> Any:
        out = _run(program, consts, jax.tree_util.tree_leaves(new_args))
        return jax.tree_util.tree_unflatten(out_tree, out)

    return run
