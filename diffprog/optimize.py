"""Fitting parameters by following the gradient: gradient descent from scratch, any optax
optimiser, and the closed-form least-squares solution to check them against.

Both :func:`gradient_descent` and :func:`fit` run one loop (``_run_loop``): the steps are a
``jax.lax.scan``, compiled, and return an :class:`OptResult` with the loss at every step.

**Compilation, and what a changed closure does.** No cache here is keyed on your ``loss_fn``
or optimiser (that would freeze what they close over). Each call traces them afresh
(``jax.make_jaxpr``: about a millisecond for a small model) and runs the traced program through
a ``jax.jit`` keyed on the program's *content* (``diffprog._traced``). A second call whose loss
and optimiser trace to the same program reuses the compilation, so it costs its steps plus the
trace; a loss whose closure changed (``a = 5.0`` in ``lambda p: a * p**2``) traces to a
different program, or passes the new array as an input, and is seen as it is now.

**Divergence.** A run whose loss becomes inf or NaN is never handed back as if it had
converged. The verdict is a field of the result: ``result.diverged_at`` (-1 when every loss is
finite; the way to read it under your own ``jax.jit`` or ``jax.vmap``) and ``result.ok``. With
concrete values a diverged run also warns (:class:`DivergenceWarning`), and
``result.raise_if_failed()`` raises :class:`DivergenceError`, whose message names the first bad
step and tells a NaN at step 0 (the model or data, not the learning rate) from a loss that grew
until it overflowed (the learning rate), with the history attached.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from . import _validate as v
from ._progress import progress, watching
from ._result import result
from ._traced import traced
from ._typing import PyTree
from .precision import default_float

__all__ = [
    "DivergenceError",
    "DivergenceWarning",
    "LeastSquares",
    "OptResult",
    "fit",
    "gradient_descent",
    "least_squares",
]


class DivergenceWarning(UserWarning):
    """A run's loss became inf or NaN: ``result.ok`` is False (issued with concrete values)."""


@result(static=("func",))
class OptResult:
    """What an optimisation run returns.

    Attributes:
        params: the final parameters (same pytree structure as the initial ones).
        losses: shape ``(num_steps + 1,)``; ``losses[k]`` is the loss after ``k`` steps
            (``losses[0]`` at the initial params, ``losses[-1]`` at the final ones). With
            minibatches, ``losses[k]`` is step ``k``'s minibatch loss and ``losses[-1]`` the
            loss on all the data at the final params.
        diverged_at: the verdict: the first step whose loss is inf or NaN, or -1 if none (an
            int32 array, readable under ``jax.jit``/``jax.vmap``).
        path: the params after each step, every leaf with a leading axis of
            ``num_steps + 1`` (``path`` at index 0 is the start), or None unless asked.
        opt_state: the optimiser's final state (``fit`` only; None for ``gradient_descent``):
            pass it back as ``fit(..., opt_state=result.opt_state)`` to continue the run.
        aux: with ``has_aux=True``, the auxiliary output of every loss evaluation, each leaf
            with a leading axis like ``losses``; else None.
        func: the function that made the run (``"fit"`` or ``"gradient_descent"``), for messages.
    """

    params: PyTree
    losses: jax.Array
    diverged_at: jax.Array
    path: PyTree | None = None
    opt_state: PyTree | None = None
    aux: PyTree | None = None
    func: str = dataclasses.field(default="fit", repr=False)

    @property
    def ok(self) -> jax.Array:
        """Whether every loss is finite (a bool array: ``bool(result.ok)`` outside jit)."""
        return jnp.asarray(self.diverged_at) < 0

    def raise_if_failed(self) -> OptResult:
        """Raise :class:`DivergenceError` if the run diverged; else return the result.

        Raises:
            DivergenceError: a loss is inf or NaN (``err.step``, ``err.result``).
            InputError: called on traced values (inside ``jax.jit``): read ``diverged_at``.
        """
        if v.is_tracer(self.diverged_at):
            raise v.fail(
                f"{self.func} result.raise_if_failed",
                "needs concrete values, but the result is traced (inside jit or vmap)",
                "Read result.diverged_at (-1 when the run stayed finite) instead",
            )
        step = int(self.diverged_at)
        if step >= 0:
            message = _divergence_message(self.func, np.asarray(self.losses), step)
            raise DivergenceError(message, step, self)
        return self


