"""Gradient checking with a report that says *where* a derivative is wrong.

``check_grads(f, args)`` tests jax's derivatives of ``f`` against finite differences,
one input leaf at a time, at a cost that does not grow with the leaf's size:

- **forward mode**: for a random direction ``v`` (non-zero on one leaf), the JVP
  ``J v`` must match the central difference ``(f(x + h v) − f(x − h v)) / 2h``;
- **reverse mode**: for random ``v`` and output cotangent ``u``, the VJP must satisfy
  the transpose identity ``⟨v, Jᵀu⟩ = ⟨J v, u⟩``, with ``J v`` by central differences
  (so it also checks ``custom_vjp`` functions, which have no forward mode).

Errors are measured norm-wise: ``abs = max|a − b|``, ``rel = abs / max|b|``, and a
check passes when ``abs ≤ atol + rtol · max|b|``. The step ``h`` and the tolerances
follow the dtype (float32 has about 7 digits, float64 about 16), and everything runs
with the highest matmul precision (TPU matmuls otherwise use bfloat16 passes).

The module also has the helpers people reach for next: :func:`hvp`,
:func:`jacobian` (forward or reverse mode by the sizes), :func:`per_example_grads`.

References:
    jax's ``jax.test_util.check_grads``; HIPS autograd's ``test_util.py``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._typing import PyTree

__all__ = [
    "GradCheckReport", "GradientCheckError", "LeafCheck", "check_grads", "hvp", "jacobian",
    "jacobian_mode", "per_example_grads",
]

# dtype -> (relative finite-difference step, default atol = rtol).
_DEFAULTS = {
    np.dtype("float16"): (3e-2, 1e-1),
    np.dtype(jnp.bfloat16): (3e-2, 1e-1),
    np.dtype("float32"): (3e-3, 1e-2),
    np.dtype("float64"): (1e-5, 1e-6),
}


@dataclass(frozen=True)
class LeafCheck:
    """One check: a mode and order, an input leaf, its errors and the verdict.

    ``passed`` is ``None`` when the check was skipped (``note`` says why).
    """

    mode: str
    order: int
    leaf: str
    max_abs_err: float
    max_rel_err: float
    tol: float
    passed: bool | None
    note: str = ""


@dataclass(frozen=True)
class GradCheckReport:
    """The result of :func:`check_grads`: one :class:`LeafCheck` per mode, order and leaf."""

    checks: tuple[LeafCheck, ...]

    @property
    def passed(self) -> bool:
        """True when nothing failed and at least one check ran."""
        return not self.failures and any(c.passed for c in self.checks)

    @property
    def failures(self) -> tuple[LeafCheck, ...]:
        """The checks that failed."""
        return tuple(c for c in self.checks if c.passed is False)

    def __str__(self) -> str:
        head = ("mode", "order", "leaf", "max abs err", "max rel err", "tol", "result")
        rows = [head] + [
            (c.mode, str(c.order), c.leaf, f"{c.max_abs_err:.2e}", f"{c.max_rel_err:.2e}",
             f"{c.tol:.0e}",
             {True: "ok", False: "FAIL", None: "skipped"}[c.passed] + (f" ({c.note})" if c.note else ""))
            for c in self.checks
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(len(head) - 1)]
        lines = ["  ".join(f"{r[i]:<{w}}" for i, w in enumerate(widths)) + "  " + r[-1]
                 for r in rows]
        verdict = "passed" if self.passed else (
            f"FAILED: {', '.join(sorted({c.leaf for c in self.failures}))}"
            if self.failures else "nothing was checked")
        return "\n".join([f"gradient check {verdict}", *lines])


class GradientCheckError(AssertionError):
    """A gradient check failed; ``err.report`` is the :class:`GradCheckReport`."""

    def __init__(self, report: GradCheckReport):
        super().__init__(str(report))
        self.report = report


def _arg_names(f: Callable) -> list[str]:
    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _leaf_name(path: tuple, names: list[str]) -> str:
    first = path[0]
    idx = getattr(first, "idx", None)
    head = names[idx] if idx is not None and idx < len(names) else jax.tree_util.keystr(path[:1])
    return head + jax.tree_util.keystr(path[1:])


def _inner(a: PyTree, b: PyTree) -> jax.Array:
    parts = [jnp.vdot(x, y) for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True)]
    return sum(parts, jnp.zeros(()))


def _errors(got: PyTree, want: PyTree) -> tuple[float, float, float]:
    """(max|got − want|, that / max|want|, max|want|) over all leaves, in float64 numpy."""
    g = [np.asarray(x, np.float64).ravel() for x in jax.tree.leaves(got)]
    w = [np.asarray(x, np.float64).ravel() for x in jax.tree.leaves(want)]
    g = np.concatenate(g) if g else np.zeros(0)
    w = np.concatenate(w) if w else np.zeros(0)
    abs_err = float(np.max(np.abs(g - w), initial=0.0))
    scale = float(np.max(np.abs(w), initial=0.0))
    rel = abs_err / scale if scale > 0 else (0.0 if abs_err == 0 else np.inf)
    return abs_err, rel, scale


def _worst(dtypes: Sequence[Any]) -> np.dtype:
    return max((np.dtype(d) for d in dtypes), key=lambda d: _DEFAULTS[d][1])


def _random_like(rng: np.random.Generator, tree: PyTree) -> PyTree:
    # Standard normal draws shaped like ``tree``'s leaves (numpy: nothing to compile).
    return jax.tree.map(
        lambda x: np.asarray(rng.standard_normal(jnp.shape(x))).astype(jnp.result_type(x)), tree)


def _leaf_numbers(f, args, i, modes, v, u, h):
    """Everything one leaf's check needs, in one jit-compiled computation.

    Returns ``(fd, jv, <v, (Jᵀu)_i>, <fd, u>, <|fd|, |u|>)``: the central difference
    along ``v`` (on leaf ``i``), the JVP along ``v`` (or None), and the inner
    products of the transpose identity (or None).
    """
    leaves, treedef = jax.tree.flatten(args)

    def numbers(leaves, v, u):
        along = lambda t: jax.tree.unflatten(
            treedef, [lf + t * v if j == i else lf for j, lf in enumerate(leaves)])
        fd = jax.tree.map(lambda a, b: (a - b) / (2 * h), f(*along(h)), f(*along(-h)))
        jv = ip_rev = ip_num = ip_abs = None
        if "fwd" in modes:
            tangents = [v if j == i else (jnp.zeros_like(lf) if jnp.issubdtype(lf.dtype, jnp.floating)
                                          else np.zeros(lf.shape, jax.dtypes.float0))
                        for j, lf in enumerate(leaves)]
            jv = jax.jvp(f, tuple(jax.tree.unflatten(treedef, leaves)),
                         tuple(jax.tree.unflatten(treedef, tangents)))[1]
        if "rev" in modes:
            _, pullback = jax.vjp(f, *jax.tree.unflatten(treedef, leaves))
            ip_rev = jnp.vdot(v, jax.tree.leaves(pullback(u))[i])
            ip_num = _inner(fd, u)
            ip_abs = _inner(jax.tree.map(jnp.abs, fd), jax.tree.map(jnp.abs, u))
        return fd, jv, ip_rev, ip_num, ip_abs

    return jax.jit(numbers)([jnp.asarray(lf) for lf in leaves], v, u)


def _first_order(f, args, modes, rng, order, eps, atol, rtol, names) -> list[LeafCheck]:
    leaves_p, _ = jax.tree_util.tree_flatten_with_path(args)
    out_shape = jax.eval_shape(f, *args)
    out_leaves = jax.tree.leaves(out_shape)
    for o in out_leaves:
        if not jnp.issubdtype(o.dtype, jnp.floating):
            raise TypeError(f"check_grads: f returns a {o.dtype} leaf; it must return floats")
    checks = []
    u = _random_like(rng, out_shape)
    for i, (path, x) in enumerate(leaves_p):
        name = _leaf_name(path, names)
        dtype = jnp.result_type(x)
        x = np.asarray(x)
        if not jnp.issubdtype(dtype, jnp.floating):
            checks += [LeafCheck(m, order, name, 0.0, 0.0, 0.0, None, f"{dtype} leaf")
                       for m in modes]
            continue
        dt = _worst([x.dtype, *(o.dtype for o in out_leaves)])
        step, tol = _DEFAULTS[dt]
        a_tol = atol if atol is not None else tol
        r_tol = rtol if rtol is not None else tol
        rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0
        h = (eps if eps is not None else step) * max(1.0, rms)
        v = _random_like(rng, x)
        skip = ""
        try:
            fd, jv, ip_rev, ip_num, ip_abs = _leaf_numbers(f, args, i, modes, v, u, h)
        except TypeError as err:  # forward mode of a custom_vjp function does not exist
            if "fwd" not in modes or "rev" not in modes:
                raise
            skip = str(err).splitlines()[0][:80]
            fd, jv, ip_rev, ip_num, ip_abs = _leaf_numbers(f, args, i, ("rev",), v, u, h)
        if skip:
            checks.append(LeafCheck("fwd", order, name, np.nan, np.nan, r_tol, None, skip))
        elif jv is not None:
            ab, rel, scale = _errors(jv, fd)
            checks.append(LeafCheck("fwd", order, name, ab, rel, r_tol,
                                    ab <= a_tol + r_tol * scale))
        if ip_rev is not None:
            # The inner products sum many terms: compare against the size of those terms.
            ab = abs(float(ip_rev) - float(ip_num))
            scale = max(abs(float(ip_num)), float(ip_abs))
            rel = ab / scale if scale > 0 else (0.0 if ab == 0 else np.inf)
            checks.append(LeafCheck("rev", order, name, ab, rel, r_tol,
                                    ab <= a_tol + r_tol * scale))
    return checks


def check_grads(
    f: Callable[..., PyTree],
    args: Sequence[PyTree],
    order: int = 1,
    modes: Sequence[str] = ("fwd", "rev"),
    *,
    eps: float | None = None,
    atol: float | None = None,
    rtol: float | None = None,
    key: jax.Array | None = None,
    raise_on_fail: bool = False,
) -> GradCheckReport:
    """Check jax's derivatives of ``f`` at ``args`` against finite differences, leaf by leaf.

    For each floating-point leaf of ``args``, with a random direction ``v`` on that
    leaf: forward mode compares ``J v`` (``jax.jvp``) with the central difference
    ``(f(x + h v) − f(x − h v)) / 2h``; reverse mode checks ``⟨v, Jᵀu⟩ = ⟨J v, u⟩``
    for a random output cotangent ``u`` (``jax.vjp``). Order 2 repeats the checks on
    ``x ↦ J(x) v`` (forward over forward) and ``x ↦ J(x)ᵀ u`` (reverse over reverse):
    second derivatives.

    Args:
        f: a function of the positional arguments ``*args`` returning a pytree of floats.
        args: the positional arguments, a tuple (``(params, x, y)``; ``(x,)`` for one).
        order: 1 (first derivatives) or 2 (also second derivatives).
        modes: any of ``"fwd"`` and ``"rev"``.
        eps: the finite-difference step relative to the leaf's RMS (default by dtype:
            3e-3 for float32, 1e-5 for float64).
        atol, rtol: tolerances (default by dtype: 1e-2 for float32, 1e-6 for float64).
        key: PRNG key for the random directions (default ``jax.random.key(0)``).
        raise_on_fail: raise :class:`GradientCheckError` (carrying the report) on failure.

    Returns:
        A :class:`GradCheckReport`; ``report.passed``, ``report.failures``, and
        ``print(report)`` shows a table naming each leaf (``params['w']``).

    Raises:
        ValueError: for a bad ``order`` or ``modes``, or ``args`` that is not a tuple.
        GradientCheckError: if ``raise_on_fail`` and a check failed.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog import check_grads
        >>> report = check_grads(lambda p, x: jnp.sum(jnp.tanh(p["w"] * x + p["b"])),
        ...                      ({"w": jnp.ones(3), "b": 0.5}, jnp.arange(3.0)))
        >>> report.passed, len(report.checks)
        (True, 6)
    """
    if order not in (1, 2):
        raise ValueError(f"check_grads: order must be 1 or 2, got {order!r}")
    modes = (modes,) if isinstance(modes, str) else tuple(modes)
    if not modes or set(modes) - {"fwd", "rev"}:
        raise ValueError(f"check_grads: modes must be a subset of ('fwd', 'rev'), got {modes!r}")
    if not isinstance(args, (tuple, list)):
        raise ValueError(
            "check_grads: args must be the tuple of positional arguments, e.g. (x,) or "
            f"(params, x, y); got {type(args).__name__}"
        )
    args = tuple(args)
    key = jax.random.key(0) if key is None else key
    rng = np.random.default_rng(np.asarray(jax.random.key_data(key)).ravel().tolist())
    names = _arg_names(f)
    with jax.default_matmul_precision("highest"):
        checks = _first_order(f, args, modes, rng, 1, eps, atol, rtol, names)
        if order == 2:
            checks += _second_order(f, args, modes, rng, eps, atol, rtol, names)
    report = GradCheckReport(tuple(checks))
    if raise_on_fail and not report.passed:
        raise GradientCheckError(report)
    return report


def _second_order(f, args, modes, rng, eps, atol, rtol, names) -> list[LeafCheck]:
    checks = []
    if "fwd" in modes:
        v = jax.tree.map(
            lambda x, r: r if jnp.issubdtype(jnp.result_type(x), jnp.floating)
            else np.zeros(jnp.shape(x), jax.dtypes.float0), args, _random_like(rng, args))
        f_jvp = lambda *a: jax.jvp(f, a, v)[1]
        try:
            jax.eval_shape(f_jvp, *args)
        except TypeError as err:
            note = str(err).splitlines()[0][:80]
            checks.append(LeafCheck("fwd", 2, "*", np.nan, np.nan, 0.0, None, note))
        else:
            checks += _first_order(f_jvp, args, ("fwd",), rng, 2, eps, atol, rtol, names)
    if "rev" in modes:
        u = _random_like(rng, jax.eval_shape(f, *args))
        f_vjp = lambda *a: _float_leaves(jax.vjp(f, *a)[1](u))
        checks += _first_order(f_vjp, args, ("rev",), rng, 2, eps, atol, rtol, names)
    return checks


def _float_leaves(tree: PyTree) -> list:
    return [x for x in jax.tree.leaves(tree) if x.dtype != jax.dtypes.float0]


def hvp(f: Callable[[PyTree], jax.Array], x: PyTree, v: PyTree) -> PyTree:
    """The Hessian-vector product ``∇²f(x) v``, forward-over-reverse, without forming the Hessian.

    ``∇²f(x) v = d/dt ∇f(x + t v)`` at ``t = 0``: one ``jax.jvp`` of ``jax.grad(f)``,
    a few times the cost of ``f`` whatever the size of ``x``.

    Args:
        f: a scalar function of one pytree ``x``.
        x: the point.
        v: the vector, a pytree like ``x``.

    Returns:
        ``∇²f(x) v``, a pytree like ``x``.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog import hvp
        >>> hvp(lambda x: jnp.sum(x**3), jnp.array([1.0, 2.0]), jnp.array([1.0, 1.0]))
        Array([ 6., 12.], dtype=float32)
    """
    return jax.jvp(jax.grad(f), (x,), (v,))[1]


def jacobian_mode(f: Callable[..., PyTree], *args: PyTree, argnums: int = 0) -> str:
    """``"fwd"`` or ``"rev"``: the cheaper mode for the Jacobian of ``f`` at ``args``' shapes.

    Forward mode costs one pass per input entry, reverse mode one per output entry,
    so forward mode wins when there are no more inputs than outputs.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog import jacobian_mode
        >>> jacobian_mode(lambda x: jnp.sum(x**2), jnp.ones(100))
        'rev'
    """
    n_in = sum(int(np.prod(jnp.shape(x))) for x in jax.tree.leaves(args[argnums]))
    out = jax.eval_shape(f, *args)
    n_out = sum(int(np.prod(o.shape)) for o in jax.tree.leaves(out))
    return "fwd" if n_in <= n_out else "rev"


def jacobian(f: Callable[..., PyTree], argnums: int = 0, mode: str = "auto") -> Callable[..., PyTree]:
    """The Jacobian of ``f``, by ``jax.jacfwd`` or ``jax.jacrev`` picked by the sizes.

    Args:
        f: the function.
        argnums: the argument to differentiate with respect to.
        mode: ``"auto"`` (see :func:`jacobian_mode`), ``"fwd"`` or ``"rev"``.

    Returns:
        A function of ``f``'s arguments returning the Jacobian (same layout as jax's).

    Raises:
        ValueError: for an unknown ``mode``.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog import jacobian
        >>> jacobian(lambda x: x * x)(jnp.array([1.0, 2.0]))
        Array([[2., 0.],
               [0., 4.]], dtype=float32)
    """
    if mode not in ("auto", "fwd", "rev"):
        raise ValueError(f"jacobian: mode must be 'auto', 'fwd' or 'rev', got {mode!r}")

    def jac(*args: PyTree) -> PyTree:
        m = jacobian_mode(f, *args, argnums=argnums) if mode == "auto" else mode
        return (jax.jacfwd if m == "fwd" else jax.jacrev)(f, argnums=argnums)(*args)

    return jac


def per_example_grads(loss: Callable[..., jax.Array], params: PyTree, *batch: jax.Array) -> PyTree:
    """The gradient of ``loss(params, *example)`` for every example of a batch: ``vmap(grad)``.

    Args:
        loss: a scalar loss of ``params`` and one example (``loss(params, x, y)``).
        params: the parameters (shared by all examples).
        *batch: arrays whose leading axis indexes the examples (``x``, ``y``).

    Returns:
        A pytree like ``params`` with a leading batch axis on every leaf.

    Raises:
        ValueError: if the batch arrays differ in length.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog import per_example_grads
        >>> per_example_grads(lambda w, x, y: (w * x - y) ** 2, 1.0,
        ...                   jnp.array([1.0, 2.0]), jnp.array([0.0, 0.0]))
        Array([2., 8.], dtype=float32, weak_type=True)
    """
    sizes = {jnp.shape(jax.tree.leaves(b)[0])[0] for b in batch}
    if len(sizes) > 1:
        raise ValueError(f"per_example_grads: batch arrays have different lengths {sorted(sizes)}")
    in_axes = (None,) + (0,) * len(batch)
    return jax.vmap(jax.grad(loss), in_axes=in_axes)(params, *batch)
