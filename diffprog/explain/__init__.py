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

from collections.abc import Callable, Sequence
from typing import Any

import jax.numpy as jnp
from jax.typing import ArrayLike

from .._validate import check_finite_scalar, check_int, check_representable, fail, is_tracer
from ._jaxpr import steps_of
from ._sweeps import adjoint_trace, partials, primal_rows, tangent_trace
from ._trace import Row, Trace

__all__ = ["Row", "Trace", "explain"]


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
    inputs, steps, out = steps_of(f, xs)
    local = partials(steps)
    tangent_rows, tangents, out_tangent = tangent_trace(inputs, steps, local, out, directions)
    adjoint_rows, gradient = adjoint_trace(inputs, steps, local, out, tangents)
    return Trace(
        tuple(primal_rows(inputs, steps, out)),
        tuple(tangent_rows),
        tuple(adjoint_rows),
        directions,
        float(out[1]),
        out_tangent,
        gradient,
        precision,
    )