class DivergenceError(FloatingPointError):
    """The loss became inf or NaN. The message says which kind of failure it looks like.

    Raised by :meth:`OptResult.raise_if_failed`.

    Attributes:
        step: the first step whose loss is not finite (``losses[step]``).
        result: the :class:`OptResult` of the run so far, history included.
    """

    def __init__(self, message: str, step: int, result: OptResult):
        super().__init__(message)
        self.step = step
        self.result = result


def _divergence_message(func: str, losses: np.ndarray, step: int) -> str:
    bad = float(losses[step])
    if step == 0:
        return (
            f"{func}: the loss is {bad} at the starting params (step 0), before any update: "
            "the model or the data give a non-finite loss, so lowering the learning rate "
            "will not help. Check the data for NaN/inf and the model at the initial params "
            "(log or sqrt of a negative, division by 0); the history is in result.losses"
        )
    first, last = float(losses[0]), float(losses[step - 1])
    if last > first or step == 1:
        return (
            f"{func}: the run diverged: the loss grew from {first:.4g} (step 0) to {last:.4g} "
            f"(step {step - 1}) and became {bad} at step {step}. The learning rate is too "
            "large for this problem: lower it (e.g. by 10x) or rescale the data; the history "
            "is in result.losses"
        )
    return (
        f"{func}: the loss fell from {first:.4g} to {last:.4g}, then became {bad} at step "
        f"{step}: an update made the params non-finite or left the model's domain (a NaN "
        "gradient, e.g. sqrt or log at 0, or too large a step). Inspect "
        "result.path (keep_params=True) near that step; a smaller learning rate may help"
    )


def _loss_value(func: str, out: Any, has_aux: bool) -> tuple[jax.Array, Any]:
    """The scalar loss (and aux) from what ``loss_fn`` returned, or a clear error."""
    if has_aux:
        if not isinstance(out, tuple | list) or len(out) != 2:
            raise v.fail(
                func,
                f"with has_aux=True, loss_fn must return (loss, aux), got {type(out).__name__}",
                "Return a pair, or pass has_aux=False",
            )
        value, aux = out
    else:
        if isinstance(out, tuple | list):
            raise v.fail(
                func,
                f"loss_fn returned a {type(out).__name__} of {len(out)}, not a scalar",
                "Return the loss alone, or pass has_aux=True if it returns (loss, aux)",
            )
        value, aux = out, None
    v.check_output(func, "loss_fn", value, scalar=True)
    if not jnp.issubdtype(jnp.result_type(value), jnp.floating):
        raise v.fail(
            func,
            f"loss_fn must return a floating scalar, got dtype {jnp.result_type(value)}",
            "Compute it in floats (e.g. jnp.mean(...))",
        )
    return value, aux


def _check_optimizer(func: str, optimizer: Any) -> None:
    if not (
        callable(getattr(optimizer, "init", None)) and callable(getattr(optimizer, "update", None))
    ):
        raise v.fail(
            func,
            f"optimizer must be an optax GradientTransformation (with init and "
            f"update), got {type(optimizer).__name__} {v.show(optimizer)}",
            "Pass e.g. optax.adam(1e-2); for plain gradient descent with a learning "
            "rate use diffprog.gradient_descent",
        )


def _check_params(func: str, params: PyTree) -> PyTree:
    for leaf in jax.tree_util.tree_leaves(params):
        v.check_representable(func, "params", leaf)
    params = v.check_real_floating(func, "params", params)
    return jax.tree_util.tree_map(jnp.asarray, params)


