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
import warnings
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

from .. import _validate as v
from .._typing import ArrayLike, PyTree
from ._state import as_float

__all__ = ["SimulationError", "SimulationWarning", "first_nonfinite", "rollout"]

Step = Callable[[PyTree, Any, Any], PyTree]


class SimulationError(RuntimeError):
    """A simulation's verdict is bad (e.g. a projectile never landed), raised on request.

    Raised by the ``raise_if_failed()`` of a simulation result (:class:`Landing`).

    Attributes:
        step: the index (from 0) of the step concerned, or None.
    """

    def __init__(self, message: str, step: int | None = None):
        super().__init__(message)
        self.step = step


class SimulationWarning(UserWarning):
    """A simulation's verdict is bad (a non-finite state, no landing), with concrete values."""


def _check_dt(dt: Any) -> None:
    if jnp.ndim(dt) != 0:
        raise v.fail(
            "rollout", f"dt must be a scalar step size, got shape {jnp.shape(dt)}", "Pass dt=0.01"
        )
    v.check_positive("rollout", "dt", dt, "Time runs forward in steps of dt > 0: pass e.g. dt=0.01")
    v.check_representable("rollout", "dt", dt)


def _check_step_output(step: Step, state0: PyTree, t0: Any, dt: Any) -> None:
    out = jax.eval_shape(step, state0, t0, dt)
    want = jax.tree_util.tree_structure(state0)
    got = jax.tree_util.tree_structure(out)
    if want != got:  # type: ignore[operator]
        raise v.fail(
            "rollout",
            f"the step returned a state structured as {got}, but state0 is {want}",
            "A step must return a state shaped like its input",
        )
    for a, b in zip(jax.tree_util.tree_leaves(state0), jax.tree_util.tree_leaves(out), strict=True):
        if a.shape != b.shape:
            raise v.fail(
                "rollout",
                f"the step turned a state leaf of shape {a.shape} into shape {b.shape}",
                "Give state0 the shape the system expects",
            )
        if a.dtype != b.dtype:
            raise v.fail(
                "rollout",
                f"the step turned a {a.dtype} state leaf into {b.dtype}",
                "Give state0 (and the system's parameters) one float dtype",
            )


def _block_size(checkpoint: Any, num_steps: int) -> int | None:
    if checkpoint is None:
        return None
    if checkpoint == "sqrt":
        return math.isqrt(num_steps - 1) + 1  # ceil(sqrt(T))
    if isinstance(checkpoint, int) and not isinstance(checkpoint, bool) and checkpoint >= 1:
        return checkpoint
    raise v.fail(
        "rollout",
        f"checkpoint must be None, 'sqrt' or a positive block length, got {v.show(checkpoint)}",
        'Pass checkpoint="sqrt" or an int block length such as checkpoint=10',
    )


