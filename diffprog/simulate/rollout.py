"""Rollouts: iterate a step function through ``lax.scan``, optionally checkpointed.

The backward pass of a scan keeps every step's residuals: memory O(T) for T steps.
With ``checkpoint="sqrt"`` the T steps are split into about √T blocks of about √T
steps; only the state at the start of each block is kept, and a block's residuals
are recomputed while its gradient is taken (``jax.checkpoint`` on the inner scan).
Memory falls to about O(√T) for about one extra forward pass of work, and the
gradients are the same numbers (the same operations, run twice).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._typing import ArrayLike, PyTree
from .._validate import InputError

__all__ = ["SimulationError", "first_nonfinite", "rollout"]

Step = Callable[[PyTree, Any, Any], PyTree]
_TRACED = (
    jax.errors.ConcretizationTypeError,
    jax.errors.TracerArrayConversionError,
    jax.errors.TracerBoolConversionError,
    jax.errors.TracerIntegerConversionError,
)


class SimulationError(RuntimeError):
    """A simulation went wrong while running (e.g. a step produced NaN or inf).

    Attributes:
        step: the index (from 0) of the first step whose result was not finite, or None.
    """

    def __init__(self, message: str, step: int | None = None):
        super().__init__(message)
        self.step = step


def _concrete(x: Any) -> Any:
    """``x`` as a numpy value, or None when it is traced (inside jit, grad, vmap)."""
    try:
        return np.asarray(x)
    except _TRACED:
        return None


def _check_num_steps(num_steps: Any) -> int:
    if isinstance(num_steps, bool) or not isinstance(num_steps, int | np.integer):
        raise InputError(
            f"num_steps must be a Python int (it fixes the length of the scan), "
            f"got {type(num_steps).__name__}; mark it static under jit "
            "(static_argnums) if it is an argument"
        )
    if num_steps < 1:
        raise InputError(f"num_steps must be a positive int, got {num_steps}")
    return int(num_steps)


def _check_dt(dt: Any) -> None:
    if jnp.ndim(dt) != 0:
        raise InputError(f"dt must be a scalar step size, got shape {jnp.shape(dt)}")
    value = _concrete(dt)
    if value is not None and not (np.isfinite(value) and value > 0):  # also catches NaN
        raise InputError(
            f"dt must be positive and finite, got dt={value}; time runs forward in steps of dt > 0"
        )
    if value is not None and np.isfinite(value):
        from .._validate import check_representable

        check_representable("rollout", "dt", dt)


def _as_float(x: Any) -> jax.Array:
    x = jnp.asarray(x)
    return x if jnp.issubdtype(x.dtype, jnp.inexact) else x.astype(jnp.result_type(float))


def _check_step_output(step: Step, state0: PyTree, t0: Any, dt: Any) -> None:
    out = jax.eval_shape(step, state0, t0, dt)
    want = jax.tree_util.tree_structure(state0)
    got = jax.tree_util.tree_structure(out)
    if want != got:
        raise InputError(
            f"the step returned a state structured as {got}, but state0 is "
            f"{want}: a step must return a state shaped like its input"
        )
    for a, b in zip(jax.tree_util.tree_leaves(state0), jax.tree_util.tree_leaves(out), strict=True):
        if a.shape != b.shape:
            raise InputError(
                f"the step turned a state leaf of shape {a.shape} into shape {b.shape}: "
                "give state0 the shape the system expects"
            )
        if a.dtype != b.dtype:
            raise InputError(
                f"the step turned a {a.dtype} state leaf into {b.dtype}: give state0 "
                "(and the system's parameters) one float dtype"
            )


def _block_size(checkpoint: Any, num_steps: int) -> int | None:
    if checkpoint is None:
        return None
    if checkpoint == "sqrt":
        return math.isqrt(num_steps - 1) + 1  # ceil(sqrt(T))
    if isinstance(checkpoint, int) and not isinstance(checkpoint, bool) and checkpoint >= 1:
        return checkpoint
    raise InputError(
        f"checkpoint must be None, 'sqrt' or a positive block length, got {checkpoint!r}"
    )


def _all_finite(tree: PyTree) -> jax.Array:
    leaves = jax.tree_util.tree_leaves(tree)
    return jnp.all(jnp.stack([jnp.all(jnp.isfinite(x)) for x in leaves]))


def first_nonfinite(trajectory: PyTree) -> jax.Array:
    """Index of the first state in a trajectory holding a NaN or inf, or -1 if none.

    Works under ``jit`` (it returns an array, raises nothing).

    Args:
        trajectory: a pytree whose leaves have the time index as leading axis.

    Returns:
        An int32 scalar: the first index ``k`` with a non-finite entry, or ``-1``.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog.simulate import first_nonfinite
        >>> int(first_nonfinite(jnp.array([1.0, 2.0, jnp.nan, jnp.inf])))
        2
    """
    leaves = jax.tree_util.tree_leaves(trajectory)
    bad = jnp.stack([~jnp.all(jnp.isfinite(x.reshape(x.shape[0], -1)), axis=1) for x in leaves])
    bad = jnp.any(bad, axis=0)
    return jnp.where(jnp.any(bad), jnp.argmax(bad), -1).astype(jnp.int32)


def rollout(
    step: Step,
    state0: PyTree,
    num_steps: int,
    dt: ArrayLike,
    *,
    t0: ArrayLike = 0.0,
    trajectory: bool = True,
    checkpoint: None | str | int = None,
    checkpoint_policy: Callable | None = None,
    unroll: int | bool = 1,
    check_finite: bool = False,
) -> PyTree:
    r"""Iterate ``step`` ``num_steps`` times from ``state0``: a whole simulation, differentiable.

    .. math:: s_{k+1} = \mathrm{step}(s_k, t_0 + k\,\Delta t, \Delta t), \qquad k = 0, \dots, T-1

    The loop is a ``lax.scan``, so it compiles once, runs under ``jit``/``vmap``, and
    ``jax.grad`` differentiates through all ``T`` steps. The backward pass stores
    each step's residuals (memory O(T)); ``checkpoint="sqrt"`` stores only one state
    per block of about √T steps and recomputes inside a block (memory about O(√T),
    the same gradients, about one extra forward pass of time).

    Args:
        step: ``step(state, t, dt) -> next state``, e.g. ``make_step(f, "rk4")``.
        state0: the initial state (a pytree of float arrays; ints are cast to float).
        num_steps: the number of steps ``T`` (a positive Python int).
        dt: the step size (a positive scalar; may be traced, e.g. differentiated).
        t0: the initial time.
        trajectory: return all ``T + 1`` states (``True``, leading axis = time, index
            0 is ``state0``) or only the final one (``False``).
        checkpoint: ``None`` (store everything), ``"sqrt"`` (blocks of ⌈√T⌉ steps) or
            a block length.
        checkpoint_policy: passed to ``jax.checkpoint`` as ``policy`` (what a block
            may save instead of recomputing), e.g.
            ``jax.checkpoint_policies.dots_with_no_batch_dims_saveable``.
        unroll: steps per scan iteration (``lax.scan``'s ``unroll``): larger values
            give XLA more to fuse and fewer loop iterations.
        check_finite: debug mode: after the run, raise :class:`SimulationError`
            naming the first step that produced a NaN or inf. Needs concrete values
            (call it outside ``jit``/``grad``); under a transformation use
            :func:`first_nonfinite` on the trajectory instead.

    Returns:
        The trajectory (leaves of shape ``(T + 1, ...)``) or the final state.

    Raises:
        InputError: if ``num_steps`` is not an int.
        InputError: if ``num_steps`` or ``dt`` is not positive, ``dt`` is not a
            scalar, the step returns a state of another shape or dtype than
            ``state0``, ``checkpoint`` is not understood, or ``check_finite`` is
            asked for under a transformation.
        SimulationError: with ``check_finite=True``, if a step produced NaN or inf.

    Example:
        >>> from diffprog.simulate import make_step, rollout
        >>> step = make_step(lambda t, y: -y, "rk4")   # dy/dt = -y, y(0) = 1
        >>> round(float(rollout(step, 1.0, 10, 0.1, trajectory=False)), 5)  # exp(-1)
        0.36788

    References:
        Griewank & Walther, *Evaluating Derivatives*, 2nd ed., SIAM 2008, ch. 12
        (checkpointing); Chen et al., "Training deep nets with sublinear memory cost",
        arXiv:1604.06174 (2016).
    """
    num_steps = _check_num_steps(num_steps)
    _check_dt(dt)
    if not callable(step):
        raise InputError(f"step must be a function step(state, t, dt), got {type(step).__name__}")
    block = _block_size(checkpoint, num_steps)
    state0 = jax.tree_util.tree_map(_as_float, state0)
    _check_step_output(step, state0, t0, dt)

    def body(carry, k):
        state, bad = carry
        new = step(state, t0 + k * dt, dt)
        if check_finite:
            bad = jnp.where((bad < 0) & ~_all_finite(new), k, bad)
        return (new, bad), (new if trajectory else None)

    def scan(carry, ks):
        return jax.lax.scan(body, carry, ks, unroll=unroll)

    ks = jnp.arange(num_steps, dtype=jnp.int32)
    carry = (state0, jnp.asarray(-1, jnp.int32))
    if block is None or block >= num_steps:
        carry, ys = scan(carry, ks)
    else:
        n_outer = num_steps // block
        inner = jax.checkpoint(scan, policy=checkpoint_policy, prevent_cse=False)
        carry, ys = jax.lax.scan(inner, carry, ks[: n_outer * block].reshape(n_outer, block))
        if trajectory:
            ys = jax.tree_util.tree_map(lambda y: y.reshape((n_outer * block, *y.shape[2:])), ys)
        if n_outer * block < num_steps:  # the remainder (< block steps), stored plainly
            carry, ys_rest = scan(carry, ks[n_outer * block :])
            if trajectory:
                ys = jax.tree_util.tree_map(lambda a, b: jnp.concatenate([a, b]), ys, ys_rest)
    final, bad = carry
    if check_finite:
        _raise_if_nonfinite(bad, num_steps, t0, dt)
    if not trajectory:
        return final
    return jax.tree_util.tree_map(lambda s, y: jnp.concatenate([s[None], y]), state0, ys)


def _raise_if_nonfinite(bad: jax.Array, num_steps: int, t0: Any, dt: Any) -> None:
    k = _concrete(bad)
    if k is None:
        raise InputError(
            "check_finite=True needs concrete values, but rollout is being traced "
            "(jit, grad or vmap): call it outside the transformation, or take "
            "first_nonfinite(trajectory) inside it"
        )
    k = int(k)
    if k >= 0:
        t_a = float(_concrete(t0 + k * dt))
        t_b = float(_concrete(t0 + (k + 1) * dt))
        raise SimulationError(
            f"step {k} of {num_steps} (from t={t_a:.6g} to t={t_b:.6g}) produced a non-finite state "
            "(NaN or inf) from a finite one: reduce dt, or check the vector field near that state",
            step=k,
        )