def _check_data(func: str, data: PyTree, batch_size: Any, key: Any) -> tuple[int, int | None]:
    leaves = jax.tree_util.tree_leaves(data)
    if not leaves:
        raise v.fail(
            func,
            f"data has no arrays (got {v.show(data)})",
            "Pass an array or a pytree of arrays, e.g. data=(x, y)",
        )
    shapes = [jnp.shape(leaf) for leaf in leaves]
    if any(len(s) == 0 for s in shapes) or len({s[0] for s in shapes}) != 1 or shapes[0][0] == 0:
        raise v.fail(
            func,
            f"every array in data must share a non-empty leading (example) axis, "
            f"got shapes {shapes}",
            "Stack the examples along axis 0",
        )
    for leaf in leaves:
        v.check_representable(func, "data", leaf)
    n = shapes[0][0]
    if batch_size is None:
        if key is not None:
            raise v.fail(
                func,
                "key was given without batch_size",
                "Pass batch_size=... to sample minibatches, or drop key",
            )
        return n, None
    batch_size = v.check_int(func, "batch_size", batch_size, 1, n)
    if key is None:
        raise v.fail(
            func, "minibatches (batch_size=...) need a PRNG key", "Pass key=jax.random.key(0)"
        )
    dtype = getattr(key, "dtype", None)
    typed = dtype is not None and jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key)
    raw = dtype == jnp.uint32 and jnp.shape(key) == (2,)
    if not (typed or raw):
        raise v.fail(
            func, f"key must be a jax PRNG key, got {v.show(key)}", "Pass key=jax.random.key(0)"
        )
    return n, batch_size


class _PlainGD(NamedTuple):
    """Gradient descent as an optimiser: the state is the learning rate (a traced value)."""

    lr: Any

    def init(self, params: PyTree) -> jax.Array:
        dtypes = [jnp.result_type(leaf) for leaf in jax.tree_util.tree_leaves(params)]
        return jnp.asarray(self.lr, jnp.result_type(*dtypes, default_float()))

    def update(self, grads: PyTree, lr: jax.Array, params: PyTree = None):
        return jax.tree_util.tree_map(lambda g: -(lr * g).astype(g.dtype), grads), lr


def _extra_args(optimizer: Any) -> bool:
    """Whether ``optimizer.update`` takes optax's extra arguments (value, grad, value_fn)."""
    try:
        import optax
    except ImportError:
        return False
    return isinstance(optimizer, optax.GradientTransformationExtraArgs)


def _make_chunk(func, loss_fn, optimizer, *, has_aux, batch_size, chunk_size, keep_params):
    """The pure chunk ``(params, state, data, key, start, steps_left) -> ...`` (one scan)."""
    extra = _extra_args(optimizer)

    def objective(params, batch):
        out = loss_fn(params) if batch is None else loss_fn(params, batch)
        return _loss_value(func, out, has_aux)

    def value_and_grad(params, state, batch):
        if extra and not has_aux and batch_size is None:
            import optax  # L-BFGS / line searches store the value and gradient they computed

            try:
                from_state = optax.value_and_grad_from_state(lambda p: objective(p, batch)[0])
                loss, grads = from_state(params, state=state)
                return (loss, None), grads
            except (ValueError, KeyError):
                pass
        return jax.value_and_grad(objective, has_aux=True)(params, batch)

    def step(params, state, data, key, i):
        batch = data
        if batch_size is not None:
            n = jax.tree_util.tree_leaves(data)[0].shape[0]
            idx = jax.random.choice(jax.random.fold_in(key, i), n, (batch_size,), replace=False)
            batch = jax.tree_util.tree_map(lambda a: a[idx], data)
        (loss, aux), grads = value_and_grad(params, state, batch)
        if extra:
            updates, new_state = optimizer.update(
                grads,
                state,
                params,
                value=loss,
                grad=grads,
                value_fn=lambda p: objective(p, batch)[0],
            )
        else:
            updates, new_state = optimizer.update(grads, state, params)
        new = jax.tree_util.tree_map(lambda a, u: (a + u).astype(a.dtype), params, updates)
        return new, new_state, loss, aux

    def chunk(params, state, data, key, start, steps_left):
        # Every chunk has one length (one program); in the last one, steps past ``steps_left``
        # leave the params and state unchanged and are trimmed off by the caller.
        def body(carry, j):
            p, s = carry
            new, new_s, loss, aux = step(p, s, data, key, start + j)
            keep = j < steps_left
            new, new_s = jax.tree_util.tree_map(
                lambda a, b: jnp.where(keep, a, b), (new, new_s), (p, s)
            )
            return (new, new_s), (loss, aux, p if keep_params else None)

        (p, s), hist = jax.lax.scan(body, (params, state), jnp.arange(chunk_size))
        final_loss, final_aux = objective(p, data)
        return p, s, hist, final_loss, final_aux

    return chunk