def first_nonfinite(trajectory: PyTree) -> Int[Array, ""]:
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
    dt: Float[ArrayLike, ""],
    *,
    t0: Float[ArrayLike, ""] = 0.0,
    trajectory: bool = True,
    checkpoint: None | str | int = None,
    checkpoint_policy: Callable | None = None,
    unroll: int | bool = 1,
) -> PyTree:
    r"""Iterate ``step`` ``num_steps`` times from ``state0``: a whole simulation, differentiable.

    .. math:: s_{k+1} = \mathrm{step}(s_k, t_0 + k\,\Delta t, \Delta t), \qquad k = 0, \dots, T-1

    The loop is a ``lax.scan``, so it compiles once, runs under ``jit``/``vmap``, and
    ``jax.grad`` differentiates through all ``T`` steps. The backward pass stores
    each step's residuals (memory O(T)); ``checkpoint="sqrt"`` stores only one state
    per block of about √T steps and recomputes inside a block (memory about O(√T),
    the same gradients, about one extra forward pass of time).

    Failure: a state that becomes NaN or inf is never passed off as a result silently. The
    verdict is :func:`first_nonfinite` of the trajectory (works under ``jit``); with concrete
    values (outside ``jit``/``grad``) a non-finite state also warns
    (:class:`SimulationWarning`), naming the first bad step and its times.

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

    Returns:
        The trajectory (leaves of shape ``(T + 1, ...)``) or the final state.

    Raises:
        InputError: if ``num_steps`` is not a positive int, ``dt`` is not a positive
            finite scalar, ``step`` is not a function of ``(state, t, dt)`` or returns a
            state of another shape or dtype than ``state0``, or ``checkpoint`` is not
            understood.

    Warns:
        SimulationWarning: a state holds NaN or inf (concrete values only).

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
    num_steps = v.check_int("rollout", "num_steps", num_steps, 1, example=100)
    _check_dt(dt)
    v.check_arity("rollout", "step", step, 3, "state, t, dt")
    block = _block_size(checkpoint, num_steps)
    state0 = jax.tree_util.tree_map(as_float, state0)
    _check_step_output(step, state0, t0, dt)
    final, ys = _scan_steps(
        step, state0, num_steps, dt, t0, trajectory, block, checkpoint_policy, unroll
    )
    if not trajectory:
        _warn_if_nonfinite(final, None, num_steps, t0, dt)
        return final
    traj = jax.tree_util.tree_map(lambda s, y: jnp.concatenate([s[None], y]), state0, ys)
    _warn_if_nonfinite(None, traj, num_steps, t0, dt)
    return traj


def _scan_steps(
    step: Step,
    state0: PyTree,
    num_steps: int,
    dt: Any,
    t0: Any,
    trajectory: bool,
    block: int | None,
    policy: Callable | None,
    unroll: int | bool,
) -> tuple[PyTree, PyTree]:
    """The scan (checkpointed in blocks of ``block`` steps): the final state and the steps."""

    def body(state, k):
        new = step(state, t0 + k * dt, dt)
        return new, (new if trajectory else None)

    def scan(carry, ks):
        return jax.lax.scan(body, carry, ks, unroll=unroll)

    ks = jnp.arange(num_steps, dtype=jnp.int32)
    if block is None or block >= num_steps:
        return scan(state0, ks)
    n_outer = num_steps // block
    inner = jax.checkpoint(scan, policy=policy, prevent_cse=False)
    final, ys = jax.lax.scan(inner, state0, ks[: n_outer * block].reshape(n_outer, block))
    if trajectory:
        ys = jax.tree_util.tree_map(lambda y: y.reshape((n_outer * block, *y.shape[2:])), ys)
    if n_outer * block < num_steps:  # the remainder (< block steps), stored plainly
        final, ys_rest = scan(final, ks[n_outer * block :])
        if trajectory:
            ys = jax.tree_util.tree_map(lambda a, b: jnp.concatenate([a, b]), ys, ys_rest)
    return final, ys


def _warn_if_nonfinite(final: PyTree, traj: PyTree, num_steps: int, t0: Any, dt: Any) -> None:
    """The soft signal: with concrete values, a non-finite state warns, naming the step."""
    tree = final if traj is None else traj
    if v.is_tracer((tree, t0, dt)):
        return
    if traj is None:
        leaves = jax.tree_util.tree_leaves(final)
        if all(bool(jnp.all(jnp.isfinite(x))) for x in leaves):
            return
        message = (
            f"the final state after {num_steps} steps holds NaN or inf: roll out with "
            "trajectory=True and read first_nonfinite(trajectory) for the first bad step"
        )
    else:
        k = int(first_nonfinite(traj))
        if k < 0:
            return
        if k == 0:
            message = "state0 holds NaN or inf: every later state inherits it"
        else:
            t_a, t_b = float(t0 + (k - 1) * dt), float(t0 + k * dt)
            message = (
                f"step {k - 1} of {num_steps} (from t={t_a:.6g} to t={t_b:.6g}) produced a "
                "non-finite state (NaN or inf) from a finite one (trajectory index "
                f"{k}): reduce dt, or check the vector field near that state"
            )
    warnings.warn(f"rollout: {message}", SimulationWarning, stacklevel=3)
