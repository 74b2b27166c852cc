"""Gradient checking with a report that says *where* a derivative is wrong.

``check_grads(f, args)`` tests jax's derivatives of ``f`` against finite differences,
one input leaf at a time, in a few random directions per leaf:

- **forward mode**: for a random direction ``v`` (non-zero on one leaf), the JVP
  ``J v`` must match the central difference of ``t ↦ f(x + t v)`` at ``t = 0``;
- **reverse mode**: for random ``v`` and output cotangent ``u``, the VJP must satisfy
  the transpose identity ``⟨v, Jᵀu⟩ = ⟨J v, u⟩``, with ``J v`` by central differences
  (so it also checks ``custom_vjp`` functions, which have no forward mode).

The tolerance is on the compared numbers themselves, as in ``jax.test_util.check_grads``:
``|a − b| ≤ atol + rtol·|b|`` with ``b = ⟨J v, u⟩`` (a scalar) in reverse mode and
``b = J v`` (max-norm) in forward mode, default ``rtol`` per dtype no looser than jax's
(float32 2e-3, float64 1e-6), default ``atol = 0`` (so the check does not depend on the
scale of ``f``). The finite difference is Richardson-extrapolated from steps ``h`` and
``h/2``; their disagreement, plus a round-off bound, is the *noise* of the finite
difference, added to the tolerance. When that noise is too large for the check to
resolve an error of a few ``rtol`` (a kink within the step, a cancelling inner product,
round-off), the step shrinks; if it stays too large the check is reported
**undetermined**, never "ok".

The result is a :class:`GradCheckReport` (a frozen pytree result, one :class:`LeafCheck` row
per mode, order and leaf) whose ``verdict`` field says "passed", "failed", "undetermined" or
"nothing checked"; nothing is raised for a wrong derivative unless the caller asks with
``report.raise_if_failed()``. Bad input (a non-callable ``f``, arguments ``f`` does not accept,
complex or non-numeric leaves, values past float32 without ``diffprog.float64()``) raises
:class:`diffprog.InputError` before anything is computed.

Design: no ``jax.jit`` inside (nothing is cached on the user's function, every call sees
``f`` as it is now, and a fresh lambda pays no compilation). One VJP serves every leaf
and direction (and gives ``f``'s output, which is checked, so ``f`` is not traced just to
see its shape); the JVPs of all (direction, leaf) pairs run as one ``jax.vmap`` batch,
and the perturbed evaluations as another, or, when the problem is small (dispatch, not
arithmetic, is then its cost), as primal-only rows of the JVPs' batch. The cost is a few
evaluations of ``f`` in dispatch terms whatever the number of leaves; ``f`` may itself be
``jax.jit``-compiled.

The module also has the helpers people reach for next: :func:`hvp`,
:func:`jacobian` (forward or reverse mode by the sizes), :func:`per_example_grads`.

References:
    jax's ``jax.test_util.check_grads`` (``jax/_src/public_test_util.py``);
    HIPS autograd's ``test_util.py``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

import jax
import jax.numpy as jnp
import numpy as np

from ._result import result
from ._typing import PyTree
from ._validate import (
    check_arity,
    check_callable,
    check_int,
    check_nonnegative,
    check_output,
    check_positive,
    check_real_floating,
    check_representable,
    fail,
    is_tracer,
)

if TYPE_CHECKING:  # annotations only: importing jaxtyping costs ~0.2 s at import time
    from jaxtyping import Float

__all__ = [
    "GradCheckReport",
    "GradientCheckError",
    "LeafCheck",
    "check_grads",
    "hvp",
    "jacobian",
    "jacobian_mode",
    "per_example_grads",
]

# dtype -> (relative finite-difference step h, default rtol). The step suits central
# differences with one Richardson extrapolation (about eps^(1/5)); rtol is never looser
# than jax.test_util's default_gradient_tolerance for the dtype.
_DEFAULTS = {
    np.dtype("float16"): (5e-2, 1e-2),
    np.dtype(jnp.bfloat16): (5e-2, 1e-1),
    np.dtype("float32"): (2e-2, 2e-3),
    np.dtype("float64"): (1e-3, 1e-6),
}
_SHRINK = 10.0  # an undecided finite difference is retried at 10 h (round-off bound)
_RETRIES = 2  # or h / 10 (truncation, a kink, NaN), at most twice
_RESOLVE = 4.0  # decided only when the noise is <= _RESOLVE * rtol * |b| (+ atol)
_ROUNDOFF = 4.0  # round-off of f(x ± h v) taken as _ROUNDOFF * eps * |f(x)|
_BATCH_BYTES = 2**28  # the perturbed evaluations run in vmap batches of at most ~256 MiB
_UNBATCHED_PAIRS = 2  # a retry of at most this many pairs calls f at the leaves' shapes
_FUSE_BYTES = 2**24  # below ~16 MiB, the base step's evaluations ride in the JVPs' batch
_SIGNS = np.array([1.0, -1.0, 0.5, -0.5])  # the four evaluations of a pair: x ± h v, x ± h/2 v


@result(static=("mode", "order", "leaf", "status", "note"))
class LeafCheck:
    """One check: a mode and order, an input leaf, its errors and the verdict.

    ``max_rel_err`` is ``|a − b| / |b|`` of the worst direction and ``tol`` the relative
    tolerance that direction was held to (``rtol``, plus ``atol`` and the finite
    difference's noise, over ``|b|``); "ok" is printed only when ``max_rel_err <= tol``.
    ``status`` is the verdict: ``"ok"``, ``"FAIL"``, ``"undetermined"`` (finite differences
    too noisy to decide) or ``"skipped"`` (an integer leaf, no forward mode); ``note`` says
    why when it is not "ok".
    """

    mode: str
    order: int
    leaf: str
    max_abs_err: float
    max_rel_err: float
    tol: float
    status: str
    note: str = ""

    @property
    def ok(self) -> bool:
        """True when this check passed (``status == "ok"``)."""
        return self.status == "ok"


@result(static=("verdict",), repr=False)
class GradCheckReport:
    """The result of :func:`check_grads`: one :class:`LeafCheck` per mode, order and leaf.

    ``verdict`` is ``"passed"`` (something was checked, nothing failed, nothing was
    undetermined), ``"failed"``, ``"undetermined"`` or ``"nothing checked"``; ``ok`` is
    ``verdict == "passed"`` and :meth:`raise_if_failed` raises :class:`GradientCheckError`
    otherwise. ``print(report)`` shows a table naming each leaf; ``repr`` is one line.
    """

    checks: tuple[LeafCheck, ...]
    verdict: str = ""

    def __post_init__(self) -> None:
        if not self.verdict:
            object.__setattr__(self, "verdict", _verdict_of(self.checks))

    @property
    def ok(self) -> bool:
        """True when the verdict is "passed"."""
        return self.verdict == "passed"

    def raise_if_failed(self) -> GradCheckReport:
        """Raise :class:`GradientCheckError` (carrying this report) unless it passed.

        Returns:
            The report itself, when it passed (so that calls chain).

        Raises:
            GradientCheckError: when the verdict is not "passed" (failed, undetermined, or
                nothing was checked).
        """
        if not self.ok:
            raise GradientCheckError(self)
        return self

    @property
    def failures(self) -> tuple[LeafCheck, ...]:
        """The checks that failed."""
        return tuple(c for c in self.checks if c.status == "FAIL")

    @property
    def undetermined(self) -> tuple[LeafCheck, ...]:
        """The checks that finite differences could not decide (see ``note``)."""
        return tuple(c for c in self.checks if c.status == "undetermined")

    def _headline(self) -> str:
        if self.verdict == "failed":
            return f"FAILED: {', '.join(sorted({c.leaf for c in self.failures}))}"
        if self.verdict == "undetermined":
            return f"undetermined: {', '.join(sorted({c.leaf for c in self.undetermined}))}"
        return self.verdict

    def __repr__(self) -> str:
        n = len(self.checks)
        return f"GradCheckReport({self._headline()}; {n} check{'' if n == 1 else 's'})"

    def __str__(self) -> str:
        head = ("mode", "order", "leaf", "max abs err", "max rel err", "tol", "result")
        rows = [head] + [
            (
                c.mode,
                str(c.order),
                c.leaf,
                f"{c.max_abs_err:.2e}",
                f"{c.max_rel_err:.2e}",
                f"{c.tol:.1e}",
                c.status + (f" ({c.note})" if c.note else ""),
            )
            for c in self.checks
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(len(head) - 1)]
        lines = [
            "  ".join(f"{r[i]:<{w}}" for i, w in enumerate(widths)) + "  " + r[-1] for r in rows
        ]
        return "\n".join([f"gradient check {self._headline()}", *lines])


def _verdict_of(checks: Sequence[LeafCheck]) -> str:
    status = {c.status for c in checks}
    if "FAIL" in status:
        return "failed"
    if "undetermined" in status:
        return "undetermined"
    return "passed" if "ok" in status else "nothing checked"


class GradientCheckError(AssertionError):
    """A gradient check did not pass; ``err.report`` is the :class:`GradCheckReport`."""

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


def _is_float(dtype: Any) -> bool:
    return jnp.issubdtype(dtype, jnp.floating)


def _output_shape(f: Callable, args: tuple, what: str = "f") -> Any:
    """``jax.eval_shape(f, *args)``, refused unless it is a non-empty pytree of real floats."""
    try:
        out = jax.eval_shape(f, *args)
    except TypeError as err:
        if "not a valid JAX type" not in str(err):
            raise
        raise fail(
            "check_grads",
            f"{what} returned something that is not an array "
            f"({str(err).split('returned a value of type')[-1].split(' at ')[0].strip()})",
            "Return a jax array or a pytree of arrays",
        ) from err
    _check_out(out, what)
    return out


def _check_out(out: Any, what: str) -> None:
    """``f``'s output (arrays or shapes) must be a non-empty pytree of real float arrays."""
    if out is None:
        raise fail(
            "check_grads",
            f"{what} returned None",
            "Return a jax array or a pytree of arrays (did you forget `return`?)",
        )
    leaves = jax.tree.leaves(out)
    if not leaves:
        raise fail(
            "check_grads",
            f"{what} returned no arrays (got {out!r})",
            "Return a jax array or a pytree of arrays",
        )
    for o in leaves:
        if not hasattr(o, "dtype"):
            raise fail("check_grads", f"{what} returned a {type(o).__name__}, not an array")
        if jnp.issubdtype(o.dtype, jnp.complexfloating):
            raise fail(
                "check_grads",
                f"{what} returned a complex leaf (dtype {o.dtype})",
                "Check a real function, e.g. of jnp.abs(z)**2 or of z.real and z.imag",
            )
        if not _is_float(o.dtype):
            raise fail(
                "check_grads",
                f"{what} returns a {o.dtype} leaf; it must return floats",
                "Return the floating-point quantity being differentiated",
            )
        if o.size == 0:
            raise fail(
                "check_grads",
                f"{what} returned an empty array (shape {o.shape})",
                "Return at least one number",
            )


def _random_like(rng: np.random.Generator, tree: PyTree) -> PyTree:
    # Standard normal draws shaped like ``tree``'s leaves (numpy: nothing to compile).
    return jax.tree.map(
        lambda x: np.asarray(rng.standard_normal(jnp.shape(x))).astype(jnp.result_type(x)), tree
    )


def _f64(tree: PyTree) -> Float[np.ndarray, "batch n"]:  # noqa: F722
    """All leaves of ``tree`` (a leading batch axis kept) flattened into one float64 array."""
    leaves = jax.tree.leaves(tree)
    return np.concatenate(
        [np.asarray(x, np.float64).reshape(x.shape[0], -1) for x in leaves], axis=1
    )


@dataclass(repr=False)
class _Plan:
    """What one first-order check works on: the leaves, the directions, the steps, ``u``."""

    leaves: list[jax.Array]  # every leaf of args, as arrays
    treedef: Any
    names: list[str]  # every leaf's name, as the report prints it
    skipped: dict[int, str]  # leaves not checked (integer, empty) -> why
    fidx: list[int]  # positions of the checked (floating, non-empty) leaves
    V: list[np.ndarray]  # per checked leaf: K random directions, shape (K, *leaf.shape)
    rms: np.ndarray  # per checked leaf: its root mean square (the scale of its step)
    pairs: list[tuple[int, int]]  # (direction k, checked leaf j)
    step: float | None  # the caller's relative step (None: by dtype)
    # Set by `with_output` from f's output at the point (the first autodiff call's primal):
    dts: list[np.dtype] = dataclass_field(default_factory=list)  # per checked leaf: tolerances
    h: np.ndarray | None = None  # per checked leaf: the base step
    U: PyTree = None  # the output cotangent, shaped like f's output
    u: np.ndarray | None = None  # U flattened, float64
    per_item_bytes: int = 0  # bytes of one evaluation's inputs and outputs

    def of_floats(self, f: Callable) -> Callable:
        """``f`` as a function of the checked leaves only (the others held fixed)."""
        return _of_floats(f, self.leaves, self.fidx, self.treedef)

    def with_output(self, out: PyTree, rng: np.random.Generator) -> None:
        """The output's part of the plan: dtypes for the tolerances, the cotangent ``u``."""
        out_leaves = jax.tree.leaves(out)
        self.dts = [
            _worst([self.leaves[i].dtype, *(o.dtype for o in out_leaves)]) for i in self.fidx
        ]
        base = [self.step if self.step is not None else _DEFAULTS[dt][0] for dt in self.dts]
        self.h = np.array([b * r if r > 0 else b for b, r in zip(base, self.rms, strict=True)])
        self.U = _random_like(rng, out)  # one output cotangent
        self.u = _f64(jax.tree.map(lambda o: np.asarray(o)[None], self.U))[0]  # (n_out,)
        self.per_item_bytes = sum(self.leaves[i].nbytes for i in self.fidx) + sum(
            int(np.prod(o.shape)) * o.dtype.itemsize for o in out_leaves
        )


def _of_floats(f: Callable, leaves: list, fidx: list[int], treedef: Any) -> Callable:
    # A plain closure (no object in it whose repr jax's debug info would compute).
    def g(*fl: jax.Array) -> PyTree:
        new = list(leaves)
        for j, i in enumerate(fidx):
            new[i] = fl[j]
        return f(*jax.tree.unflatten(treedef, new))

    return g


def _plan(args: tuple, rng: np.random.Generator, cfg: _Config, names: list[str]) -> _Plan:
    """Step 1: which leaves are checked, their directions and steps (the output comes later)."""
    leaves_p, treedef = jax.tree_util.tree_flatten_with_path(args)
    leaves = [jnp.asarray(x) for _, x in leaves_p]
    leaf_names = [_leaf_name(path, names) for path, _ in leaves_p]
    skipped, fidx = {}, []
    for i, x in enumerate(leaves):
        if not _is_float(x.dtype):
            skipped[i] = f"{x.dtype} leaf"
        elif x.size == 0:
            skipped[i] = "empty leaf"
        else:
            fidx.append(i)
    V, rms = [], []
    for i in fidx:
        x64 = np.asarray(leaves[i], np.float64)
        rms.append(float(np.sqrt(np.mean(np.square(x64)))))
        V.append(
            np.asarray(rng.standard_normal((cfg.directions, *x64.shape))).astype(leaves[i].dtype)
        )
    pairs = [(k, j) for j in range(len(fidx)) for k in range(cfg.directions)]
    return _Plan(leaves, treedef, leaf_names, skipped, fidx, V, np.array(rms), pairs, cfg.step)


def _finite_differences(
    f: Callable, plan: _Plan, pairs: list[tuple[int, int]], steps: np.ndarray, pad_to: int
) -> tuple[Float[np.ndarray, "pairs n_out"], Float[np.ndarray, "pairs n_out"]]:  # noqa: F722
    """Central differences at steps h and h/2 for the (direction k, leaf j) ``pairs``.

    The perturbed points are built and evaluated (one ``vmap``) in chunks of at most
    ~``_BATCH_BYTES``, so memory stays bounded for large parameters. A lone chunk is padded
    to ``pad_to`` pairs (unperturbed) so that its shapes repeat and jax's per-primitive
    compilation cache serves the retries. Returns ``(fd_h, fd_h2)``, each of shape
    (len(pairs), n_out) in float64.
    """
    per_pair = max(1, _BATCH_BYTES // max(4 * plan.per_item_bytes, 1))
    g = plan.of_floats(f)
    outs = []
    for start in range(0, len(pairs), per_pair):
        chunk = list(range(start, min(start + per_pair, len(pairs))))
        rows = 4 * (max(pad_to, len(chunk)) if per_pair >= pad_to else len(chunk))
        batch = [jnp.asarray(b) for b in _perturbed(plan, pairs, steps, chunk, rows)]
        outs.append(_f64(jax.vmap(g)(*batch))[: 4 * len(chunk)])
    out = np.concatenate(outs, axis=0).reshape(len(pairs), 4, -1)
    return _central(out, steps)


def _perturbed(
    plan: _Plan, pairs: list[tuple[int, int]], steps: np.ndarray, chunk: list[int], rows: int
) -> list[np.ndarray]:
    """The checked leaves at the points of ``chunk``'s pairs, ``rows`` of them (padded with x).

    Rows 4q .. 4q+3 of the q-th pair of the chunk are ``x + t v`` for ``t = h, -h, h/2, -h/2``
    (computed in the leaf's dtype) on that pair's leaf, the other leaves at ``x``.
    """
    batch = []
    for j, i in enumerate(plan.fidx):
        x = np.asarray(plan.leaves[i])
        b = np.broadcast_to(x, (rows // 4, 4, *x.shape)).copy()
        qs = [q for q, p in enumerate(chunk) if pairs[p][1] == j]
        if qs:
            t = (steps[[chunk[q] for q in qs]][:, None] * _SIGNS).astype(x.dtype)
            d = plan.V[j][[pairs[chunk[q]][0] for q in qs]][:, None]
            b[qs] = x + t.reshape(*t.shape, *(1,) * x.ndim) * d
        batch.append(b.reshape(rows, *x.shape))
    return batch


def _central(out: np.ndarray, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``out[p] = f(x ± h v), f(x ± h/2 v)`` (shape (pairs, 4, n_out)) -> the two differences."""
    with np.errstate(invalid="ignore", over="ignore"):
        fd_h = (out[:, 0] - out[:, 1]) / (2 * steps[:, None])
        fd_h2 = (out[:, 2] - out[:, 3]) / steps[:, None]
    return fd_h, fd_h2


def _finite_differences_unbatched(
    f: Callable, plan: _Plan, pairs: list[tuple[int, int]], steps: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_finite_differences` for a few pairs: ``f`` called at the leaves' own shapes.

    A retry of one or two pairs would otherwise be a padded batch as large as the first
    (every pair again); the unbatched calls reuse the executables of the point's own
    evaluation.
    """
    g = plan.of_floats(f)
    xs = [plan.leaves[i] for i in plan.fidx]
    outs = []
    for (k, j), s in zip(pairs, steps, strict=True):
        x, d = np.asarray(xs[j]), plan.V[j][k]
        for t in (s, -s, s / 2, -s / 2):
            moved = list(xs)
            moved[j] = jnp.asarray(x + np.asarray(t, x.dtype) * d)
            outs.append(_f64(jax.tree.map(lambda o: jnp.asarray(o)[None], g(*moved)))[0])
    return _central(np.stack(outs).reshape(len(pairs), 4, -1), steps)


@dataclass(frozen=True)
class _Config:
    step: float | None
    atol: float | None
    rtol: float | None
    directions: int


def _judge(a: Any, b: Any, noise: float, atol: float, rtol: float) -> tuple:
    """Compare ``a`` (autodiff) with ``b`` (finite differences) given b's ``noise``.

    Decided ("ok" or "FAIL") only when the noise is at most ``_RESOLVE * rtol * |b| + atol``.
    Returns ``(status, abs_err, rel_err, rel_tol, noise_ratio)``; status is "ok", "FAIL",
    "undetermined" or "nonfinite" (the finite difference is not finite).
    """
    a, b = np.atleast_1d(a), np.atleast_1d(b)
    if not np.all(np.isfinite(b)) or not np.isfinite(noise):
        return "nonfinite", np.nan, np.nan, np.nan, np.inf
    scale = float(np.max(np.abs(b)))
    with np.errstate(invalid="ignore", over="ignore"):
        err = float(np.max(np.abs(a - b))) if np.all(np.isfinite(a)) else np.inf
    allow = atol + rtol * scale + noise
    rel = err / scale if scale > 0 else (0.0 if err == 0 else np.inf)
    rel_tol = allow / scale if scale > 0 else (0.0 if allow == 0 else np.inf)
    ratio = noise / scale if scale > 0 else (0.0 if noise == 0 else np.inf)
    if err == 0.0:
        return "ok", err, rel, rel_tol, ratio
    if noise > _RESOLVE * rtol * scale + atol:
        # The finite difference is not resolved: its noise estimate is not to be trusted
        # either (oscillation, round-off), so neither "ok" nor "FAIL" can be said.
        return "undetermined", err, rel, rel_tol, ratio
    return ("ok" if err <= allow else "FAIL"), err, rel, rel_tol, ratio


def _pick(levels: list[tuple]) -> tuple:
    """One verdict from the step levels tried: any "ok" wins, else a "FAIL" (the least noisy)."""
    for status in ("ok", "FAIL", "undetermined"):
        found = [r for r in levels if r[0] == status]
        if found:
            return min(found, key=lambda r: r[4])
    return levels[0]


@dataclass(repr=False)
class _Autodiff:
    """Step 2's results: jax's JVPs (one per pair) and the VJP's inner products."""

    prim: PyTree | None  # f at the point (None: forward mode only, and it does not exist)
    jv: np.ndarray | None  # (n_pairs, n_out): J v per pair
    fwd_note: str  # why forward mode does not exist for f ("" when it does)
    ip_rev: np.ndarray | None  # (K, n_leaves): <v_k, (Jᵀu)_j>
    # The finite differences of every pair at its base step, when they were evaluated in
    # the JVPs' batch (see `_autodiff`): (fd_h, fd_h2), each (n_pairs, n_out).
    fd_base: tuple[np.ndarray, np.ndarray] | None = None


def _autodiff(
    f: Callable, args: tuple, what: str, plan: _Plan, modes: Sequence[str], rng: np.random.Generator
) -> _Autodiff:
    """Step 2: one VJP for all pairs, then the JVPs of all (direction, leaf) pairs in one vmap.

    The first of these calls also gives ``f``'s output at the point (its primal), which is
    checked here (the error names ``what``) and completes the plan (:meth:`_Plan.with_output`):
    no separate evaluation or trace of ``f`` is spent on it. When the output is known before
    the JVPs (after the VJP) and the problem is small, the base step's perturbed points join
    the JVPs' batch with zero tangents (``fd_base``), saving a second vmap over ``f``.
    """
    g = plan.of_floats(f)
    xs = [plan.leaves[i] for i in plan.fidx]
    prim, jv, fwd_note, ip_rev, fd_base = None, None, "", None, None
    if "rev" in modes:
        try:
            prim, pull = jax.vjp(g, *xs)
        except TypeError:
            _output_shape(f, args, what)
            raise
        _check_out(prim, what)
        plan.with_output(prim, rng)
        # One cotangent u and one pullback serve the K directions: <v_k, Jᵀu> for each k
        # (the pullback is the expensive part, and for a scalar loss u is a number anyway).
        ct = [np.asarray(c, np.float64) for c in pull(jax.tree.map(jnp.asarray, plan.U))]
        K, n = len(plan.V[0]), len(xs)
        ip_rev = np.array(
            [
                [np.vdot(np.asarray(plan.V[j][k], np.float64), ct[j]) for j in range(n)]
                for k in range(K)
            ]
        )
    if "fwd" in modes:
        n_jvp = len(plan.pairs)
        # With f's output known (after the VJP) and everything small, the base step's
        # perturbed points ride in the JVPs' batch as primal-only rows (zero tangents): a
        # small problem's cost is dispatch, and this saves a second vmap over f.
        fuse = plan.h is not None and 10 * n_jvp * plan.per_item_bytes <= _FUSE_BYTES
        n_fd = 4 * n_jvp if fuse else 0
        tangents = [np.zeros((n_jvp + n_fd, *x.shape), x.dtype) for x in xs]
        for p, (k, j) in enumerate(plan.pairs):
            tangents[j][p] = plan.V[j][k]
        if fuse:
            assert plan.h is not None
            steps = np.array([plan.h[j] for _, j in plan.pairs])
            fd_pts = _perturbed(plan, plan.pairs, steps, list(range(n_jvp)), n_fd)
            points = [
                np.concatenate([np.broadcast_to(np.asarray(x), (n_jvp, *x.shape)), b])
                for x, b in zip(xs, fd_pts, strict=True)
            ]
        try:
            if fuse:
                outs, jv = jax.vmap(lambda xr, tr: jax.jvp(g, list(xr), list(tr)))(
                    [jnp.asarray(a) for a in points], [jnp.asarray(t) for t in tangents]
                )
            else:
                prim_f, jv = jax.vmap(lambda *t: jax.jvp(g, xs, list(t)), out_axes=(None, 0))(
                    *[jnp.asarray(t) for t in tangents]
                )
        except (TypeError, NotImplementedError) as err:
            _output_shape(f, args, what)  # an output that is not real arrays: InputError
            # Forward mode of a custom_vjp function does not exist (TypeError; for the
            # derivative of one at order 2, jax raises NotImplementedError for custom_lin).
            text = str(err)
            if "custom_vjp" not in text and "jvp" not in text and "custom_lin" not in text:
                raise
            fwd_note = text.splitlines()[0][:80]
        else:
            if fuse:
                out = _f64(outs)
                fd_base = _central(out[n_jvp:].reshape(n_jvp, 4, -1), steps)
                jv = _f64(jv)[:n_jvp]
            else:
                _check_out(prim_f, what)
                prim = prim if prim is not None else prim_f
                jv = _f64(jv)
    if prim is None:
        return _Autodiff(prim, jv, fwd_note, ip_rev)
    if plan.h is None:
        plan.with_output(prim, rng)
    return _Autodiff(prim, jv, fwd_note, ip_rev, fd_base)


def _fd_rounds(
    f: Callable, plan: _Plan, ad: _Autodiff, mode_list: list[str], cfg: _Config
) -> dict[tuple[str, int], list[tuple]]:
    """Step 3: finite differences of every pair at its base step, undecided ones retried.

    Returns, per (mode, pair), the judgement at each step level tried.
    """
    absf = np.abs(_f64(jax.tree.map(lambda o: o[None], ad.prim)))[0]
    pairs, h = plan.pairs, plan.h
    assert h is not None and plan.u is not None  # set with f's output (`_Plan.with_output`)
    results: dict[tuple[str, int], list[tuple]] = {
        (m, p): [] for m in mode_list for p in range(len(pairs))
    }
    todo, scale = list(range(len(pairs))), np.ones(len(pairs))
    all_pairs = todo
    roundoff_bound = np.zeros(len(pairs), bool)
    for _ in range(_RETRIES + 1):
        if not todo:
            break
        sub = [pairs[p] for p in todo]
        steps = np.array([h[j] for _, j in sub]) * scale[todo]
        # (after the VJP, whose forward pass ran f's operations at these shapes)
        if todo is all_pairs and ad.fd_base is not None:
            fd_h, fd_h2 = ad.fd_base  # evaluated in the JVPs' batch
        elif "rev" in mode_list and todo is not all_pairs and len(todo) <= _UNBATCHED_PAIRS:
            fd_h, fd_h2 = _finite_differences_unbatched(f, plan, sub, steps)
        else:
            fd_h, fd_h2 = _finite_differences(f, plan, sub, steps, len(pairs))
        fd_r = (4 * fd_h2 - fd_h) / 3
        for q, p in enumerate(todo):
            k, j = pairs[p]
            rtol, atol = _tols(cfg, plan.dts[j])
            eps = float(jnp.finfo(plan.dts[j]).eps)
            step = steps[q]
            with np.errstate(invalid="ignore", over="ignore"):
                if "fwd" in mode_list:
                    spread = 2 * float(np.max(np.abs(fd_h[q] - fd_h2[q])))
                    floor = 3 * _ROUNDOFF * eps * float(np.max(absf)) / step
                    results["fwd", p].append(
                        _judge(ad.jv[p], fd_r[q], spread + floor, atol, rtol)  # type: ignore[index]
                    )
                if "rev" in mode_list:
                    spread = 2 * abs(float((fd_h[q] - fd_h2[q]) @ plan.u))
                    # Round-off of the n_out outputs adds up like independent errors:
                    # an RMS sum, not Σ|u||f| (which would hide a wrong VJP behind a
                    # large output, the failure of a normalisation by Σ|fd||u|).
                    floor = 3 * _ROUNDOFF * eps * float(np.linalg.norm(plan.u * absf)) / step
                    ip = float(fd_r[q] @ plan.u)
                    results["rev", p].append(
                        _judge(ad.ip_rev[k, j], ip, spread + floor, atol, rtol)  # type: ignore[index]
                    )
                roundoff_bound[p] = floor > spread
        todo = [p for p in todo if any(results[m, p][-1][0] != "ok" for m in mode_list)]
        # Round-off limited: a larger step (once); truncation, a kink or NaN: a smaller one.
        for p in todo:
            grow = roundoff_bound[p] and scale[p] == 1.0
            scale[p] = scale[p] * _SHRINK if grow else scale[p] / _SHRINK
    return results


def _skipped(mode: str, order: int, name: str, note: str, err: float = 0.0) -> LeafCheck:
    return LeafCheck(mode, order, name, err, err, 0.0, "skipped", note)


def _first_order(
    f: Callable,
    args: tuple,
    modes: Sequence[str],
    rng: np.random.Generator,
    order: int,
    cfg: _Config,
    names: list[str],
) -> list[LeafCheck]:
    """The checks of ``f``'s first derivatives: one row per (leaf, mode)."""
    what = "f" if order == 1 else "the derivative of f (order 2)"
    plan = _plan(args, rng, cfg, names)
    rows = {
        (m, i): _skipped(m, order, plan.names[i], note)
        for i, note in plan.skipped.items()
        for m in modes
    }
    if plan.fidx:
        rows.update(_checked_rows(f, args, what, plan, modes, order, cfg, rng))
    else:
        _output_shape(f, args, what)  # nothing to check, but a bad output is still refused
    return [rows[m, i] for i in range(len(plan.leaves)) for m in modes]


def _checked_rows(
    f: Callable,
    args: tuple,
    what: str,
    plan: _Plan,
    modes: Sequence[str],
    order: int,
    cfg: _Config,
    rng: np.random.Generator,
) -> dict[tuple[str, int], LeafCheck]:
    """Steps 2 to 4 for the checked leaves: autodiff, finite differences, one row each."""
    ad = _autodiff(f, args, what, plan, modes, rng)
    nan = float("nan")
    if ad.prim is None:  # forward mode only, and it does not exist for f
        return {
            (m, i): _skipped(m, order, plan.names[i], ad.fwd_note, nan)
            for m in modes
            for i in plan.fidx
        }
    mode_list = [m for m in modes if not (m == "fwd" and (ad.fwd_note or ad.jv is None))]
    results = _fd_rounds(f, plan, ad, mode_list, cfg)
    rows = {}
    for m in modes:
        for j, i in enumerate(plan.fidx):
            if m not in mode_list:
                rows[m, i] = _skipped(m, order, plan.names[i], ad.fwd_note, nan)
                continue
            rtol, _ = _tols(cfg, plan.dts[j])
            verdicts = [_pick(results[m, p]) for p, (_, jj) in enumerate(plan.pairs) if jj == j]
            rows[m, i] = _leaf_verdict(m, order, plan.names[i], verdicts)
    return rows


def _tols(cfg: _Config, dt: np.dtype) -> tuple[float, float]:
    rtol = cfg.rtol if cfg.rtol is not None else _DEFAULTS[dt][1]
    atol = cfg.atol if cfg.atol is not None else 0.0
    return rtol, atol


def _leaf_verdict(mode: str, order: int, name: str, verdicts: list[tuple]) -> LeafCheck:
    """Step 4, one row from the K directions: FAIL if any fails, else ok if some are ok."""
    decided = [v for v in verdicts if v[0] in ("ok", "FAIL")]
    if decided:
        worst = max(
            decided,
            key=lambda v: (
                v[0] == "FAIL",
                v[2] / v[3] if v[3] > 0 else (np.inf if v[2] > 0 else 0.0),
            ),
        )
        status = "FAIL" if any(v[0] == "FAIL" for v in decided) else "ok"
        left = len(verdicts) - len(decided)
        note = f"{left} of {len(verdicts)} directions not resolved" if left else ""
        return LeafCheck(
            mode, order, name, float(worst[1]), float(worst[2]), float(worst[3]), status, note
        )
    nan = float("nan")
    if all(v[0] == "nonfinite" for v in verdicts):
        note = "f is not finite at x ± h v at every step tried"
        return LeafCheck(mode, order, name, nan, nan, nan, "undetermined", note)
    best = min((v for v in verdicts if v[0] == "undetermined"), key=lambda v: v[4])
    note = (
        f"finite differences too noisy: noise {best[4]:.1e} of |b| > "
        f"{_RESOLVE:g} rtol at every step tried"
    )
    return LeafCheck(
        mode, order, name, float(best[1]), float(best[2]), float(best[3]), "undetermined", note
    )


def _worst(dtypes: Sequence[Any]) -> np.dtype:
    return max((np.dtype(d) for d in dtypes), key=lambda d: _DEFAULTS[d][1])


def check_grads(
    f: Callable[..., PyTree],
    args: Sequence[PyTree],
    order: int = 1,
    modes: str | Sequence[str] = ("fwd", "rev"),
    *,
    step: float | None = None,
    atol: float | None = None,
    rtol: float | None = None,
    directions: int = 2,
    key: jax.Array | int | None = None,
) -> GradCheckReport:
    r"""Check jax's derivatives of ``f`` at ``args`` against finite differences, leaf by leaf.

    For each floating-point leaf :math:`x_i` of ``args`` and each of ``directions`` random
    directions :math:`v` on that leaf, with a random output cotangent :math:`u`:

    .. math::

        \text{fwd:}\quad J_i v \approx \frac{f(x + h v) - f(x - h v)}{2h}, \qquad
        \text{rev:}\quad \langle v, (J^\top u)_i\rangle \approx \langle J_i v, u\rangle,

    with the finite difference Richardson-extrapolated from steps :math:`h` and :math:`h/2`.
    A comparison of autodiff's :math:`a` with the finite difference :math:`b` passes when
    :math:`|a - b| \le \mathrm{atol} + \mathrm{rtol}\,|b| + \text{noise}` (max-norm for
    vectors), *noise* being the disagreement of the two steps plus a round-off bound. It is
    reported undetermined (not "ok") when the noise exceeds ``4 rtol |b| + atol`` at every
    step tried (``h``, then ``10 h`` where round-off dominates or ``h/10`` where truncation,
    a kink or a non-finite value does, at most twice). Order 2 repeats the checks on
    :math:`x \mapsto J(x) v` (forward over forward) and :math:`x \mapsto J(x)^\top u`
    (reverse over reverse): second derivatives.

    The verdict is a field of the report (``report.verdict``, ``report.ok``); a failed check
    raises nothing by itself: call ``report.raise_if_failed()`` for an exception. No
    ``jax.jit`` is applied to ``f`` (each call sees it as it is now; ``f`` may be jitted by
    the caller); the perturbed evaluations of one call run as one ``jax.vmap`` batch.

    Args:
        f: a function of the positional arguments ``*args`` returning a non-empty pytree
            of real floating-point arrays.
        args: the positional arguments, a tuple (``(params, x, y)``; ``(x,)`` for one).
        order: 1 (first derivatives) or 2 (also second derivatives).
        modes: any of ``"fwd"`` and ``"rev"``.
        step: the finite-difference step relative to the leaf's RMS (the leaf's own size
            when it is 0); default by dtype: 2e-2 for float32, 1e-3 for float64.
        atol: absolute tolerance on the compared numbers (default 0: scale-free).
        rtol: relative tolerance (default by dtype, never looser than
            ``jax.test_util.check_grads``: 2e-3 for float32, 1e-6 for float64, 1e-2 for
            float16, 1e-1 for bfloat16).
        directions: random directions per leaf (default 2).
        key: PRNG key or integer seed for the random directions (default 0).

    Returns:
        A :class:`GradCheckReport`: ``report.verdict`` ("passed", "failed", "undetermined"
        or "nothing checked"), ``report.ok``, ``report.failures``, ``report.undetermined``,
        ``report.raise_if_failed()``; ``print(report)`` shows a table naming each leaf
        (``params['w']``).

    Raises:
        InputError: for a bad ``order``, ``modes``, ``step``, ``atol``/``rtol``,
            ``directions`` or ``key``; ``f`` not accepting ``len(args)`` arguments; ``args``
            that is not a tuple, is empty, or holds complex or non-numeric leaves or values
            past the active float's range (use ``diffprog.float64()``); ``f`` returning None,
            no arrays, an empty, complex or integer array; or when called under
            ``jax.jit``/``vmap`` (it needs values).

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog import check_grads
        >>> report = check_grads(lambda p, x: jnp.sum(jnp.tanh(p["w"] * x + p["b"])),
        ...                      ({"w": jnp.ones(3), "b": 0.5}, jnp.arange(3.0)))
        >>> report.verdict, len(report.checks)
        ('passed', 6)
    """
    name = "check_grads"
    modes = _check_modes(name, modes)
    order = check_int(name, "order", order, least=1, most=2)
    cfg = _check_config(name, step, atol, rtol, directions)
    args = _check_args(name, f, args)
    rng = np.random.default_rng(_seed(key))
    names = _arg_names(f)
    # Full float32 matmuls on GPU (TF32) and TPU (bfloat16 passes); CPU matmuls are full
    # precision already, and asking for "highest" there only slows batched matmuls down.
    precision = "highest" if jax.default_backend() != "cpu" else None
    with jax.default_matmul_precision(precision):
        checks = _first_order(f, args, modes, rng, 1, cfg, names)
        if order == 2:
            checks += _second_order(f, args, modes, rng, cfg, names)
    return GradCheckReport(tuple(checks))


def _check_modes(name: str, modes: Any) -> tuple[str, ...]:
    modes = (modes,) if isinstance(modes, str) else modes
    if (
        not isinstance(modes, tuple | list)
        or not modes
        or any(not isinstance(m, str) or m not in ("fwd", "rev") for m in modes)
    ):
        raise fail(
            name,
            f"modes must be a non-empty subset of ('fwd', 'rev'), got {modes!r}",
            "Pass modes=('fwd', 'rev'), modes='fwd' or modes='rev'",
        )
    return tuple(dict.fromkeys(modes))


def _check_config(name: str, step: Any, atol: Any, rtol: Any, directions: Any) -> _Config:
    if step is not None:
        check_positive(
            name, "step", step, "Pass a relative step such as step=1e-2, or None for the default"
        )
    for tol_name, tol in (("atol", atol), ("rtol", rtol)):
        if tol is not None:
            check_nonnegative(name, tol_name, tol, f"Pass {tol_name}=None for the default")
    return _Config(
        None if step is None else float(step),
        None if atol is None else float(atol),
        None if rtol is None else float(rtol),
        check_int(name, "directions", directions, least=1),
    )


def _check_args(name: str, f: Any, args: Any) -> tuple:
    """``args`` a tuple of concrete real arrays that fit the active float; ``f`` takes them."""
    check_callable(name, "f", f)
    if not isinstance(args, tuple | list):
        raise fail(
            name,
            "args must be the tuple of positional arguments, e.g. (x,) or "
            f"(params, x, y); got {type(args).__name__}",
            "Wrap a single argument: (x,)",
        )
    args = tuple(args)
    example = "x" if len(args) == 1 else ", ".join(f"a{i}" for i in range(len(args)))
    check_arity(name, "f", f, len(args), example)
    if is_tracer(args):
        raise fail(
            name,
            "args are jax tracers (check_grads was called under jit, vmap or grad)",
            "Call check_grads outside jax transformations: it needs concrete values "
            "and returns a report of numbers; f itself may be jitted",
        )
    for path, leaf in jax.tree_util.tree_flatten_with_path(args)[0]:
        where = "args" + jax.tree_util.keystr(path)
        check_real_floating(name, where, leaf)  # refuses complex, strings, objects
        check_representable(name, where, leaf)
    if not jax.tree.leaves(args):
        raise fail(
            name,
            f"args holds no arrays (got {args!r})",
            "Pass the point to check at, e.g. check_grads(f, (x,))",
        )
    return args


def _seed(key: Any) -> list[int]:
    if key is None:
        return [0]
    if isinstance(key, int | np.integer) and not isinstance(key, bool):
        return [int(key) % 2**63]
    try:
        data = (
            jax.random.key_data(key)
            if jnp.issubdtype(jnp.result_type(key), jax.dtypes.prng_key)
            else jnp.asarray(key)
        )
        if not jnp.issubdtype(data.dtype, jnp.unsignedinteger):
            raise TypeError
        return np.asarray(data).ravel().tolist()
    except (TypeError, ValueError) as err:
        raise fail(
            "check_grads",
            f"key must be a jax PRNG key or an integer seed, got {type(key).__name__}",
            "Pass key=jax.random.key(0) or key=0",
        ) from err


def _second_order(
    f: Callable,
    args: tuple,
    modes: Sequence[str],
    rng: np.random.Generator,
    cfg: _Config,
    names: list[str],
) -> list[LeafCheck]:
    checks = []
    if "fwd" in modes:
        v = jax.tree.map(
            lambda x, r: (
                r if _is_float(jnp.result_type(x)) else np.zeros(jnp.shape(x), jax.dtypes.float0)
            ),
            args,
            _random_like(rng, args),
        )

        def f_jvp(*a: PyTree) -> PyTree:
            return jax.jvp(f, a, v)[1]

        try:
            jax.eval_shape(f_jvp, *args)
        except TypeError as err:
            note = str(err).splitlines()[0][:80]
            checks.append(_skipped("fwd", 2, "*", note, float("nan")))
        else:
            checks += _first_order(f_jvp, args, ("fwd",), rng, 2, cfg, names)
    if "rev" in modes:
        u = _random_like(rng, jax.eval_shape(f, *args))

        def f_vjp(*a: PyTree) -> list:
            return _float_leaves(jax.vjp(f, *a)[1](u))

        checks += _first_order(f_vjp, args, ("rev",), rng, 2, cfg, names)
    return checks


def _float_leaves(tree: PyTree) -> list:
    return [x for x in jax.tree.leaves(tree) if x.dtype != jax.dtypes.float0]


def hvp(f: Callable[[PyTree], jax.Array], x: PyTree, v: PyTree) -> PyTree:
    r"""The Hessian-vector product ``∇²f(x) v``, forward-over-reverse, without forming the Hessian.

    .. math::

        \nabla^2 f(x)\, v = \frac{d}{dt} \nabla f(x + t v) \Big|_{t=0}

    one ``jax.jvp`` of ``jax.grad(f)``, a few times the cost of ``f`` whatever the size of
    ``x``. Works under the caller's ``jit``/``vmap``.

    Args:
        f: a scalar function of one pytree ``x``.
        x: the point.
        v: the vector, a pytree like ``x`` (same structure and shapes).

    Returns:
        ``∇²f(x) v``, a pytree like ``x``.

    Raises:
        InputError: if ``f`` is not a function of one argument, ``x`` or ``v`` holds
            complex or non-numeric leaves (integers are promoted to floats), ``v`` is not
            shaped like ``x``, or ``f`` does not return a real scalar.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog import hvp
        >>> hvp(lambda x: jnp.sum(x**3), jnp.array([1.0, 2.0]), jnp.array([1.0, 1.0]))
        Array([ 6., 12.], dtype=float32)
    """
    check_arity("hvp", "f", f, 1)
    x = check_real_floating("hvp", "x", x)
    v = check_real_floating("hvp", "v", v)
    sx, sv = jax.tree.structure(x), jax.tree.structure(v)
    if sx != sv:  # type: ignore[operator]
        raise fail(
            "hvp",
            f"v must be a pytree like x; x is {sx}, v is {sv}",
            "Pass v with the same structure as x, e.g. jax.tree.map(jnp.ones_like, x)",
        )
    for a, b in zip(jax.tree.leaves(x), jax.tree.leaves(v), strict=True):
        if jnp.shape(a) != jnp.shape(b):
            raise fail(
                "hvp",
                f"v must have x's shapes; a leaf of x has shape {jnp.shape(a)}, "
                f"v's has {jnp.shape(b)}",
            )
    v = jax.tree.map(lambda a, b: jnp.asarray(b, jnp.result_type(a)), x, v)
    return jax.jvp(jax.grad(_scalar_output("hvp", "f", f)), (x,), (v,))[1]


def _scalar_output(func: str, name: str, f: Callable) -> Callable:
    """``f`` with its output checked where jax first sees it: a real scalar, else InputError."""

    def checked(*args: Any) -> jax.Array:
        return check_output(func, name, f(*args), scalar=True)

    return checked


def _array_output(func: str, name: str, f: Callable) -> Callable:
    """``f`` with its output checked: a non-empty pytree of real floating-point arrays."""

    def checked(*args: Any) -> PyTree:
        out = f(*args)
        _check_output_tree(func, name, out)
        return out

    return checked


def _check_output_tree(func: str, name: str, out: Any) -> None:
    if out is None or not jax.tree.leaves(out):
        raise fail(
            func,
            f"{name} returned {'None' if out is None else 'no arrays'}",
            "Return a jax array or a pytree of arrays"
            + (" (did you forget `return`?)" if out is None else ""),
        )
    for leaf in jax.tree.leaves(out):
        check_output(func, name, leaf)
        if not _is_float(jnp.result_type(leaf)):
            raise fail(
                func,
                f"{name} returned a {jnp.result_type(leaf)} leaf; it must return floats",
                "Return the floating-point quantity being differentiated",
            )


def _argnums(func: str, argnums: Any) -> tuple[int, ...]:
    """``argnums`` as a tuple of ints (an int or a non-empty tuple/list of distinct ints)."""
    many = isinstance(argnums, (tuple, list))
    nums = tuple(argnums) if many else (argnums,)
    if not nums or any(isinstance(a, bool) or not isinstance(a, (int, np.integer)) for a in nums):
        raise fail(
            func,
            f"argnums must be an integer or a tuple of integers, got {argnums!r}",
            "Pass argnums=0 or argnums=(0, 1)",
        )
    if len(set(nums)) != len(nums):
        raise fail(func, f"argnums has repeats: {argnums!r}")
    return tuple(int(a) for a in nums)


def _check_argnums_in_range(func: str, nums: tuple[int, ...], args: tuple) -> None:
    for a in nums:
        if not -len(args) <= a < len(args):
            raise fail(
                func,
                f"argnums {a} is out of range for {len(args)} positional argument(s)",
                f"Pass argnums between 0 and {len(args) - 1}",
            )


def _check_jacobian_args(func: str, f: Callable, nums: tuple[int, ...], args: tuple) -> tuple:
    """``f`` accepts ``args``; the differentiated ones are real (integers promoted to floats)."""
    check_arity(func, "f", f, len(args), "x" if len(args) == 1 else f"{len(args)} arguments")
    _check_argnums_in_range(func, nums, args)
    out = list(args)
    for a in nums:
        out[a] = check_real_floating(func, f"args[{a}]", args[a])
    return tuple(out)


def jacobian_mode(f: Callable[..., PyTree], *args: PyTree, argnums: int | Sequence[int] = 0) -> str:
    r"""``"fwd"`` or ``"rev"``: the cheaper mode for the Jacobian of ``f`` at ``args``' shapes.

    Forward mode costs one pass per input entry, reverse mode one per output entry,
    so forward mode wins when there are no more inputs than outputs
    (:math:`n_\text{in} \le n_\text{out}`). ``argnums`` may be a tuple, as in jax.

    Args:
        f: the function, of ``len(args)`` positional arguments.
        *args: the arguments (their shapes and dtypes are what count).
        argnums: the argument (an int) or arguments (a tuple of ints) of the Jacobian.

    Returns:
        ``"fwd"`` or ``"rev"``.

    Raises:
        InputError: for a bad ``argnums``, an ``f`` that is not a function of ``len(args)``
            arguments or that returns None, strings, complex or integer arrays, or a
            differentiated argument that holds complex or non-numeric leaves.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog import jacobian_mode
        >>> jacobian_mode(lambda x: jnp.sum(x**2), jnp.ones(100))
        'rev'
    """
    nums = _argnums("jacobian_mode", argnums)
    args = _check_jacobian_args("jacobian_mode", f, nums, args)
    return _cheaper_mode("jacobian_mode", f, nums, args)


def _cheaper_mode(func: str, f: Callable, nums: tuple[int, ...], args: tuple) -> str:
    n_in = sum(int(np.prod(jnp.shape(x))) for a in nums for x in jax.tree.leaves(args[a]))
    out = jax.eval_shape(_array_output(func, "f", f), *args)
    n_out = sum(int(np.prod(o.shape)) for o in jax.tree.leaves(out))
    return "fwd" if n_in <= n_out else "rev"


def jacobian(
    f: Callable[..., PyTree], argnums: int | Sequence[int] = 0, mode: str = "auto"
) -> Callable[..., PyTree]:
    r"""The Jacobian of ``f``, by ``jax.jacfwd`` or ``jax.jacrev`` picked by the sizes.

    :math:`J_{ij} = \partial f_i / \partial x_j`, in jax's layout: output shape then
    input shape; with a tuple ``argnums``, a tuple of Jacobians, one per argument.

    Args:
        f: the function.
        argnums: the argument (an int) or arguments (a tuple of ints) to differentiate
            with respect to.
        mode: ``"auto"`` (see :func:`jacobian_mode`), ``"fwd"`` or ``"rev"``.

    Returns:
        A function of ``f``'s arguments returning the Jacobian (same layout as jax's).
        It works under the caller's ``jit``/``vmap``.

    Raises:
        InputError: for a non-callable ``f``, a bad ``argnums`` or an unknown ``mode``;
            when the returned function is called, for arguments ``f`` does not accept, a
            differentiated argument holding complex or non-numeric leaves (integers are
            promoted to floats), or ``f`` returning None, strings, complex or integer arrays.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog import jacobian
        >>> jacobian(lambda x: x * x)(jnp.array([1.0, 2.0]))
        Array([[2., 0.],
               [0., 4.]], dtype=float32)
    """
    check_callable("jacobian", "f", f)
    nums = _argnums("jacobian", argnums)
    if not isinstance(mode, str) or mode not in ("auto", "fwd", "rev"):
        raise fail("jacobian", f"mode must be 'auto', 'fwd' or 'rev', got {mode!r}")
    jax_argnums = nums if isinstance(argnums, (tuple, list)) else nums[0]

    def jac(*args: PyTree) -> PyTree:
        args = _check_jacobian_args("jacobian", f, nums, args)
        m = _cheaper_mode("jacobian", f, nums, args) if mode == "auto" else mode
        checked = _array_output("jacobian", "f", f)
        return (jax.jacfwd if m == "fwd" else jax.jacrev)(checked, argnums=jax_argnums)(*args)

    return jac


def per_example_grads(loss: Callable[..., jax.Array], params: PyTree, *batch: jax.Array) -> PyTree:
    r"""The gradient of ``loss(params, *example)`` for every example of a batch: ``vmap(grad)``.

    :math:`g_n = \nabla_\theta\, \ell(\theta, x_n, y_n)` for each example :math:`n`.

    Args:
        loss: a scalar loss of ``params`` and one example (``loss(params, x, y)``).
        params: the parameters (shared by all examples).
        *batch: arrays (or pytrees of arrays) whose leading axis indexes the examples.

    Returns:
        A pytree like ``params`` with a leading batch axis on every leaf.

    Raises:
        InputError: if ``loss`` is not a function of ``1 + len(batch)`` arguments or does
            not return a real scalar, ``params`` holds complex or non-numeric leaves
            (integers are promoted to floats), no batch is given, a batch leaf has no
            leading axis, or the batch arrays differ in length.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog import per_example_grads
        >>> per_example_grads(lambda w, x, y: (w * x - y) ** 2, 1.0,
        ...                   jnp.array([1.0, 2.0]), jnp.array([0.0, 0.0]))
        Array([2., 8.], dtype=float32, weak_type=True)
    """
    check_callable("per_example_grads", "loss", loss)
    if not batch:
        raise fail(
            "per_example_grads",
            "no batch was given",
            "Pass the examples after params: per_example_grads(loss, params, x, y)",
        )
    sizes = set()
    for b in batch:
        leaves = jax.tree.leaves(b)
        if not leaves:
            raise fail("per_example_grads", f"a batch argument holds no arrays (got {b!r})")
        for leaf in leaves:
            if jnp.ndim(leaf) == 0:
                raise fail(
                    "per_example_grads",
                    "batch arrays need a leading example axis; got a scalar",
                    "Pass arrays of shape (num_examples, ...)",
                )
            sizes.add(jnp.shape(leaf)[0])
    if len(sizes) > 1:
        raise fail(
            "per_example_grads",
            f"batch arrays have different lengths {sorted(sizes)}",
            "Give every batch array the same number of examples (leading axis)",
        )
    check_arity("per_example_grads", "loss", loss, 1 + len(batch), "params, *example")
    params = check_real_floating("per_example_grads", "params", params)
    in_axes = (None,) + (0,) * len(batch)
    checked = _scalar_output("per_example_grads", "loss", loss)
    return jax.vmap(jax.grad(checked), in_axes=in_axes)(params, *batch)