def _run_loop(
    func: str,
    loss_fn: Callable,
    params: PyTree,
    optimizer: Any,
    num_steps: int,
    *,
    opt_state: PyTree | None = None,
    has_aux: bool = False,
    data: PyTree = None,
    batch_size: int | None = None,
    key: Any = None,
    keep_params: bool = False,
    chunk_size: int | None = None,
    show_progress: bool | None = False,
) -> OptResult:
    """The one loop behind ``gradient_descent`` and ``fit`` (arguments already validated)."""
    if opt_state is None:
        opt_state = optimizer.init(params)
    inputs_traced = v.is_tracer((params, opt_state, data, key))
    if chunk_size is None or inputs_traced:
        chunk_size = max(num_steps, 1)  # traced: one chunk, no Python loop over tracers
    chunk_size = min(chunk_size, max(num_steps, 1))
    key_arg = jnp.zeros((), jnp.uint32) if key is None else key
    chunk = _make_chunk(
        func,
        loss_fn,
        optimizer,
        has_aux=has_aux,
        batch_size=batch_size,
        chunk_size=chunk_size,
        keep_params=keep_params,
    )
    zero = jnp.zeros((), jnp.int32)
    run = traced(chunk, params, opt_state, data, key_arg, zero, zero)

    losses: list = []
    auxs: list = []
    path: list = []
    final = None
    starts = range(0, num_steps, chunk_size)
    for start in progress(starts, total=len(starts), desc=func, enabled=show_progress):
        length = min(chunk_size, num_steps - start)
        params, opt_state, hist, *final = run(
            params, opt_state, data, key_arg, jnp.int32(start), jnp.int32(length)
        )
        for store, h in zip((losses, auxs, path), hist, strict=True):
            store.append(jax.tree_util.tree_map(lambda a, n=length: a[:n], h))
        if not v.is_tracer(losses[-1]) and not np.all(np.isfinite(np.asarray(losses[-1]))):
            break
    if final is None:  # zero steps: just the loss at the start
        final = _final(func, loss_fn, has_aux, params, data)
    all_losses, aux_hist, full_path = _histories(
        losses, auxs, path, final, params, has_aux, keep_params
    )
    finite = jnp.isfinite(all_losses)
    diverged_at = jnp.where(jnp.all(finite), -1, jnp.argmin(finite)).astype(jnp.int32)
    res = OptResult(params, all_losses, diverged_at, full_path, opt_state, aux_hist, func)
    _warn_if_diverged(res)
    return res


def _warn_if_diverged(res: OptResult) -> None:
    """The soft signal: with concrete values, a diverged run warns (nothing fails silently)."""
    if v.is_tracer(res.diverged_at):
        return
    step = int(res.diverged_at)
    if step >= 0:
        message = _divergence_message(res.func, np.asarray(res.losses), step)
        warnings.warn(
            f"{message}. (result.ok is False; result.raise_if_failed() raises DivergenceError)",
            DivergenceWarning,
            stacklevel=4,
        )


def _histories(
    losses: list, auxs: list, path: list, final: Any, params: PyTree, has_aux: bool, keep: bool
) -> tuple[jax.Array, PyTree, PyTree]:
    """The chunks' histories joined, with the final loss/aux/params appended."""
    final_loss, final_aux = final
    dtype = losses[0].dtype if losses else jnp.result_type(final_loss)
    all_losses = jnp.concatenate([*losses, jnp.reshape(final_loss, (1,)).astype(dtype)])

    def stack(*a: jax.Array) -> jax.Array:
        return jnp.concatenate(a)

    def head(a: Any) -> jax.Array:
        return jnp.asarray(a)[None]

    aux_hist = None
    if has_aux:
        aux_hist = jax.tree_util.tree_map(stack, *auxs, jax.tree_util.tree_map(head, final_aux))
    full_path = None
    if keep:
        full_path = jax.tree_util.tree_map(stack, *path, jax.tree_util.tree_map(head, params))
    return all_losses, aux_hist, full_path


def _final(func: str, loss_fn: Callable, has_aux: bool, params: PyTree, data: PyTree):
    out = loss_fn(params) if data is None else loss_fn(params, data)
    return _loss_value(func, out, has_aux)


