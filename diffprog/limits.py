r"""Numerical limits (two-sided, one-sided, at ±inf) with an error estimate and an honest verdict.

``limit(f, x0)`` never evaluates ``f`` at ``x0``. It evaluates ``f`` once, vectorised
(``jax.vmap``), on a geometric sequence of points approaching ``x0`` from each side,

.. math::

    x_k = x_0 \pm s\,h_k, \quad h_k = \text{step}\cdot 2^{-k}, \quad k = 0, \dots, N-1,
    \quad s = \max(1, |x_0|),

and on a second sequence interleaved with it (``h_k / sqrt(2)``); at ``x0 = ±inf`` it
uses ``x = ±1/h_k``. The sequence is long: it runs down to ``s h_{N-1} ≈ 4 eps s``, the
closest a point can get to ``x0`` in the dtype (``eps`` is its machine epsilon), so the
steps are relative to ``x0``'s scale and stop at its float spacing. The offsets actually
used are ``fl(x0 ± s h_k) - x0`` (exact in floating point), so the rounding of ``x0 + h``
at large ``|x0|`` does not bias the extrapolation.

Extrapolation, in windows of ``num_points`` consecutive points (largest steps first, each
window overlapping the next by half):

* **Richardson extrapolation** (Neville's scheme on the actual offsets). If
  ``y(h) = L + a_1 h + a_2 h^2 + ...`` (true for any ``f`` smooth on that side), each
  column of the table removes one power of ``h``. Each entry's error is estimated from its
  neighbours in the table.
* **Aitken's delta-squared** handles ``y(h) = L + c h^p`` with an unknown power ``p``.

In each window the candidate with the smallest estimated error wins, as in numdifftools'
``Limit``; the two interleaved sequences are extrapolated separately and their
disagreement is added to the error estimate. The first window (largest steps) whose error
is small *relative to the function's own scale there* (``max |f|`` over the window's
samples) gives the value; a later window replaces it only if it agrees within both error
estimates and is more accurate (a plateau of rounding noise close to ``x0`` cannot); a
later converged window that disagrees widens the error to cover it. The returned error of a
converged window is twice its estimate (a safety factor).

Verdicts. Every threshold is relative to the function's own scale, never absolute. Each
side is classified in this order:

1. **undefined** — f is NaN near x0 and no window converged.
2. **exists** — a window converged: error ``≤ eps^(1/3) ·`` the scale of its samples.
3. **±inf** — the last half of both sequences is strictly monotone in one direction and
   its steps do not shrink (geometric mean of ``|Δy_{k+1}| / |Δy_k|`` at least 0.98; ``1/h``
   has 2, ``log h`` exactly 1); overflow to ``±inf`` *after* such growth counts too.
4. **exists (slowly)** — the values close in: the spread of the last half is at most a
   quarter of that of the first half *and* at most 1% of the function's scale
   (``x·sin(1/x)``, ``sqrt(x)·log(x)`` in float64). Value: the sample closest to ``x0``;
   error: twice that spread.
5. **oscillates** — the values keep changing direction and do not close in (``sin(1/x)``).
6. **undetermined: <reason>** — everything else, instead of a guess: a slow or irregular
   approach; ``±inf`` values that did not grow there (overflow of the dtype); NaN closer
   to ``x0`` than a converged window; one-sided limits whose difference is comparable
   to their errors; or an ``x0`` so large that the dtype cannot get closer to it than
   ``4 eps |x0| > sqrt(eps)`` (then only a converged window or a divergence is trusted;
   use ``diffprog.float64()``).

Two-sided: both sides exist and ``|l - r| ≤ 2 (e_l + e_r) + 16 eps max(|l|, |r|)`` →
the limit is their mean; ``|l - r| > 8 (e_l + e_r) + ...`` → the one-sided limits differ;
in between → undetermined. Both sides to the same infinity → that infinity. ``.exists``
is True only for a finite limit; ``+inf`` "does not exist" as a number and its verdict is
``"+inf"``.

Known limitations: a limit approached logarithmically slowly (``1/log(1/x)``) can be
called "exists" with an error estimate that is too small; features of ``f`` closer to
``x0`` than the smallest step (``4 eps s``) are invisible.

References:
    L. F. Richardson, *The deferred approach to the limit*, Phil. Trans. R. Soc. A 226 (1927).
    P. Wynn, *On a device for computing the e_m(S_n) transformation*, MTAC 10 (1956).
    P. A. Brodtkorb, numdifftools ``Limit`` (https://github.com/pbrod/numdifftools).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from ._result import result
from ._validate import (
    check_arity,
    check_choice,
    check_int,
    check_output,
    check_representable,
    fail,
    is_tracer,
)
from .precision import default_float

__all__ = ["LimitError", "LimitResult", "limit"]

# Status codes (int arrays, so that a LimitResult is a pytree that jit/vmap can return).
NOT_COMPUTED, EXISTS, POS_INF, NEG_INF, DIFFER, OSCILLATES, UNDEFINED, UNDETERMINED = (
    -1,
    0,
    1,
    2,
    3,
    4,
    5,
    6,
)
# Why a verdict is "undetermined" (the ``reason`` leaf).
R_NONE, R_SLOW, R_RESOLUTION, R_OVERFLOW, R_NAN_NEAR, R_SIDES, R_PLATEAU = 0, 1, 2, 3, 4, 5, 6
_REASONS = {
    R_SLOW: "the values approach slowly or irregularly: no clear convergence, divergence or "
    "oscillation within the steps tried",
    R_RESOLUTION: "x0 is too large for {dtype}: the closest points tried are about 4 eps |x0| "
    "away (the float spacing there), too far to see the approach; use "
    "`with diffprog.float64():`",
    R_OVERFLOW: "f's values overflow {dtype} (±inf, or within a factor 16 of its largest "
    "number) near x0 without growing towards it; use `with diffprog.float64():`",
    R_NAN_NEAR: "f is NaN at points closer to x0 than those that converged; check f near x0",
    R_PLATEAU: "f's values stop changing close to x0 (rounding has swallowed the approach, as "
    "(1 - cos x)/x**2 does in low precision); rewrite f to avoid the cancellation or "
    "use `with diffprog.float64():`",
    R_SIDES: "the one-sided limits ({left}, {right}) neither clearly agree nor clearly differ "
    "within their errors",
}
_SIDES = ("both", "left", "right")
_DIVERGENCE_RATIO = 0.98  # geometric-mean step ratio at or above which the values diverge
_ENVELOPE_SHRINK = 0.25  # tail spread / head spread at or below which the values close in
_SLOW_TOL = 1e-2  # a slowly closing approach: tail spread at most this fraction of the scale


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "+inf" if x > 0 else "-inf"
    return f"{x:.6g}"


class LimitError(ArithmeticError):
    """A limit that does not exist as a finite number: raised by ``LimitResult.raise_if_failed``.

    Attributes:
        result: the :class:`LimitResult` (its ``verdict`` says why).
    """

    def __init__(self, message: str, result: LimitResult):
        super().__init__(message)
        self.result = result


_LEAVES = (
    "value",
    "error",
    "left",
    "right",
    "left_error",
    "right_error",
    "status",
    "left_status",
    "right_status",
    "reason",
    "left_reason",
    "right_reason",
)


@result(static=("side",), repr=False)
class LimitResult:
    """The outcome of :func:`limit`: the value, its error estimate, both sides and a verdict.

    Under ``jax.vmap`` every leaf gains the batch axes; ``exists``, ``ok`` and ``verdicts``
    are then arrays of that shape, ``verdict`` too, ``result[i]`` is the result at one point
    and the ``repr`` counts the verdicts.

    Attributes:
        value: the limit (``±inf`` for a divergence to an infinity, NaN when it does not exist
            or is undetermined).
        error: an estimate of ``|value - true limit|`` (NaN when there is no finite value).
        left, right: the one-sided limits (NaN where not computed or not existing).
        left_error, right_error: their error estimates.
        status, left_status, right_status: integer codes (see ``verdict``).
        reason, left_reason, right_reason: why a status is ``UNDETERMINED`` (0 otherwise).
        side: ``"both"``, ``"left"`` or ``"right"``, as asked.
    """

    value: Any
    error: Any
    left: Any
    right: Any
    left_error: Any
    right_error: Any
    status: Any
    left_status: Any
    right_status: Any
    reason: Any = 0
    left_reason: Any = 0
    right_reason: Any = 0
    side: str = "both"

    @property
    def ok(self) -> Any:
        """Whether a finite limit was found (``exists``): a bool, or a bool array for a batch."""
        return self.exists

    def raise_if_failed(self) -> LimitResult:
        """Raise :class:`LimitError` unless a finite limit exists (at every point of a batch).

        Raises:
            LimitError: the message gives the verdict (``"+inf"``, ``"does not exist: ..."``,
                ``"undetermined: ..."``), for a batch the count of each.
            InputError: called on traced values (inside ``jax.jit``): read ``status``.
        """
        if is_tracer(self.status):
            raise fail(
                "limit result.raise_if_failed",
                "needs concrete values, but the result is traced (inside jit or vmap)",
                "Read result.status (0 where the limit exists) instead",
            )
        if np.all(self.exists):
            return self
        if not self.shape:
            raise LimitError(f"limit: no finite limit: {self.verdict}", self)
        bad = [v for v in self.verdicts.ravel() if v != "exists"]
        counts: dict[str, int] = {}
        for v in bad:
            counts[v] = counts.get(v, 0) + 1
        shown = "; ".join(f"{n} × {v}" for v, n in counts.items())
        raise LimitError(
            f"limit: no finite limit at {len(bad)} of {self.status.size}: {shown}", self
        )

    # ------------------------------------------------------------------ batched results

    @property
    def shape(self) -> tuple[int, ...]:
        """The batch shape: ``()`` for one limit, the ``vmap`` axes for a batched result."""
        return tuple(np.shape(self.status))

    def __getitem__(self, index) -> LimitResult:
        """The result at one point (or a sub-batch) of a batched result."""
        if not self.shape:
            raise TypeError("this LimitResult holds one limit, not a batch: it cannot be indexed")
        return _from_leaves([getattr(self, n)[index] for n in _LEAVES], self.side)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("this LimitResult holds one limit, not a batch (it has no len)")
        return self.shape[0]

    @property
    def exists(self) -> Any:
        """Whether a finite limit exists: a bool, or a bool array for a batched result."""
        codes = np.asarray(self.status)
        return bool(codes == EXISTS) if codes.ndim == 0 else codes == EXISTS

    @property
    def verdicts(self) -> np.ndarray:
        """The verdict at every point, as a NumPy array of strings of the batch shape."""
        codes = np.asarray(self.status)
        out = np.empty(codes.shape, dtype=object)
        for idx in np.ndindex(codes.shape):
            out[idx] = self[idx].verdict if codes.ndim else self.verdict
        return out

    @property
    def verdict(self) -> Any:
        """In words: ``"exists"``, ``"+inf"``, ``"-inf"``, ``"does not exist: <why>"`` or
        ``"undetermined: <why>"`` (an array of them, as ``verdicts``, for a batched result)."""
        if self.shape:
            return self.verdicts
        code = int(self.status)
        if code == EXISTS:
            return "exists"
        if code in (POS_INF, NEG_INF):
            return "+inf" if code == POS_INF else "-inf"
        if code == DIFFER:
            return (
                f"does not exist: one-sided limits differ (left {self._side_text('left')}, "
                f"right {self._side_text('right')})"
            )
        if code == OSCILLATES:
            return "does not exist: oscillates"
        if code == UNDETERMINED:
            return "undetermined: " + self._reason_text(int(self.reason))
        if code == NOT_COMPUTED:
            return "not computed"
        return "does not exist: f is undefined (NaN) near x0"

    def _reason_text(self, reason: int) -> str:
        text = _REASONS.get(reason, "the algorithm could not decide")
        dtype = np.asarray(self.value).dtype.name
        left = f"left {self._side_text('left')} ± {float(self.left_error):.2g}"
        right = f"right {self._side_text('right')} ± {float(self.right_error):.2g}"
        return text.format(dtype=dtype, left=left, right=right)

    def _side_text(self, which: str) -> str:
        code = int(getattr(self, f"{which}_status"))
        if code in (EXISTS, POS_INF, NEG_INF):
            return _fmt(float(getattr(self, which)))
        return {OSCILLATES: "oscillates", UNDEFINED: "undefined", UNDETERMINED: "undetermined"}.get(
            code, "not computed"
        )

    def __repr__(self) -> str:
        if is_tracer(self.status):
            return f"LimitResult(<traced>, side={self.side!r})"
        if self.shape:
            counts: dict[str, int] = {}
            for v in self.verdicts.ravel():
                counts[v] = counts.get(v, 0) + 1
            shown = ", ".join(f"{n} × {v!r}" for v, n in counts.items())
            with np.printoptions(precision=6, threshold=8, edgeitems=2):
                return (
                    f"LimitResult(batch shape {self.shape}, value={np.asarray(self.value)}, "
                    f"error={np.asarray(self.error)}, verdicts: {shown})"
                )
        return (
            f"LimitResult(value={_fmt(float(self.value))}, error={float(self.error):.2g}, "
            f"verdict={self.verdict!r})"
        )


def _from_leaves(leaves: list[Any], side: str) -> LimitResult:
    """A LimitResult from its twelve leaves in ``_LEAVES`` order."""
    return LimitResult(**dict(zip(_LEAVES, leaves, strict=True)), side=side)


# --------------------------------------------------------------------------- checking input


def _check_args(f: Callable, x0: Any, side: str) -> None:
    check_arity("limit", "f", f, 1)
    check_choice("limit", "side", side, _SIDES)
    if is_tracer(x0):
        if jnp.ndim(x0) != 0:
            raise fail(
                "limit",
                f"x0 must be a scalar, got shape {jnp.shape(x0)}",
                "To take limits at many points use jax.vmap over x0",
            )
        return  # traced x0 (vmap over points): assumed finite
    if isinstance(x0, bool) or x0 is None or isinstance(x0, str):
        raise fail(
            "limit",
            f"x0 must be a real number (or ±inf), got {type(x0).__name__} {x0!r}",
            "Pass e.g. x0=0.0 or x0=math.inf",
        )
    arr = np.asarray(x0)
    if arr.shape != () or arr.dtype.kind not in "iuf":
        raise fail(
            "limit",
            f"x0 must be a real number (or ±inf), got {type(x0).__name__} "
            f"with shape {arr.shape} and dtype {arr.dtype}",
            "To take limits at many points use jax.vmap over x0",
        )
    if np.isnan(arr):
        raise fail(
            "limit",
            "x0 is NaN",
            "Pass the point to approach as a real number or ±inf (math.inf, -math.inf)",
        )
    check_representable("limit", "x0", x0)
    if np.isposinf(arr) and side == "right":
        raise fail(
            "limit", "x0 = +inf can only be approached from the left", "Use side='both' or 'left'"
        )
    if np.isneginf(arr) and side == "left":
        raise fail(
            "limit", "x0 = -inf can only be approached from the right", "Use side='both' or 'right'"
        )


_UNTRACEABLE = (
    jax.errors.TracerArrayConversionError,
    jax.errors.ConcretizationTypeError,
    jax.errors.TracerBoolConversionError,
    jax.errors.TracerIntegerConversionError,
)


def _batched(f: Callable, xs: jax.Array) -> Any:
    """``jax.vmap(f)(xs)``; an output that is not a jax type (a string) is an InputError."""
    try:
        return jax.vmap(f)(xs)
    except _UNTRACEABLE:
        raise
    except TypeError as err:
        if "not a valid JAX type" not in str(err):
            raise
        kind = str(err).split(" with type ")[-1].split(" is not")[0]
        raise fail(
            "limit",
            f"f must return one real number per x, but it returned a non-number ({kind})",
            "Return a jax scalar (e.g. `return jnp.sin(x) / x`)",
        ) from err


def _evaluate(f: Callable, xs: jax.Array) -> jax.Array:
    """``f`` at all ``xs`` in one vectorised call (a Python loop if f is not traceable)."""
    try:
        ys = _batched(f, xs)
    except _UNTRACEABLE as err:
        if is_tracer(xs):
            raise fail(
                "limit",
                f"f could not be traced ({type(err).__name__}: it converts x to a "
                "Python or NumPy number)",
                "Write f with jax.numpy (jnp.sin, jnp.where) to use limit under jit/vmap",
            ) from err
        outs = []
        for x in np.asarray(xs):
            out = check_output("limit", "f", f(float(x)), scalar=True)
            outs.append(np.asarray(out))
        ys = jnp.asarray(np.stack(outs))
    check_output("limit", "f", ys)
    ys = jnp.asarray(ys)
    if ys.shape != xs.shape:
        got = ys.shape[1:] if ys.ndim >= 1 and ys.shape[:1] == xs.shape else ys.shape
        raise fail(
            "limit",
            f"f must return one real number per scalar x, but it returned "
            f"shape {got} for a scalar x",
            "Reduce it to a scalar (e.g. index one component) before taking the limit",
        )
    return ys.astype(xs.dtype)


# --------------------------------------------------------------------------- one side


def _extrapolate(y, d, eps: float, xp):
    """Best Neville (Richardson) / Aitken extrapolation to offset 0 along the last axis.

    ``y`` and ``d`` (the offsets, decreasing) have shape ``(..., K)``; returns the best value
    and its error estimate, shape ``(...)``.
    """
    num = y.shape[-1]
    cols = [y]
    for j in range(1, num):
        prev = cols[-1]
        lo, hi = d[..., : num - j], d[..., j:]  # x_i and x_{i+j}
        cols.append((lo * prev[..., 1:] - hi * prev[..., :-1]) / (lo - hi))
    values, errors = [], []
    for j in range(1, num - 1):
        c, p = cols[j], cols[j - 1]  # c[i] sits at row i + j, p[i] at row i + j - 1
        if c.shape[-1] < 3:
            break
        # Distance to the neighbours R[k,j-1], R[k-1,j], R[k-1,j-1] and R[k-2,j]: for a smooth f
        # all are close; for erratic values a small distance to all four is rare.
        cc = c[..., 2:]
        err = xp.maximum(
            xp.maximum(xp.abs(cc - p[..., 3:]), xp.abs(cc - c[..., 1:-1])),
            xp.maximum(xp.abs(cc - p[..., 2:-1]), xp.abs(cc - c[..., :-2])),
        )
        values.append(cc)
        errors.append(err + 4.0 * eps * xp.abs(cc))
    # Aitken's delta-squared: exact for L + c·q^k with any |q| < 1 (y = L + c h^p).
    d1, d2 = y[..., 1:-1] - y[..., :-2], y[..., 2:] - y[..., 1:-1]
    q = d2 / xp.where(d1 == 0, 1.0, d1)
    ait = y[..., 2:] - d2**2 / xp.where(d2 - d1 == 0, 1.0, d2 - d1)
    ok = (xp.abs(q) < 0.95) & (d1 != 0) & (d2 != d1)
    # The accelerated values converge geometrically too (slowly for h^p log h): the error
    # is the rest of that series, |Δ| / (1 - q) with q the ratio of successive |Δ|.
    a_d = xp.abs(ait[..., 1:] - ait[..., :-1])
    q_a = a_d[..., 1:] / xp.where(a_d[..., :-1] == 0, 1.0, a_d[..., :-1])
    q_a = xp.where(a_d[..., :-1] == 0, 0.0, xp.minimum(q_a, 0.95))
    a_err = a_d[..., 1:] / (1.0 - q_a) + 4.0 * eps * xp.abs(ait[..., 2:])
    a_err = xp.where(ok[..., 2:] & ok[..., 1:-1] & ok[..., :-2], a_err, xp.inf)
    values.append(ait[..., 2:])
    errors.append(a_err)
    v, e = xp.concatenate(values, axis=-1), xp.concatenate(errors, axis=-1)
    e = xp.where(xp.isfinite(v) & xp.isfinite(e), e, xp.inf)
    best = xp.argmin(e, axis=-1)[..., None]
    return (
        xp.take_along_axis(v, best, axis=-1)[..., 0],
        xp.take_along_axis(e, best, axis=-1)[..., 0],
    )


def _windows(n: int, k: int) -> list[int]:
    """Start indices of windows of length ``k`` over ``n`` points, overlapping by half."""
    starts = list(range(0, n - k + 1, max(1, k // 2)))
    if starts[-1] != n - k:
        starts.append(n - k)
    return starts


def _diverging(t, xp, min_pairs: int = 2):
    """Along the last axis: whether the finite part of ``t`` is strictly monotone with steps
    that do not shrink, any ±inf only after it, in its direction; and that direction (up)."""
    fin = xp.isfinite(t)
    d = t[..., 1:] - t[..., :-1]
    both = fin[..., 1:] & fin[..., :-1]
    up = xp.all(xp.where(both, d > 0, True), axis=-1)
    down = xp.all(xp.where(both, d < 0, True), axis=-1)
    nd = xp.where(both, xp.abs(d), 0.0)
    pair = both[..., 1:] & both[..., :-1]
    ratios = nd[..., 1:] / xp.where(nd[..., :-1] == 0, 1.0, nd[..., :-1])
    logs = xp.where(pair, xp.log(xp.where(ratios > 0, ratios, 1e-30)), 0.0)
    npair = xp.sum(pair, axis=-1)
    gmean = xp.exp(xp.sum(logs, axis=-1) / xp.maximum(npair, 1))
    # infinities only after the last finite value, with the sign of the direction
    idx = xp.arange(t.shape[-1])
    last_fin = xp.max(xp.where(fin, idx, -1), axis=-1)
    inf_ok = xp.where(up[..., None], t == xp.inf, t == -xp.inf)
    infs_at_end = xp.all(xp.where(idx > last_fin[..., None], inf_ok, True), axis=-1)
    nan_free = ~xp.any(xp.isnan(t), axis=-1)
    ok = (up | down) & (npair >= min_pairs) & (gmean >= _DIVERGENCE_RATIO) & infs_at_end & nan_free
    return ok, up


def _sides(y: Any, d: Any, k: int, eps: float, big: float, coarse: Any, xp: Any) -> tuple:
    """(value, error, status, reason) of each side, each of shape ``(S,)``.

    ``y``, ``d``: shape ``(S, 2, N)`` — per side, the values and offsets of the two
    interleaved sequences. ``coarse``: whether x0 is too large for the dtype to approach it
    closely (see the module docstring).
    """
    num = y.shape[-1]
    finite = xp.isfinite(y)
    # normalise by each side's largest finite |value| (no overflow inside the extrapolation)
    absmax = xp.max(xp.where(finite, xp.abs(y), 0.0), axis=(1, 2))
    scale = xp.where(absmax > 0, absmax, 1.0)
    yn = y / scale[:, None, None]
    starts, vw, ew, thr, fast, plateau = _window_estimates(yn, d, k, eps, xp)
    chosen = _converged_window(vw, ew, thr, fast, starts, k, num, eps, xp)
    return _classify(yn, scale, absmax > big / 16.0, coarse, plateau, chosen, xp)


def _window_estimates(yn: Any, d: Any, k: int, eps: float, xp: Any) -> tuple:
    """Per window: the extrapolated value, its error, the convergence threshold, whether it
    converged (``fast``) and whether it is a rounding plateau; all shaped (S, W)."""
    starts = _windows(yn.shape[-1], k)
    yw = xp.stack([yn[..., s : s + k] for s in starts], axis=2)  # (S, 2, W, k)
    dw = xp.stack([d[..., s : s + k] for s in starts], axis=2)
    v, e = _extrapolate(yw, dw, eps, xp)  # (S, 2, W)
    # the two sequences must agree: a chance coincidence in one does not repeat in the other
    vw = xp.where(e[:, 0] <= e[:, 1], v[:, 0], v[:, 1])  # (S, W)
    ew = xp.maximum(xp.minimum(e[:, 0], e[:, 1]), 2.0 * xp.abs(v[:, 0] - v[:, 1]))
    ew = xp.where(xp.isfinite(vw), ew, xp.inf)
    wscale = xp.max(xp.where(xp.isfinite(yw), xp.abs(yw), 0.0), axis=(1, 3))
    # ... and the samples must approach the value (not run away from it, as 1/x^2 does)
    dist = xp.abs(yw - xp.where(e <= e[:, ::-1], v, v[:, ::-1])[..., None])
    half = k // 2
    approach = xp.all(
        xp.min(dist[..., half:], axis=-1) <= 0.75 * xp.max(dist[..., :half], axis=-1) + 2.0 * e,
        axis=1,
    )  # (S, W)
    thr = eps ** (1.0 / 3.0) * xp.maximum(wscale, xp.abs(vw))
    # A window ending in exactly equal values that do not continue the previous window's
    # estimate: rounding has swallowed the approach ((1 - cos x)/x^2 is exactly 0 for tiny
    # x); such a window, and every flat one after it, proves nothing.
    last4 = yw[..., -4:]
    flat_seq = xp.max(last4, axis=-1) == xp.min(last4, axis=-1)  # (S, 2, W)
    flat_end = flat_seq[:, 0] | flat_seq[:, 1]
    flat_val = xp.where(flat_seq[:, 0], yw[:, 0, :, -1], yw[:, 1, :, -1])
    plateaus = [xp.zeros(yn.shape[0], bool)]
    for w in range(1, len(starts)):
        off = xp.abs(flat_val[:, w] - vw[:, w - 1]) > ew[:, w - 1] + 16.0 * eps * xp.abs(
            flat_val[:, w]
        )
        plateaus.append(flat_end[:, w] & (plateaus[-1] | off))
    plateau = xp.stack(plateaus, axis=1)
    fast = (ew <= thr) & approach & ~plateau
    return starts, vw, ew, thr, fast, plateau


def _converged_window(
    vw: Any, ew: Any, thr: Any, fast: Any, starts: list[int], k: int, num: int, eps: float, xp: Any
) -> tuple:
    """The first converged window; a later one only if it agrees and is more accurate.

    Returns ``(found, val, err, dropped, dropped_val, first_end)`` per side.
    """
    nside = vw.shape[0]
    dtype = vw.dtype
    found = xp.zeros(nside, bool)
    chain = xp.ones(nside, bool)
    val = xp.full(nside, xp.nan, dtype)
    err = xp.full(nside, xp.inf, dtype)
    thr_chosen = xp.full(nside, xp.inf, dtype)
    dropped = xp.zeros(nside, bool)
    dropped_val = xp.zeros(nside, dtype)
    first_end = xp.full(nside, num)  # index just past the chosen window
    for w, s in enumerate(starts):
        gap = xp.abs(vw[:, w] - val)
        agrees = gap <= err + ew[:, w]
        take = ~found & ~dropped & fast[:, w]
        cont = found & chain & fast[:, w]
        better = cont & agrees & (ew[:, w] < err)
        # the next converged window disagrees: the error was underestimated; widen it to
        # cover that window's value (and drop the window if that is no longer small)
        # (unless the chosen window converged to near rounding level: then the later one is
        # a plateau of rounding noise, as (1 - cos x)/x^2 becomes exactly 0 near x = 0)
        widen = cont & ~agrees & (err > math.sqrt(eps) * thr_chosen / eps ** (1.0 / 3.0))
        chain = chain & (~found | (fast[:, w] & agrees))
        val = xp.where(take | better, vw[:, w], val)
        widened = xp.where(widen, xp.maximum(err, 2.0 * (gap + ew[:, w])), err)
        err = xp.where(take | better, ew[:, w], widened)
        thr_chosen = xp.where(take, thr[:, w], thr_chosen)
        drop = widen & (err > thr_chosen)
        dropped_val = xp.where(drop & ~dropped, val, dropped_val)
        dropped = dropped | drop
        found = (found | take) & ~drop
        first_end = xp.where(take, s + k, first_end)
    return found, val, err, dropped, dropped_val, first_end


def _classify(
    yn: Any, scale: Any, near_max: Any, coarse: Any, plateau: Any, chosen: tuple, xp: Any
) -> tuple:
    """The verdict of each side from the chosen window and the samples themselves."""
    found, val, err, dropped, dropped_val, first_end = chosen
    num = yn.shape[-1]
    m = num // 2
    head, tail = yn[..., :m], yn[..., num - m :]
    idx = xp.arange(num)
    isnan = xp.isnan(yn)
    nan_any = xp.any(xp.isnan(tail), axis=(1, 2))
    beyond = idx >= first_end[:, None, None]
    nan_beyond = xp.any(isnan & beyond, axis=(1, 2)) & ~xp.any(isnan & ~beyond, axis=(1, 2))
    inf_any = xp.any(xp.isinf(tail), axis=(1, 2))
    div, up = _diverging(tail, xp)  # (S, 2)
    # values that overflow early (exp(1/x)): judge the growth on the whole sequence
    div_all, up_all = _diverging(yn, xp, min_pairs=1)
    early = xp.sum(xp.isfinite(tail), axis=-1) < 4
    div = xp.where(early, div_all, div)
    up = xp.where(early, up_all, up)
    diverges = div[:, 0] & div[:, 1] & (up[:, 0] == up[:, 1])

    def spread(t):
        fin = xp.isfinite(t)
        return xp.max(xp.where(fin, t, -xp.inf), axis=(1, 2)) - xp.min(
            xp.where(fin, t, xp.inf), axis=(1, 2)
        )

    spread_tail, spread_head = spread(tail), spread(head)
    slow_gap = xp.where(dropped, xp.abs(dropped_val - yn[:, 1, -1]), 0.0)
    closing = (
        (spread_tail <= _ENVELOPE_SHRINK * spread_head)
        & (slow_gap <= _SLOW_TOL)
        & (spread_tail <= _SLOW_TOL)  # of the scale: the values are normalised
        & ~inf_any
        & ~nan_any
    )
    dt = tail[..., 1:] - tail[..., :-1]
    turns = xp.sum((dt[..., 1:] * dt[..., :-1]) < 0, axis=-1)  # (S, 2)
    oscillating = xp.all(turns >= max(2, (m - 2) // 4), axis=-1) & ~nan_any & ~inf_any

    und = UNDETERMINED
    status = xp.where(
        found & ~nan_any & ~inf_any,
        EXISTS,
        xp.where(
            found & nan_beyond,
            und,
            xp.where(
                nan_any,
                UNDEFINED,
                xp.where(
                    diverges,
                    xp.where(up[:, 0], POS_INF, NEG_INF),
                    xp.where(
                        found,
                        EXISTS,
                        xp.where(
                            inf_any,
                            und,
                            xp.where(closing, EXISTS, xp.where(oscillating, OSCILLATES, und)),
                        ),
                    ),
                ),
            ),
        ),
    )
    any_plateau = xp.any(plateau, axis=1)
    status = xp.where(~found & any_plateau & (status != UNDEFINED) & ~diverges, und, status)
    reason = xp.where(
        found & nan_beyond,
        R_NAN_NEAR,
        xp.where(
            inf_any | (near_max & ~diverges), R_OVERFLOW, xp.where(any_plateau, R_PLATEAU, R_SLOW)
        ),
    )
    # near the dtype's largest number only a divergence is trusted
    status = xp.where(near_max & ~diverges & (status != UNDEFINED), und, status)
    # x0 too large to approach closely: only a converged window or a divergence is trusted
    weak = (
        (status == OSCILLATES)
        | ((status == EXISTS) & ~found)
        | ((status == und) & (reason == R_SLOW))
    )
    res_limited = coarse & weak
    status = xp.where(res_limited, und, status)
    reason = xp.where(res_limited, R_RESOLUTION, reason)
    reason = xp.where(status == und, reason, R_NONE)

    value = xp.where(found, val, yn[:, 1, -1]) * scale  # slow: the sample closest to x0
    # a window that seemed to converge but was contradicted: the slow estimate must cover it
    slow_err = xp.maximum(
        2.0 * spread_tail, xp.where(dropped, xp.abs(dropped_val - yn[:, 1, -1]), 0.0)
    )
    error = xp.where(found, 2.0 * err, slow_err) * scale  # 2: a safety factor on the estimate
    value = xp.where(
        status == POS_INF,
        xp.inf,
        xp.where(status == NEG_INF, -xp.inf, xp.where(status == EXISTS, value, xp.nan)),
    )
    error = xp.where(status == EXISTS, error, xp.nan)
    return value, error, status.astype(xp.int32), reason.astype(xp.int32)


# --------------------------------------------------------------------------- the limit


def limit(
    f: Callable[[jax.Array], ArrayLike],
    x0: ArrayLike,
    side: str = "both",
    *,
    step: float = 0.125,
    num_points: int | None = None,
) -> LimitResult:
    r"""The limit of ``f(x)`` as ``x → x0``, with an error estimate and a verdict.

    :math:`\lim_{x\to x_0} f(x) = L` when :math:`f(x)` gets arbitrarily close to :math:`L`
    for all :math:`x \ne x_0` close enough to :math:`x_0`. Numerically: evaluate :math:`f` at

    .. math:: x_k = x_0 \pm s\,h_k,\qquad h_k = \text{step}\cdot 2^{-k},\qquad s = \max(1, |x_0|),

    (at :math:`x_0 = \pm\infty`, at :math:`\pm 1/h_k`) down to :math:`s h_k \approx 4
    \varepsilon s`, the float spacing at :math:`x_0`, and extrapolate to :math:`h = 0`
    (Richardson, Aitken) in windows of ``num_points`` points. Every verdict is relative to
    the function's own scale (the largest :math:`|f|` sampled), never to an absolute
    threshold. See the module docstring for how divergence, jumps and oscillation are told.

    The guarantee: a returned ``"exists"`` comes with an ``error`` estimated to cover the
    true error; when the samples do not settle the question the verdict is
    ``"undetermined: <reason>"`` (``value`` NaN), never a guessed mathematical verdict.

    Under ``jax.vmap`` (the way to take many limits) every field gains the batch axes and
    ``.exists``/``.verdict`` become per-point arrays. ``limit`` holds no compiled cache
    on ``f``: it evaluates ``f`` eagerly each call; wrap your own code in ``jax.jit`` to
    compile it. When traced, the classification runs as a host callback (float32) or as
    diffprog's own compiled code (float64, or under ``jax.grad``: the value is then
    differentiable with respect to parameters of ``f``).

    Args:
        f: a real function of one scalar, written with ``jax.numpy`` (it is called once,
            through ``jax.vmap``, on all points; a function that is not traceable is
            evaluated point by point instead, outside ``jit``). It must return one real
            number per ``x`` (not ``None``, a tuple or a complex number).
        x0: the point to approach: a real number, ``math.inf`` or ``-math.inf``. It must
            fit the active dtype (float32 unless ``diffprog.float64()`` is on).
        side: ``"both"`` (default), ``"left"`` (x ↑ x0) or ``"right"`` (x ↓ x0). At
            ``+inf`` only the left exists, at ``-inf`` only the right; ``"both"`` means that one.
        step: the largest step, relative to ``max(1, |x0|)``, in (0, 1].
        num_points: sample points per extrapolation window (default 10 in float32, 16 in float64;
            at least 5).

    Returns:
        A :class:`LimitResult` (a pytree: it can be returned from ``jit``/``vmap``;
        ``.exists``/``.ok``, ``.verdict``, ``.raise_if_failed()`` and ``repr`` need concrete
        values).

    Raises:
        InputError: ``f`` is not a function of one argument or returns something other than
            one real number per ``x``; ``x0`` is not a real scalar, is NaN or exceeds the
            dtype; ``side`` is unknown (or impossible at ±inf); ``step`` or ``num_points`` is
            out of range.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog import limit
        >>> r = limit(lambda x: jnp.sin(x) / x, 0.0)
        >>> round(float(r.value), 4), r.exists
        (1.0, True)
        >>> limit(lambda x: jnp.abs(x) / x, 0.0).verdict
        'does not exist: one-sided limits differ (left -1, right 1)'
        >>> limit(lambda x: 1e-5 / x, 0.0, side="right").verdict
        '+inf'

    References:
        Richardson (1927); Wynn (1956); numdifftools ``Limit``.
    """
    _check_args(f, x0, side)
    np_dtype = np.dtype(default_float())
    eps = float(np.finfo(np_dtype).eps)
    big = float(np.finfo(np_dtype).max)
    k = 16 if np_dtype == np.float64 else 10
    if num_points is not None:
        k = check_int("limit", "num_points", num_points, least=5, most=64)
    step = _check_step(step)
    at_inf = 0
    if not is_tracer(x0) and np.isinf(np.asarray(x0)):
        at_inf = 1 if float(np.asarray(x0)) > 0 else -1
    want_left = side in ("both", "left") and at_inf != -1
    want_right = side in ("both", "right") and at_inf != 1
    names = tuple(n for n, want in (("left", want_left), ("right", want_right)) if want)
    xs, offs, coarse = _sample_points(x0, names, step, k, at_inf, np_dtype)
    ys: Any = _evaluate(f, jnp.asarray(xs, np_dtype).reshape(-1))
    traced = is_tracer(ys) or is_tracer(x0)
    ys = (ys if traced else np.asarray(ys)).reshape(len(names), 2, xs.shape[-1])
    settings = (k, eps, big, names, side, at_inf, np_dtype)
    if traced:  # inside the user's jit/vmap: the same NumPy code, on the values, via a callback
        return _finish_traced(ys, jnp.asarray(offs, np_dtype), jnp.asarray(coarse), *settings)
    with np.errstate(all="ignore"):
        return _finish(ys, np.asarray(offs, np_dtype), np.asarray(coarse), *settings, np)


def _check_step(step: Any) -> float:
    if (
        isinstance(step, bool)
        or not isinstance(step, int | float | np.floating)
        or not (0 < float(step) <= 1)
    ):
        raise fail(
            "limit",
            f"step must be a number in (0, 1], got {step!r}",
            "Pass e.g. step=0.125 (the default)",
        )
    return float(step)


def _sample_points(
    x0: Any, names: tuple[str, ...], step: float, k: int, at_inf: int, np_dtype: np.dtype
) -> tuple[Any, Any, Any]:
    """The points ``xs``, the offsets actually used and the ``coarse`` flag, (S, 2, N) each.

    Two interleaved geometric sequences ``step 2^-j`` and ``step 2^-(j + 1/2)``, scaled by
    ``max(1, |x0|)``, from ``step`` down to two float spacings at ``x0`` (at ``±inf``: ``±1/h``).
    """
    eps = float(np.finfo(np_dtype).eps)
    # down to h_min = step 2^-(N-1) >= 2 eps: s h_min >= 2 eps |x0|, at least 2 float spacings
    num = max(k, int(math.floor(math.log2(step / (2.0 * eps)))) + 1)
    kk = np.arange(num)
    h = step * np.stack([2.0**-kk, 2.0 ** -(kk + 0.5)])  # (2, N)
    if at_inf:
        xs = np.asarray(at_inf / h, np_dtype)[None]
        return xs, np.asarray(h, np_dtype)[None], np.asarray(False)
    xp: Any = jnp if is_tracer(x0) else np
    xv = xp.asarray(x0, np_dtype)
    s = xp.maximum(np_dtype.type(1.0), xp.abs(xv))
    hs = xp.asarray(h, np_dtype) * s
    sign = np.asarray([-1.0 if n == "left" else 1.0 for n in names], np_dtype)[:, None, None]
    xs = xv + sign * hs  # (S, 2, N): x0 - h on the left, x0 + h on the right
    offs = sign * (xs - xv)  # the offsets actually used (exact in floating point)
    return xs, offs, 4.0 * eps * xp.abs(xv) > math.sqrt(eps)


def _finish(ys, offs, coarse, k, eps, big, names, side, at_inf, dtype, xp) -> LimitResult:
    """Classify each side and combine them (NumPy on concrete values: fast for a few hundred
    numbers; jax.numpy, compiled once per shape, when traced)."""
    per_side = _sides(ys, offs, k, eps, big, coarse, xp)
    sides = {n: tuple(part[i] for part in per_side) for i, n in enumerate(names)}
    return _combine(sides, side, at_inf, eps, dtype, xp)


def _finish_traced(ys, offs, coarse, k, eps, big, names, side, at_inf, dtype) -> LimitResult:
    """``_finish`` under the user's jit/vmap: a host callback runs the NumPy classification on
    the concrete values (a compiled jax.numpy version takes seconds to compile per shape)."""

    def host(ys, offs, coarse):
        with np.errstate(all="ignore"):
            r = _finish(
                np.asarray(ys),
                np.asarray(offs),
                np.asarray(coarse),
                k,
                eps,
                big,
                names,
                side,
                at_inf,
                dtype,
                np,
            )
        leaves = [getattr(r, n) for n in _LEAVES]
        return tuple(
            np.asarray(leaf, dtype if i < 6 else np.int32) for i, leaf in enumerate(leaves)
        )

    differentiating = type(ys).__name__ in ("JVPTracer", "LinearizeTracer")
    if dtype == np.float64 or differentiating:
        # the host callback runs on a thread without the float64 context (its float64
        # results would be cast to float32), and has no derivative (under jax.grad):
        # compile the jax.numpy version instead
        return _finish_jit(
            ys,
            offs,
            coarse,
            k=k,
            eps=eps,
            big=big,
            names=names,
            side=side,
            at_inf=at_inf,
            dtype=dtype,
        )
    shapes = tuple(jax.ShapeDtypeStruct((), dtype if i < 6 else np.int32) for i in range(12))
    leaves = jax.pure_callback(host, shapes, ys, offs, coarse, vmap_method="sequential")
    return _from_leaves(list(leaves), side)


# jit of diffprog's own post-processing (keyed on shapes and settings, never on the user's f)
_finish_jit = jax.jit(
    lambda ys, offs, coarse, *, k, eps, big, names, side, at_inf, dtype: _finish(
        ys, offs, coarse, k, eps, big, names, side, at_inf, dtype, jnp
    ),
    static_argnames=("k", "eps", "big", "names", "side", "at_inf", "dtype"),
)


def _combine(sides: dict, side: str, at_inf: int, eps: float, dtype, xp) -> LimitResult:
    """The two-sided verdict from the one-sided ones (or the one side asked for)."""
    nan, none = xp.asarray(np.nan, dtype), xp.asarray(NOT_COMPUTED, np.int32)
    zero = xp.asarray(0, np.int32)
    lv, le, ls, lr = sides.get("left", (nan, nan, none, zero))
    rv, re, rs, rr = sides.get("right", (nan, nan, none, zero))
    if side != "both" or at_inf:
        value, error, status, reason = sides[next(iter(sides))]
    else:
        both_exist = (ls == EXISTS) & (rs == EXISTS)
        gap = xp.abs(lv - rv)
        slack = 16.0 * eps * xp.maximum(xp.abs(lv), xp.abs(rv))
        agree = both_exist & (gap <= 2.0 * (le + re) + slack)
        apart = both_exist & (gap > 8.0 * (le + re) + slack)
        definite_l = (ls == EXISTS) | (ls == POS_INF) | (ls == NEG_INF)
        definite_r = (rs == EXISTS) | (rs == POS_INF) | (rs == NEG_INF)
        same_inf = ((ls == POS_INF) | (ls == NEG_INF)) & (ls == rs)
        differ = (definite_l & definite_r & ~same_inf & ~both_exist) | apart
        either_undefined = (ls == UNDEFINED) | (rs == UNDEFINED)
        either_osc = (ls == OSCILLATES) | (rs == OSCILLATES)
        status = xp.where(
            agree,
            EXISTS,
            xp.where(
                same_inf,
                ls,
                xp.where(
                    either_undefined,
                    UNDEFINED,
                    xp.where(either_osc, OSCILLATES, xp.where(differ, DIFFER, UNDETERMINED)),
                ),
            ),
        )
        reason = xp.where(
            status != UNDETERMINED,
            R_NONE,
            xp.where(ls == UNDETERMINED, lr, xp.where(rs == UNDETERMINED, rr, R_SIDES)),
        )
        value = xp.where(agree, 0.5 * lv + 0.5 * rv, xp.where(same_inf, lv, np.nan))
        error = xp.where(agree, xp.maximum(xp.maximum(le, re), 0.5 * gap), np.nan)
    leaves = [xp.asarray(v, dtype) for v in (value, error, lv, rv, le, re)]
    codes = [xp.asarray(c).astype(np.int32) for c in (status, ls, rs, reason, lr, rr)]
    return _from_leaves([*leaves, *codes], side)
