"""Fitting parameters by following the gradient: gradient descent from scratch, any optax
optimiser, and the closed-form least-squares solution to check them against.

Both loops are pure (params in, params out), compiled (``jax.lax.scan``) and return an
:class:`OptResult` with the loss at every step. A run whose loss becomes inf or NaN is
never handed back as if it had converged: it raises :class:`DivergenceError`, which
names the first bad step and carries the history up to the end of the run (so it can
still be plotted).
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from ._progress import progress

__all__ = ["DivergenceError", "OptResult", "fit", "gradient_descent", "least_squares"]

PyTree = Any


class OptResult(NamedTuple):
    """What an optimisation run returns.

    Attributes:
        params: the final parameters (same pytree structure as the initial ones).
        losses: shape ``(num_steps + 1,)``; ``losses[k]`` is the loss after ``k`` steps
            (``losses[0]`` at the initial params, ``losses[-1]`` at the final ones).
        path: the params after each step, every leaf with a leading axis of
            ``num_steps + 1`` (``path`` at index 0 is the start), or None unless asked.
        opt_state: the optimiser's final state (``fit`` only; None for ``gradient_descent``),
            to continue a run where it stopped.
    """

    params: PyTree
    losses: jax.Array
    path: PyTree | None = None
    opt_state: PyTree | None = None


class DivergenceError(FloatingPointError):
    """The loss became inf or NaN: the run diverged (typically: lower the learning rate).

    Attributes:
        step: the first step whose loss is not finite (``losses[step]``).
        result: the :class:`OptResult` of the run so far, history included.
    """

    def __init__(self, message: str, step: int, result: OptResult):
        super().__init__(message)
        self.step = step
        self.result = result


def _check_lr(lr: Any) -> None:
    if isinstance(lr, jax.core.Tracer):
        return  # traced under an outer jit: the value is not known here
    try:
        value = float(lr)
    except (TypeError, ValueError):
        raise TypeError(f"lr must be a positive number (the step size), got {lr!r}.") from None
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f"lr must be a positive, finite number (the step size), got {lr!r}; "
                         "try a small value such as 0.01.")


def _check_num_steps(num_steps: Any) -> int:
    if isinstance(num_steps, bool):
        raise TypeError("num_steps must be an int >= 0, got a bool.")
    try:
        num_steps = operator.index(num_steps)
    except TypeError:
        raise TypeError(f"num_steps must be an int >= 0, got {num_steps!r}.") from None
    if num_steps < 0:
        raise ValueError(f"num_steps must be >= 0 (the number of updates), got {num_steps}.")
    return num_steps


def _check_finite(losses: jax.Array, result: OptResult, offset: int = 0) -> None:
    if isinstance(losses, jax.core.Tracer):
        return  # under an outer jit the caller must check
    bad = np.flatnonzero(~np.isfinite(np.asarray(losses)))
    if bad.size:
        step = offset + int(bad[0])
        raise DivergenceError(
            f"the loss became {float(np.asarray(losses)[bad[0]])} at step {step}: the run diverged. "
            "Lower the learning rate (or rescale the data); the history is in err.result.",
            step, result)


def _with_final(history: PyTree, final: PyTree) -> PyTree:
    return jax.tree_util.tree_map(lambda h, f: jnp.concatenate([h, f[None]]), history, final)


@functools.partial(jax.jit, static_argnames=("loss_fn", "num_steps", "keep_params"))
def _gd(loss_fn, params, lr, num_steps, keep_params):
    value_and_grad = jax.value_and_grad(loss_fn)

    def step(p, _):
        loss, grads = value_and_grad(p)
        new = jax.tree_util.tree_map(lambda a, g: a - lr * g, p, grads)
        return new, (loss, p if keep_params else None)

    final, (losses, path) = jax.lax.scan(step, params, None, length=num_steps)
    losses = jnp.concatenate([losses, jnp.reshape(loss_fn(final), (1,)).astype(losses.dtype)])
    return final, losses, _with_final(path, final) if keep_params else None


def gradient_descent(loss_fn: Callable[[PyTree], jax.Array], params: PyTree, lr: float,
                     num_steps: int, *, keep_params: bool = False) -> OptResult:
    """Plain gradient descent, written from scratch: ``params <- params - lr * grad(loss)(params)``.

    Each step moves every parameter against its partial derivative, scaled by the
    learning rate :math:`\\eta`: :math:`\\theta_{k+1} = \\theta_k - \\eta \\nabla C(\\theta_k)`.
    The whole loop is one compiled ``jax.lax.scan``; compilations are cached per
    ``loss_fn`` and ``num_steps`` (``lr`` and ``params`` are traced values).

    Args:
        loss_fn: ``params -> scalar`` (close over the data).
        params: the starting point, any pytree of float arrays.
        lr: the learning rate, a positive finite number.
        num_steps: how many updates (>= 0).
        keep_params: also return the params after every step in ``path``.

    Returns:
        :class:`OptResult` with the final params and the ``num_steps + 1`` losses.

    Raises:
        ValueError, TypeError: ``lr <= 0``, NaN or inf; ``num_steps`` negative or not an int.
        DivergenceError: the loss became inf or NaN (``err.step``, ``err.result``).

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog.optimize import gradient_descent
        >>> res = gradient_descent(lambda p: (p["w"] - 3.0) ** 2, {"w": 0.0}, lr=0.1, num_steps=100)
        >>> round(float(res.params["w"]), 4), res.losses.shape
        (3.0, (101,))
    """
    _check_lr(lr)
    num_steps = _check_num_steps(num_steps)
    params = jax.tree_util.tree_map(jnp.asarray, params)
    final, losses, path = _gd(loss_fn, params, lr, num_steps, bool(keep_params))
    result = OptResult(final, losses, path)
    _check_finite(losses, result)
    return result


def fit(loss_fn: Callable[[PyTree], jax.Array], params: PyTree, optimizer: Any, num_steps: int, *,
        keep_params: bool = False, chunk_size: int | None = None,
        show_progress: bool | None = None) -> OptResult:
    """Minimise ``loss_fn`` with any optax optimiser, in compiled chunks, with a progress bar.

    The steps run in jitted ``lax.scan`` chunks of ``chunk_size`` steps; between chunks
    the bar advances and the losses are checked, so a diverging run stops at the end of
    the chunk where it diverged. All chunks have one length, so one compilation serves
    them all (the last chunk's surplus steps are computed as no-ops and dropped). The bar shows only when someone watches (never in tests
    or CI; see ``diffprog._progress``).

    Args:
        loss_fn: ``params -> scalar``.
        params: the starting point (pytree).
        optimizer: an ``optax.GradientTransformation`` (anything with ``init`` and ``update``).
        num_steps: how many updates (>= 0).
        keep_params: also return the params after every step in ``path``.
        chunk_size: steps per compiled chunk (default: about 50 chunks, at least 100 steps each).
        show_progress: force the bar on or off (default: on when someone watches).

    Returns:
        :class:`OptResult` (``opt_state`` holds the optimiser's final state).

    Raises:
        TypeError: ``optimizer`` is not an optax-style transformation.
        ValueError: ``num_steps < 0`` or ``chunk_size < 1``.
        DivergenceError: the loss became inf or NaN.

    Example:
        >>> import optax
        >>> from diffprog.optimize import fit
        >>> res = fit(lambda p: (p["w"] - 3.0) ** 2, {"w": 0.0}, optax.adam(0.1), 300)
        >>> round(float(res.params["w"]), 2)
        3.0
    """
    if not (hasattr(optimizer, "init") and hasattr(optimizer, "update")):
        raise TypeError(f"optimizer must be an optax GradientTransformation (e.g. optax.adam(1e-2)), "
                        f"got {type(optimizer).__name__}.")
    num_steps = _check_num_steps(num_steps)
    if chunk_size is None:
        chunk_size = max(100, -(-num_steps // 50))
    if operator.index(chunk_size) < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}.")
    chunk_size = min(chunk_size, max(num_steps, 1))
    params = jax.tree_util.tree_map(jnp.asarray, params)
    opt_state = optimizer.init(params)
    value_and_grad = jax.value_and_grad(loss_fn)

    @jax.jit
    def chunk(p, state, steps_left):
        # Every chunk has the same length (one compilation); in the last one, steps past
        # ``steps_left`` leave the params and state unchanged and are trimmed off below.
        def step(carry, i):
            p, state = carry
            loss, grads = value_and_grad(p)
            updates, new_state = optimizer.update(grads, state, p)
            new = jax.tree_util.tree_map(lambda a, u: (a + u).astype(a.dtype), p, updates)
            keep = i < steps_left
            new, new_state = jax.tree_util.tree_map(lambda a, b: jnp.where(keep, a, b),
                                                    (new, new_state), (p, state))
            return (new, new_state), (loss, p if keep_params else None)

        return jax.lax.scan(step, (p, state), jnp.arange(chunk_size))

    losses, path = [], []
    starts = range(0, num_steps, chunk_size)
    for start in progress(starts, total=len(starts), desc="fit", enabled=show_progress):
        length = min(chunk_size, num_steps - start)
        (params, opt_state), (chunk_losses, chunk_path) = chunk(params, opt_state, length)
        chunk_losses = chunk_losses[:length]
        losses.append(chunk_losses)
        path.append(jax.tree_util.tree_map(lambda a, n=length: a[:n], chunk_path))
        if not np.all(np.isfinite(np.asarray(chunk_losses))):
            break
    final_loss = jnp.reshape(loss_fn(params), (1,))
    losses.append(final_loss.astype(losses[0].dtype) if losses else final_loss)
    all_losses = jnp.concatenate(losses)
    full_path = None
    if keep_params:
        stacked = [jax.tree_util.tree_map(lambda a: a[None], params)]
        full_path = jax.tree_util.tree_map(lambda *a: jnp.concatenate(a), *path, *stacked)
    result = OptResult(params, all_losses, full_path, opt_state)
    _check_finite(all_losses, result)
    return result


def least_squares(x: ArrayLike, y: ArrayLike) -> dict:
    """The closed-form minimiser of the MSE of a linear model (ordinary least squares).

    For :math:`\\hat y = m x + b`, setting both partial derivatives of
    :math:`C = \\frac1n\\sum_i (m x_i + b - y_i)^2` to zero gives
    :math:`\\partial C/\\partial b = 0 \\Rightarrow b = \\bar y - m \\bar x` and
    :math:`\\partial C/\\partial m = 0 \\Rightarrow
    m = \\sum_i (x_i - \\bar x)(y_i - \\bar y) / \\sum_i (x_i - \\bar x)^2` (centred sums,
    better rounded in float32). For features ``x`` of shape ``(n, d)`` the normal
    equations are solved by ``jnp.linalg.lstsq`` on ``[x, 1]`` (an SVD).

    Args:
        x: inputs, shape ``(n,)`` (scalar model) or ``(n, d)`` (vector model).
        y: targets, shape ``(n,)`` or ``(n, k)``.

    Returns:
        ``{"m", "b"}`` for 1-D ``x``, else ``{"W", "b"}`` for ``diffprog.models.linear``.

    Raises:
        ValueError: mismatched lengths, fewer than 2 points, or all ``x`` equal.

    Example:
        >>> from diffprog.optimize import least_squares
        >>> p = least_squares([0.0, 1.0, 2.0], [1.0, 3.0, 5.0])
        >>> round(float(p["m"]), 4), round(float(p["b"]), 4)
        (2.0, 1.0)
    """
    x, y = jnp.asarray(x, jnp.result_type(float)), jnp.asarray(y, jnp.result_type(float))
    if x.ndim == 0 or y.ndim == 0 or x.shape[0] != y.shape[0]:
        raise ValueError(f"least_squares: x (shape {x.shape}) and y (shape {y.shape}) must have the "
                         "same number of points along axis 0.")
    if x.shape[0] < 2:
        raise ValueError("least_squares: need at least 2 points to fit a line.")
    if x.ndim == 1:
        if y.ndim != 1:
            raise ValueError(f"least_squares: with 1-D x, y must be 1-D too, got shape {y.shape}.")
        dx, dy = x - jnp.mean(x), y - jnp.mean(y)
        sxx = jnp.sum(dx * dx)
        if float(sxx) == 0.0:
            raise ValueError("least_squares: all x are equal, so the slope is undefined; "
                             "the data need at least two distinct x.")
        m = jnp.sum(dx * dy) / sxx
        return {"m": m, "b": jnp.mean(y) - m * jnp.mean(x)}
    design = jnp.concatenate([x, jnp.ones((x.shape[0], 1), x.dtype)], axis=1)
    coef = jnp.linalg.lstsq(design, y)[0]
    return {"W": coef[:-1].T, "b": coef[-1]}
