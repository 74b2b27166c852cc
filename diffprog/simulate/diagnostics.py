"""Diagnostics for differentiable simulations: gradient norm vs horizon, compiled memory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate as v
from .._progress import progress as _progress
from .._result import result
from .._typing import PyTree

__all__ = ["CompiledMemory", "compiled_memory", "gradient_norm_vs_horizon"]


def gradient_norm_vs_horizon(
    loss: Callable[[PyTree, int], Any],
    params: PyTree,
    horizons: Sequence[int],
    progress: bool | None = None,
) -> np.ndarray:
    r"""The gradient's norm :math:`\lVert\nabla_\theta L_T(\theta)\rVert` for each horizon ``T``.

    Through a chaotic simulation the gradient grows like :math:`e^{\lambda T\Delta t}`
    (λ the largest Lyapunov exponent): a straight line on a log scale. Through a
    damped one it settles. This is the quickest way to see which case you are in.

    Args:
        loss: ``loss(params, num_steps) -> scalar``; ``num_steps`` is static (one
            compilation per horizon).
        params: where to take the gradient (any pytree).
        horizons: the numbers of steps ``T`` to try (positive ints).
        progress: show a progress bar (default: when someone is watching).

    Returns:
        A float64 numpy array of the gradient norms, one per horizon (the norm over
        all leaves of the gradient pytree).

    Raises:
        InputError: if a horizon is not a positive int.

    Example:
        >>> from diffprog.simulate import gradient_norm_vs_horizon
        >>> loss = lambda a, num_steps: a ** num_steps       # d/da a^T = T a^(T-1)
        >>> gradient_norm_vs_horizon(loss, 2.0, [1, 2, 3]).tolist()
        [1.0, 4.0, 12.0]
    """
    func = "gradient_norm_vs_horizon"
    v.check_arity(func, "loss", loss, 2, "params, num_steps")
    try:
        horizons = list(horizons)
    except TypeError:
        raise v.fail(
            func,
            f"horizons must be a sequence of step counts, got {v.show(horizons)}",
            "Pass e.g. horizons=[10, 100, 1000]",
        ) from None
    horizons = [v.check_int(func, "each horizon", h, 1, example=100) for h in horizons]
    grad = jax.jit(jax.grad(loss), static_argnums=1)
    norms = []
    for h in _progress(horizons, total=len(horizons), desc="horizons", enabled=progress):
        g = grad(params, int(h))
        sq = sum(jnp.sum(jnp.square(x)) for x in jax.tree_util.tree_leaves(g))
        norms.append(float(jnp.sqrt(sq)))
    return np.asarray(norms, dtype=np.float64)


@result(static=("temp_bytes", "argument_bytes", "output_bytes"))
class CompiledMemory:
    """What XLA allocates for a compiled program (bytes), from its memory analysis.

    Attributes:
        temp_bytes: scratch buffers: for a gradient, mostly the residuals kept for the
            backward pass, the part checkpointing shrinks.
        argument_bytes: the inputs.
        output_bytes: the outputs.
    """

    temp_bytes: int
    argument_bytes: int
    output_bytes: int

    @property
    def total_bytes(self) -> int:
        """``temp + argument + output``: an upper bound on what the program holds at once."""
        return self.temp_bytes + self.argument_bytes + self.output_bytes


def compiled_memory(fn: Callable, *args: Any, **kwargs: Any) -> CompiledMemory | None:
    """Memory that ``jax.jit(fn)(*args)`` would allocate, read from the compiled program.

    Uses ``jax.jit(fn).lower(*args).compile().memory_analysis()``; nothing is run.

    Args:
        fn: the function (e.g. a gradient of a rollout).
        *args: example arguments (arrays or ``jax.ShapeDtypeStruct``).
        **kwargs: example keyword arguments, likewise.

    Returns:
        A :class:`CompiledMemory`, or ``None`` where the backend gives no analysis.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog.simulate import compiled_memory
        >>> mem = compiled_memory(lambda x: 2 * x, jnp.ones(1000))
        >>> mem is None or mem.argument_bytes == 4000
        True
    """
    try:
        stats = jax.jit(fn).lower(*args, **kwargs).compile().memory_analysis()
    except (NotImplementedError, AttributeError):
        return None
    if stats is None:
        return None
    temp, arg, out = (
        int(getattr(stats, name, 0) or 0)
        for name in ("temp_size_in_bytes", "argument_size_in_bytes", "output_size_in_bytes")
    )
    return CompiledMemory(temp, arg, out)