def gradient_descent(
    loss_fn: Callable[[PyTree], jax.Array],
    params: PyTree,
    lr: float,
    num_steps: int,
    *,
    keep_params: bool = False,
) -> OptResult:
    """Plain gradient descent, written from scratch: ``params <- params - lr * grad(loss)(params)``.

    Each step moves every parameter against its partial derivative, scaled by the
    learning rate :math:`\\eta`:

    .. math:: \\theta_{k+1} = \\theta_k - \\eta \\nabla C(\\theta_k).

    It is :func:`fit`'s loop with that update as the optimiser (the learning rate is its
    state, a traced value: changing ``lr`` does not recompile). ``loss_fn`` is traced afresh on
    every call, so a changed closure is seen (module docstring); the whole run is one compiled
    ``jax.lax.scan``.

    Args:
        loss_fn: ``params -> scalar`` (close over the data).
        params: the starting point, any pytree of real arrays (ints are promoted to floats).
        lr: the learning rate, a finite number > 0.
        num_steps: how many updates, an int >= 0.
        keep_params: also return the params after every step in ``path``.

    Returns:
        :class:`OptResult` with the final params, the ``num_steps + 1`` losses and the verdict
        ``diverged_at`` (``result.ok``; ``result.raise_if_failed()`` raises
        :class:`DivergenceError` if a loss became inf or NaN).

    Raises:
        InputError: ``lr`` not a finite number > 0; ``num_steps`` negative or not an int;
            ``loss_fn`` not callable or not returning a real scalar; complex params, or values
            past the largest float32 (use ``diffprog.float64()``).

    Warns:
        DivergenceWarning: a loss became inf or NaN (with concrete values).

    Example:
        >>> from diffprog.optimize import gradient_descent
        >>> res = gradient_descent(lambda p: (p["w"] - 3.0) ** 2, {"w": 0.0}, lr=0.1, num_steps=100)
        >>> round(float(res.params["w"]), 4), res.losses.shape
        (3.0, (101,))
    """
    func = "gradient_descent"
    v.check_arity(func, "loss_fn", loss_fn, 1, "params")
    v.check_positive(func, "lr", lr, "Pass a small step such as lr=0.01")
    v.check_representable(func, "lr", lr)
    num_steps = v.check_int(func, "num_steps", num_steps, 0, example=100)
    params = _check_params(func, params)
    result = _run_loop(
        func,
        loss_fn,
        params,
        _PlainGD(lr),
        num_steps,
        keep_params=bool(keep_params),
    )
    return dataclasses.replace(result, opt_state=None)


