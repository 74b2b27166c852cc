"""Data-parallel gradients over a device mesh: the same numbers on one device or many.

A loss averaged over a batch of :math:`n` examples split into :math:`k` equal shards
:math:`B_1, \\dots, B_k` of :math:`m = n/k` examples is

.. math::

    L(\\theta) = \\frac{1}{n}\\sum_{i=1}^{n} \\ell(\\theta; x_i, y_i)
               = \\frac{1}{k}\\sum_{j=1}^{k} L_j(\\theta),
    \\qquad L_j(\\theta) = \\frac{1}{m}\\sum_{i \\in B_j} \\ell(\\theta; x_i, y_i),

and by the sum rule its gradient is the mean of the shards' gradients,
:math:`\\nabla L = \\frac1k \\sum_j \\nabla L_j`. Data parallelism is that identity run on
hardware: each device holds a full copy of ``params`` (*replicated*) and one shard of
the batch (*sharded* along the mesh axis ``"data"``), computes its partial sums, and an
*all-reduce* (a sum across devices, every device receiving the result) completes the
loss and the gradient. Here the batch and the parameters are placed with
``jax.sharding.NamedSharding`` and the computation is ``jax.jit``-compiled: XLA
propagates the shardings and inserts the all-reduce itself, so ``loss_fn`` is written
for the whole batch, exactly as on one device. On a single device the mesh has one
entry, the all-reduce disappears, and the code is unchanged.

Batches must split evenly: the number of examples must be a multiple of the number
of devices (a :class:`ValueError` says by how much to trim or pad; if you pad, mask the
padded examples out of the loss).

Precision. Nothing here needs float64: parameters, data and gradients stay float32
(TPUs have no fast float64). On TPUs (and on GPUs with TF32) matrix products run by
default with reduced-precision passes (bfloat16 on TPU), so a data-parallel gradient
and a one-device gradient can differ by far more than float32 round-off. When
*comparing* gradients (tests, gradient checks), compute both under
``with jax.default_matmul_precision("highest"):``; diffprog's tests do.

Many hosts. The same code runs on several machines (one Python process per host,
each seeing its own accelerators) under ``jax.distributed``::

    import jax
    jax.distributed.initialize()   # on a TPU pod or SLURM/Kubernetes: arguments found
    # elsewhere: jax.distributed.initialize("10.0.0.1:1234", num_processes=2, process_id=i)
    import diffprog
    mesh = diffprog.make_mesh()    # all devices of all processes (jax.devices())
    step = diffprog.data_parallel_step(loss_fn, optax.adam(1e-3), mesh)
    params, opt_state, loss = step(params, opt_state, local_batch)

Every process runs the same program. ``params`` and ``opt_state`` must be equal on
every process (same key, same initialisation). In a multi-process run each process
passes *its own* share of the batch (``local_batch``): the global batch is the
processes' shares concatenated in process order (``jax.make_array_from_process_local_data``),
so each share must split evenly over that process's devices. With one process the
share is the whole batch, so one code path serves both. Outputs are replicated: each
process can read ``loss`` and ``params`` locally. tests/test_parallel.py runs this with
two CPU processes on 127.0.0.1 (jax's CPU backend does cross-process collectives with
gloo).

References:
    JAX documentation, "Distributed arrays and automatic parallelization" and
    "Multi-process environments".
    Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour" (2017).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from . import _validate as v
from ._compat import mesh_1d
from ._traced import call_traced
from ._typing import PyTree

if TYPE_CHECKING:  # optax is imported only when a training step is built
    import optax

__all__ = [
    "DATA_AXIS",
    "data_parallel_step",
    "data_parallel_value_and_grad",
    "make_mesh",
    "replicate",
    "shard_batch",
]

DATA_AXIS = "data"
"""The name of the mesh axis the batch is split along."""


def make_mesh(num_devices: int | None = None) -> Mesh:
    """A 1-D device mesh with one axis, ``"data"``, over the first ``num_devices`` devices.

    Args:
        num_devices: how many of ``jax.devices()`` to use (default: all of them; under
            ``jax.distributed`` that is every device of every process).

    Returns:
        A ``jax.sharding.Mesh`` of shape ``(num_devices,)`` and axis names ``("data",)``.

    Raises:
        ValueError: if ``num_devices`` is not between 1 and the number of devices.

    Example:
        >>> import diffprog
        >>> mesh = diffprog.make_mesh(1)
        >>> mesh.axis_names, mesh.size
        (('data',), 1)
    """
    devices = jax.devices()
    if num_devices is None:
        num_devices = len(devices)
    if isinstance(num_devices, bool) or not isinstance(num_devices, (int, np.integer)):
        raise v.fail(
            "make_mesh", f"num_devices must be an int or None, got {type(num_devices).__name__}"
        )
    if not 1 <= num_devices <= len(devices):
        raise v.fail(
            "make_mesh",
            f"num_devices={num_devices}, but there are {len(devices)} device(s) "
            f"({devices[0].platform}): pass a number from 1 to {len(devices)}, or None for all",
        )
    return mesh_1d(devices[:num_devices], DATA_AXIS)


def _check_mesh(mesh: Any) -> Mesh:
    if not isinstance(mesh, Mesh):
        raise v.fail(
            "parallel",
            f"mesh must be a jax.sharding.Mesh (see diffprog.make_mesh), got {type(mesh).__name__}",
        )
    if tuple(mesh.axis_names) != (DATA_AXIS,):
        raise v.fail(
            "parallel",
            f"mesh must be 1-D with the axis name {DATA_AXIS!r}, got axes "
            f"{tuple(mesh.axis_names)}: build it with diffprog.make_mesh()",
        )
    return mesh


def _as_global(leaf: Any, sharding: NamedSharding) -> jax.Array:
    """``leaf`` placed with ``sharding`` (a value equal on every process)."""
    if jax.process_count() > 1 and not (
        isinstance(leaf, jax.Array) and not leaf.is_fully_addressable
    ):
        leaf = np.asarray(leaf)  # a host value, the same on every process
    return jax.device_put(leaf, sharding)


def replicate(tree: PyTree, mesh: Mesh) -> PyTree:
    """Place every leaf of ``tree`` (e.g. params) whole on every device of ``mesh``.

    Args:
        tree: a pytree of arrays. Under ``jax.distributed`` it must be equal on every process.
        mesh: the device mesh (:func:`make_mesh`).

    Returns:
        The same pytree, each leaf a ``jax.Array`` replicated over the mesh.

    Example:
        >>> import jax.numpy as jnp, diffprog
        >>> w = diffprog.replicate(jnp.ones(3), diffprog.make_mesh(1))
        >>> w.sharding.is_fully_replicated
        True
    """
    sharding = NamedSharding(_check_mesh(mesh), P())
    return jax.tree.map(lambda leaf: _as_global(leaf, sharding), tree)


def _batch_size(batch: PyTree) -> int:
    leaves = jax.tree.leaves(batch)
    if not leaves:
        raise v.fail(
            "shard_batch", "batch has no arrays: pass an array or a pytree of arrays, e.g. (x, y)"
        )
    shapes = [np.shape(leaf) for leaf in leaves]
    if any(len(s) == 0 for s in shapes) or len({s[0] for s in shapes}) != 1:
        raise v.fail(
            "shard_batch",
            f"every array in batch must have the same leading (example) "
            f"axis, got shapes {shapes}: stack examples along axis 0",
        )
    return shapes[0][0]


def shard_batch(batch: PyTree, mesh: Mesh) -> PyTree:
    """Split every leaf of ``batch`` along its first axis across the mesh's ``"data"`` axis.

    Device ``j`` of an ``k``-device mesh receives examples ``j*m`` to ``(j+1)*m - 1``,
    ``m = n / k``. Under ``jax.distributed`` each process passes its own share of the
    batch; the global batch is the shares concatenated in process order.

    Args:
        batch: an array or pytree of arrays (e.g. ``(x, y)``) sharing their leading axis.
        mesh: the device mesh (:func:`make_mesh`).

    Returns:
        The same pytree, each leaf a ``jax.Array`` sharded as ``PartitionSpec("data")``.

    Raises:
        ValueError: if the leaves' leading sizes differ, or are not a multiple of the
            number of devices (trim the batch, or pad it and mask the padding in the loss).

    Example:
        >>> import jax.numpy as jnp, diffprog
        >>> x = diffprog.shard_batch(jnp.zeros((4, 2)), diffprog.make_mesh(1))
        >>> tuple(x.sharding.spec), x.shape
        (('data',), (4, 2))
    """
    mesh = _check_mesh(mesh)
    sharding = NamedSharding(mesh, P(DATA_AXIS))
    n = _batch_size(batch)
    leaves = jax.tree.leaves(batch)
    is_global = all(isinstance(a, jax.Array) and not a.is_fully_addressable for a in leaves)
    multiprocess = jax.process_count() > 1 and not is_global
    k = len(mesh.local_devices) if multiprocess else mesh.size
    if n % k:
        share = "this process's share of the batch" if multiprocess else "the batch"
        raise v.fail(
            "shard_batch",
            f"{share} has {n} examples, not a multiple of the {k} devices it is split over: "
            f"trim it to {n - n % k} (drop {n % k}) or pad it to {n + k - n % k} examples and "
            "mask the padded ones out of the loss",
        )
    if multiprocess:
        return jax.tree.map(
            lambda a: jax.make_array_from_process_local_data(sharding, np.asarray(a)), batch
        )
    return jax.device_put(batch, sharding)


def _checked_loss(func: str, loss_fn: Callable) -> Callable:
    """``loss_fn`` with its output checked (a real scalar) as it is traced."""
    if not callable(loss_fn):
        raise v.fail(
            func,
            f"loss_fn must be a function (params, batch) -> scalar, got {type(loss_fn).__name__}",
            "Pass e.g. lambda w, b: jnp.mean((b[0] * w - b[1]) ** 2)",
        )
    try:
        import inspect

        inspect.signature(loss_fn).bind(None, None)
    except TypeError:
        raise v.fail(
            func,
            "loss_fn must take two arguments (params, batch)",
            "Define it as loss_fn(params, batch)",
        ) from None
    except ValueError:
        pass

    def loss(params, batch):
        out = v.check_output(func, "loss_fn", loss_fn(params, batch), scalar=True)
        if not jax.numpy.issubdtype(jax.numpy.result_type(out), jax.numpy.floating):
            raise v.fail(
                func,
                f"loss_fn must return a floating scalar, got dtype {jax.numpy.result_type(out)}",
                "Compute the loss in floats",
            )
        return out

    return loss


def data_parallel_value_and_grad(
    loss_fn: Callable[[PyTree, PyTree], jax.Array],
    mesh: Mesh | None = None,
) -> Callable[[PyTree, PyTree], tuple[jax.Array, PyTree]]:
    """``jax.value_and_grad(loss_fn)``, with the batch split across the devices of ``mesh``.

    ``loss_fn(params, batch)`` is written for the whole batch (typically a mean over
    examples), as on one device. The returned function places ``params`` replicated and
    ``batch`` sharded along ``"data"`` (:func:`replicate`, :func:`shard_batch`; no copy
    when they already are) and runs the jit-compiled ``value_and_grad``: each device
    works on its shard and an all-reduce sums the partial results (the sum rule), so the
    loss and gradient equal the one-device ones up to float32 round-off (summation
    order). The result is replicated on every device.

    ``loss_fn`` is seen as it is now on every call: each call traces it afresh and the
    compilation is shared only between calls that trace to the same program (no cache keyed on
    ``loss_fn``, so a changed closure is never answered from a stale compilation).

    Args:
        loss_fn: a function ``(params, batch) -> scalar`` (pure, jax-traceable).
        mesh: a 1-D mesh with axis ``"data"`` (default: :func:`make_mesh` over all devices).

    Returns:
        A function ``(params, batch) -> (loss, grads)``; ``grads`` has the structure of
        ``params``. Its ``.mesh`` is the mesh used and ``.lower(params, batch)`` lowers it
        (e.g. to read the compiled all-reduce with ``.compile().as_text()``).

    Raises:
        TypeError: if ``loss_fn`` is not callable or ``mesh`` is not a mesh.
        ValueError: at call time, if the batch does not split evenly (see :func:`shard_batch`).

    Example:
        >>> import jax.numpy as jnp, diffprog
        >>> loss = lambda w, b: jnp.mean((b[0] * w - b[1]) ** 2)
        >>> vg = diffprog.data_parallel_value_and_grad(loss, diffprog.make_mesh(1))
        >>> value, grad = vg(2.0, (jnp.array([1.0, 2.0]), jnp.array([1.0, 2.0])))
        >>> round(float(value), 4), round(float(grad), 4)   # mean(x^2), 2 mean(x^2)
        (2.5, 5.0)
    """
    loss = _checked_loss("data_parallel_value_and_grad", loss_fn)
    mesh = make_mesh() if mesh is None else _check_mesh(mesh)
    replicated = NamedSharding(mesh, P())

    def program(params, batch):
        return jax.lax.with_sharding_constraint(jax.value_and_grad(loss)(params, batch), replicated)

    def value_and_grad(params: PyTree, batch: PyTree) -> tuple[jax.Array, PyTree]:
        return call_traced(program, replicate(params, mesh), shard_batch(batch, mesh))

    value_and_grad.__doc__ = (
        f"value_and_grad of {getattr(loss_fn, '__name__', 'loss_fn')}, "
        f"data-parallel over {mesh.size} device(s): (params, batch) -> "
        "(loss, grads)."
    )
    value_and_grad.mesh = mesh  # type: ignore[attr-defined]

    def lower(params: PyTree, batch: PyTree) -> Any:
        return jax.jit(program).lower(replicate(params, mesh), shard_batch(batch, mesh))

    value_and_grad.lower = lower  # type: ignore[attr-defined]
    return value_and_grad


def data_parallel_step(
    loss_fn: Callable[[PyTree, PyTree], jax.Array],
    optimizer: optax.GradientTransformation,
    mesh: Mesh | None = None,
) -> Callable[[PyTree, PyTree, PyTree], tuple[PyTree, PyTree, jax.Array]]:
    """One optimiser step on a data-parallel gradient: ``(params, opt_state, batch) -> ...``.

    The step is pure: it computes ``loss, grads`` as :func:`data_parallel_value_and_grad`
    does, then ``updates, opt_state = optimizer.update(grads, opt_state, params)`` and
    ``params + updates``, all inside one jit-compiled function; params and optimiser
    state stay replicated, so every device applies the same update.

    Args:
        loss_fn: a function ``(params, batch) -> scalar``.
        optimizer: an optax ``GradientTransformation`` (e.g. ``optax.sgd(0.1)``).
        mesh: a 1-D mesh with axis ``"data"`` (default: all devices).

    Returns:
        A function ``(params, opt_state, batch) -> (params, opt_state, loss)``, where
        ``loss`` is the loss at the params passed in. ``opt_state`` starts as
        ``optimizer.init(params)``. Each call traces ``loss_fn`` and ``optimizer`` afresh
        (seen as they are now) and shares a compilation only with calls that trace the same.

    Raises:
        TypeError: if ``loss_fn`` is not callable, ``optimizer`` lacks ``init``/``update``,
            or ``mesh`` is not a mesh.

    Example:
        >>> import jax.numpy as jnp, optax, diffprog
        >>> loss = lambda w, b: jnp.mean((b[0] * w - b[1]) ** 2)
        >>> step = diffprog.data_parallel_step(loss, optax.sgd(0.1), diffprog.make_mesh(1))
        >>> batch = (jnp.array([1.0, 2.0]), jnp.array([3.0, 6.0]))   # y = 3 x
        >>> w, state = jnp.float32(0.0), optax.sgd(0.1).init(jnp.float32(0.0))
        >>> for _ in range(50):
        ...     w, state, value = step(w, state, batch)
        >>> round(float(w), 4)
        3.0
    """
    checked = _checked_loss("data_parallel_step", loss_fn)
    if not (
        callable(getattr(optimizer, "init", None)) and callable(getattr(optimizer, "update", None))
    ):
        raise v.fail(
            "data_parallel_step",
            f"optimizer must be an optax GradientTransformation "
            f"(with init and update), got {type(optimizer).__name__}",
            "Pass e.g. optax.sgd(0.1)",
        )
    import optax

    mesh = make_mesh() if mesh is None else _check_mesh(mesh)
    replicated = NamedSharding(mesh, P())

    def step(params, opt_state, batch):
        loss, grads = jax.value_and_grad(checked)(params, batch)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        out = optax.apply_updates(params, updates), opt_state, loss
        return jax.lax.with_sharding_constraint(out, replicated)

    def data_parallel_step(params: PyTree, opt_state: PyTree, batch: PyTree):
        return call_traced(
            step, replicate(params, mesh), replicate(opt_state, mesh), shard_batch(batch, mesh)
        )

    data_parallel_step.__doc__ = (
        f"One {type(optimizer).__name__} step of loss_fn, data-parallel "
        f"over {mesh.size} device(s): (params, opt_state, batch) -> "
        "(params, opt_state, loss)."
    )
    data_parallel_step.mesh = mesh  # type: ignore[attr-defined]
    return data_parallel_step