def fit(
    loss_fn: Callable[..., Any],
    params: PyTree,
    optimizer: Any,
    num_steps: int,
    *,
    opt_state: PyTree | None = None,
    has_aux: bool = False,
    data: PyTree = None,
    batch_size: int | None = None,
    key: jax.Array | None = None,
    keep_params: bool = False,
    chunk_size: int | None = None,
    show_progress: bool | None = None,
) -> OptResult:
    """Minimise ``loss_fn`` with any optax optimiser, in compiled chunks, with a progress bar.

    Each step computes :math:`C(\\theta_k)` and :math:`\\nabla C(\\theta_k)`, asks the optimiser
    for an update :math:`u_k` and sets :math:`\\theta_{k+1} = \\theta_k + u_k`. The steps run in
    ``lax.scan`` chunks of ``chunk_size``; between chunks the bar advances and the losses are
    checked, so a diverging run stops at the end of the chunk where it diverged.

    Compilation: ``loss_fn`` and ``optimizer`` are traced afresh on every call (about a
    millisecond for a small model) and the traced program is compiled once per distinct
    content. So a second call with the same loss and optimiser reuses the compilation, while a
    loss whose closure changed is seen as it is now (never a stale cached version). Under your
    own ``jax.jit``/``jax.vmap`` the run is one chunk.

    Failure: a loss that becomes inf or NaN is the verdict ``result.diverged_at`` (the first
    bad step, -1 if none; ``result.ok``), never an exception; with concrete values it also
    warns (:class:`DivergenceWarning`). Call ``result.raise_if_failed()`` to get a
    :class:`DivergenceError` instead.

    Optimisers that need the loss itself (``optax.lbfgs()``, line searches:
    ``GradientTransformationExtraArgs``) get ``value=``, ``grad=`` and ``value_fn=``; L-BFGS
    reuses the value and gradient its line search stored (``optax.value_and_grad_from_state``).

    Args:
        loss_fn: ``params -> scalar``, or ``(params, batch) -> scalar`` with ``data``; with
            ``has_aux=True`` it returns ``(loss, aux)``.
        params: the starting point (pytree of real arrays).
        optimizer: an ``optax.GradientTransformation`` (anything with ``init`` and ``update``).
        num_steps: how many updates (an int >= 0).
        opt_state: the optimiser state to start from (``result.opt_state`` of an earlier run,
            to resume it); default ``optimizer.init(params)``.
        has_aux: ``loss_fn`` returns ``(loss, aux)``; the aux of every step is in ``result.aux``.
        data: a pytree of arrays sharing a leading (example) axis, passed as ``batch``.
        batch_size: sample this many examples per step (without replacement, from
            ``jax.random.fold_in(key, step)``); default: all of ``data`` every step. When you
            resume a minibatch run, pass a new ``key`` (the steps are counted from 0 again).
        key: the PRNG key for minibatches (``jax.random.key(0)``).
        keep_params: also return the params after every step in ``path``.
        chunk_size: steps per chunk (default: with a bar, about 50 chunks of at least 100 steps;
            without one, a single chunk).
        show_progress: force the bar on or off (default: on when someone watches).

    Returns:
        :class:`OptResult` (``opt_state`` holds the optimiser's final state; ``diverged_at``
        and ``ok`` the verdict).

    Raises:
        InputError: a bad argument (not an optimiser, ``num_steps``/``chunk_size``/
            ``batch_size`` not a positive int, ``opt_state`` of another structure, a loss that
            does not return a real scalar, complex params, values past float32's range...).

    Warns:
        DivergenceWarning: a loss became inf or NaN (with concrete values).

    Example:
        >>> import optax
        >>> from diffprog.optimize import fit
        >>> res = fit(lambda p: (p["w"] - 3.0) ** 2, {"w": 0.0}, optax.adam(0.1), 300)
        >>> more = fit(lambda p: (p["w"] - 3.0) ** 2, res.params, optax.adam(0.1), 10,
        ...            opt_state=res.opt_state)   # resume where it stopped
        >>> round(float(more.params["w"]), 2)
        3.0
    """
    func = "fit"
    v.check_callable(func, "loss_fn", loss_fn)
    _check_optimizer(func, optimizer)
    num_steps = v.check_int(func, "num_steps", num_steps, 0, example=100)
    if chunk_size is not None:
        chunk_size = v.check_int(func, "chunk_size", chunk_size, 1, example=100)
    elif watching() if show_progress is None else show_progress:
        chunk_size = max(100, -(-num_steps // 50))  # the bar moves ~50 times
    if not isinstance(has_aux, bool):
        raise v.fail(func, f"has_aux must be True or False, got {v.show(has_aux)}")
    params = _check_params(func, params)
    if data is None:
        if batch_size is not None or key is not None:
            raise v.fail(
                func,
                "batch_size/key were given without data",
                "Pass data=(x, y) and write loss_fn(params, batch)",
            )
        v.check_arity(func, "loss_fn", loss_fn, 1, "params")
    else:
        _check_data(func, data, batch_size, key)
        v.check_arity(func, "loss_fn", loss_fn, 2, "params, batch")
    if opt_state is not None:
        want = jax.tree_util.tree_structure(jax.eval_shape(optimizer.init, params))
        got = jax.tree_util.tree_structure(opt_state)
        if want != got:  # type: ignore[operator]
            raise v.fail(
                func,
                "opt_state does not have the structure of optimizer.init(params) "
                f"(got {v.show(got)})",
                "Pass result.opt_state from a run with the same "
                "optimizer and params, or leave opt_state=None to start afresh",
            )
    return _run_loop(
        func,
        loss_fn,
        params,
        optimizer,
        num_steps,
        opt_state=opt_state,
        has_aux=has_aux,
        data=data,
        batch_size=batch_size,
        key=key,
        keep_params=bool(keep_params),
        chunk_size=chunk_size,
        show_progress=show_progress,
    )


@result
class LeastSquares:
    """The closed-form least-squares fit of a linear model.

    Attributes:
        params: the minimising params, ready for :func:`diffprog.models.linear`:
            ``{"m", "b"}`` for 1-D ``x``, ``{"W", "b"}`` for 2-D ``x``.
        cost: the mean squared residual at those params (the smallest MSE a line can reach).
    """

    params: dict
    cost: jax.Array


def least_squares(x: ArrayLike, y: ArrayLike) -> LeastSquares:
    """The closed-form minimiser of the MSE of a linear model (ordinary least squares).

    For :math:`\\hat y = m x + b`, setting both partial derivatives of
    :math:`C = \\frac1n\\sum_i (m x_i + b - y_i)^2` to zero gives
    :math:`\\partial C/\\partial b = 0 \\Rightarrow b = \\bar y - m \\bar x` and
    :math:`\\partial C/\\partial m = 0 \\Rightarrow
    m = \\sum_i (x_i - \\bar x)(y_i - \\bar y) / \\sum_i (x_i - \\bar x)^2` (centred sums,
    better rounded in float32). For features ``x`` of shape ``(n, d)`` the normal
    equations are solved by ``jnp.linalg.lstsq`` on ``[x, 1]`` (an SVD).

    Args:
        x: inputs, shape ``(n,)`` (scalar model) or ``(n, d)`` (vector model); real, finite.
        y: targets, shape ``(n,)`` or ``(n, k)``; real, finite.

    Returns:
        :class:`LeastSquares`: ``params`` (``{"m", "b"}`` for 1-D ``x``, else ``{"W", "b"}``
        for ``diffprog.models.linear``) and ``cost``, the MSE at them.

    Raises:
        InputError: mismatched lengths, fewer than 2 points, all ``x`` equal, complex,
            NaN/inf, or values past the largest float32 (use ``diffprog.float64()``).

    Example:
        >>> from diffprog.optimize import least_squares
        >>> ls = least_squares([0.0, 1.0, 2.0], [1.0, 3.0, 5.0])
        >>> round(float(ls.params["m"]), 4), round(float(ls.params["b"]), 4)
        (2.0, 1.0)
    """
    func = "least_squares"
    for name, arr in (("x", x), ("y", y)):
        v.check_real_floating(func, name, arr)
        v.check_representable(func, name, arr)
        if not v.is_tracer(arr) and not np.all(np.isfinite(np.asarray(arr, np.float64))):
            raise v.fail(func, f"{name} holds NaN or inf", "Drop or fix those points")
    dtype = default_float()
    x, y = jnp.asarray(x, dtype), jnp.asarray(y, dtype)
    if x.ndim == 0 or y.ndim == 0 or x.shape[0] != y.shape[0] or x.ndim > 2 or y.ndim > 2:
        raise v.fail(
            func,
            f"x (shape {x.shape}) and y (shape {y.shape}) must be 1-D or 2-D with "
            "the same number of points along axis 0",
        )
    if x.shape[0] < 2:
        raise v.fail(func, f"need at least 2 points to fit a line, got {x.shape[0]}")
    if x.ndim == 1:
        if y.ndim != 1:
            raise v.fail(func, f"with 1-D x, y must be 1-D too, got shape {y.shape}")
        dx, dy = x - jnp.mean(x), y - jnp.mean(y)
        sxx = jnp.sum(dx * dx)
        if not v.is_tracer(sxx) and float(sxx) == 0.0:
            raise v.fail(
                func,
                "all x are equal, so the slope is undefined",
                "The data need at least two distinct x",
            )
        m = jnp.sum(dx * dy) / sxx
        residual = dy - m * dx  # y - (m x + b) with b = mean(y) - m mean(x)
        params = {"m": m, "b": jnp.mean(y) - m * jnp.mean(x)}
        return LeastSquares(params, jnp.mean(residual * residual))
    design = jnp.concatenate([x, jnp.ones((x.shape[0], 1), x.dtype)], axis=1)
    coef = jnp.linalg.lstsq(design, y)[0]
    residual = design @ coef - y
    return LeastSquares({"W": coef[:-1].T, "b": coef[-1]}, jnp.mean(residual * residual))
