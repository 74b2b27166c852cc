"""Cost functions of ``(y_hat, y)`` and their gradients with respect to ``y_hat``, derived by hand.

Every cost is the *mean* over the examples of a per-example loss, and comes with a
``*_grad`` twin computing :math:`\\partial C / \\partial \\hat y` from the derivation in
its docstring (tests check each against ``jax.grad``, kinks and extremes included).
``linear_mse_value_and_grad`` fuses the linear model ``y_hat = m x + b`` with the MSE:
one pass over the data gives the cost and both parameter gradients.

Conventions: ``mse`` is the plain mean of squared residuals (no factor 1/2), so
``mse_grad = 2 (y_hat - y) / n``. At the kink of ``|r|`` (``r = 0``) the derivative
used is the right derivative, ``+1``, the same as ``jax.grad(jnp.abs)(0.0) == 1.0``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike
from jaxtyping import Array, Float

from . import _validate as v

__all__ = [
    "bce_with_logits",
    "bce_with_logits_grad",
    "huber",
    "huber_grad",
    "linear_mse_value_and_grad",
    "mae",
    "mae_grad",
    "mse",
    "mse_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
]


def _real(name: str, arg: str, value: ArrayLike) -> jax.Array:
    """``value`` as a real array (ints/bools allowed), or an InputError naming ``arg``."""
    if value is None or isinstance(value, str | dict):
        raise v.fail(
            name, f"{arg} must be an array of numbers, got {type(value).__name__} {v._show(value)}"
        )
    v.check_real_floating(name, arg, value)
    v.check_representable(name, arg, value)
    return jnp.asarray(value)


def _pair(y_hat: ArrayLike, y: ArrayLike, name: str) -> tuple[jax.Array, jax.Array]:
    """Both arguments as floating arrays of the same shape, or a clear error."""
    y_hat, y = _real(name, "y_hat", y_hat), _real(name, "y", y)
    if y_hat.shape != y.shape:
        raise v.fail(
            name,
            f"y_hat has shape {y_hat.shape} but y has shape {y.shape}; they must match "
            "(one prediction per target)",
            "Reshape one of them, e.g. y.reshape(y_hat.shape), "
            "and beware (n,) against (n, 1), which would broadcast to (n, n)",
        )
    if y_hat.size == 0:
        raise v.fail(name, "y_hat and y are empty; a mean over no examples is undefined")
    dtype = jnp.result_type(y_hat, y, jnp.float32)
    return y_hat.astype(dtype), y.astype(dtype)


def mse(y_hat: Float[ArrayLike, "*n"], y: Float[ArrayLike, "*n"]) -> Float[Array, ""]:
    """Mean squared error, :math:`C = \\frac1n \\sum_i (\\hat y_i - y_i)^2`.

    Args:
        y_hat: predictions, any shape.
        y: targets, the same shape as ``y_hat``.

    Returns:
        The cost, a scalar.

    Raises:
        InputError: if the shapes differ, the arrays are empty or complex, or hold values past
            the largest float32 (use ``diffprog.float64()``).

    Example:
        >>> from diffprog.costs import mse
        >>> float(mse([7.0, 3.0], [2.0, 8.0]))
        25.0
    """
    y_hat, y = _pair(y_hat, y, "mse")
    return jnp.mean(jnp.square(y_hat - y))


def mse_grad(y_hat: Float[ArrayLike, "*n"], y: Float[ArrayLike, "*n"]) -> Float[Array, "*n"]:
    """Gradient of :func:`mse` with respect to ``y_hat``.

    Only the i-th term of the sum depends on :math:`\\hat y_i`; by the chain rule,
    :math:`\\partial C / \\partial \\hat y_i = \\frac1n \\cdot 2 (\\hat y_i - y_i)`.

    Example:
        >>> from diffprog.costs import mse_grad
        >>> mse_grad([7.0, 3.0], [2.0, 8.0]).tolist()
        [5.0, -5.0]
    """
    y_hat, y = _pair(y_hat, y, "mse_grad")
    return 2.0 * (y_hat - y) / y_hat.size


def mae(y_hat: Float[ArrayLike, "*n"], y: Float[ArrayLike, "*n"]) -> Float[Array, ""]:
    """Mean absolute error, :math:`C = \\frac1n \\sum_i |\\hat y_i - y_i|`.

    Example:
        >>> from diffprog.costs import mae
        >>> float(mae([7.0, 3.0], [2.0, 8.0]))
        5.0
    """
    y_hat, y = _pair(y_hat, y, "mae")
    return jnp.mean(jnp.abs(y_hat - y))


def mae_grad(y_hat: Float[ArrayLike, "*n"], y: Float[ArrayLike, "*n"]) -> Float[Array, "*n"]:
    """(Sub)gradient of :func:`mae` with respect to ``y_hat``.

    :math:`\\frac{d}{dr}|r| = \\operatorname{sign}(r)` for :math:`r \\ne 0`, so
    :math:`\\partial C / \\partial \\hat y_i = \\operatorname{sign}(\\hat y_i - y_i) / n`.
    At the kink :math:`r = 0` any value in :math:`[-1, 1]/n` is a subgradient. We use the
    right derivative, :math:`+1/n` (``r >= 0`` counts as positive), because that is what
    ``jax.grad`` returns there (``jax.grad(jnp.abs)(0.0) == 1.0``), so the two agree
    everywhere. Note that ``jnp.sign(0) = 0`` would be a different (also valid) choice.

    Example:
        >>> from diffprog.costs import mae_grad
        >>> mae_grad([7.0, 3.0, 1.0, 0.0], [2.0, 8.0, 1.0, 0.0]).tolist()
        [0.25, -0.25, 0.25, 0.25]
    """
    y_hat, y = _pair(y_hat, y, "mae_grad")
    return jnp.where(y_hat - y >= 0, 1.0, -1.0).astype(y_hat.dtype) / y_hat.size


def _check_delta(delta: float, name: str) -> None:
    """Concrete ``delta`` must be > 0 (an InputError); a traced one is guarded in the result."""
    v.check_positive(name, "delta", delta, "delta is the width of the quadratic zone, e.g. 1.0")


def _guard_delta(value: jax.Array, delta: ArrayLike) -> jax.Array:
    """NaN where a traced ``delta <= 0`` (under jit): never a negative cost that looks valid."""
    if v.is_tracer(delta):
        return jnp.where(jnp.asarray(delta) > 0, value, jnp.nan)
    return value


def _check_labels(name: str, y: ArrayLike, what: str, fix: str, upper: bool = True) -> None:
    """Concrete labels must lie in [0, 1] (or be >= 0 if not ``upper``); NaN is left to show."""
    if v.is_tracer(y):
        return
    arr = np.asarray(y, dtype=np.float64)
    bad = (arr < 0) | (arr > 1) if upper else arr < 0
    if np.any(bad):
        raise v.fail(
            name, f"{what}, got values from {np.nanmin(arr):.4g} to {np.nanmax(arr):.4g}", fix
        )


def huber(
    y_hat: Float[ArrayLike, "*n"], y: Float[ArrayLike, "*n"], delta: float = 1.0
) -> Float[Array, ""]:
    """Huber cost: quadratic for small residuals, linear for large ones.

    .. math::
        C = \\frac1n \\sum_i h(\\hat y_i - y_i), \\quad
        h(r) = \\begin{cases} \\tfrac12 r^2 & |r| \\le \\delta \\\\
        \\delta (|r| - \\tfrac12 \\delta) & |r| > \\delta \\end{cases}

    Args:
        y_hat: predictions, any shape.
        y: targets, the same shape.
        delta: where the quadratic zone ends (> 0).

    Under ``jax.jit`` with a traced ``delta`` the check cannot raise: a ``delta <= 0`` then gives
    NaN (never a negative cost that looks valid).

    Raises:
        InputError: mismatched shapes, or a concrete ``delta <= 0``.

    Example:
        >>> from diffprog.costs import huber
        >>> float(huber([0.5, 3.0], [0.0, 0.0]))  # (0.125 + 2.5) / 2
        1.3125

    References:
        P. J. Huber, "Robust Estimation of a Location Parameter", Ann. Math. Statist. 35 (1964).
    """
    _check_delta(delta, "huber")
    y_hat, y = _pair(y_hat, y, "huber")
    r = y_hat - y
    a = jnp.abs(r)
    cost = jnp.mean(jnp.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta)))
    return _guard_delta(cost, delta)


def huber_grad(
    y_hat: Float[ArrayLike, "*n"], y: Float[ArrayLike, "*n"], delta: float = 1.0
) -> Float[Array, "*n"]:
    """Gradient of :func:`huber` with respect to ``y_hat``.

    :math:`h'(r) = r` for :math:`|r| \\le \\delta` and :math:`\\delta\\,\\operatorname{sign}(r)`
    beyond, i.e. :math:`h'(r) = \\operatorname{clip}(r, -\\delta, \\delta)`. The two pieces
    agree at :math:`|r| = \\delta` (Huber is continuously differentiable; its kink is in the
    second derivative), so no convention is needed there. Then
    :math:`\\partial C / \\partial \\hat y_i =
    \\operatorname{clip}(\\hat y_i - y_i, -\\delta, \\delta) / n`.

    Example:
        >>> from diffprog.costs import huber_grad
        >>> huber_grad([0.5, 3.0], [0.0, 0.0]).tolist()
        [0.25, 0.5]
    """
    _check_delta(delta, "huber_grad")
    y_hat, y = _pair(y_hat, y, "huber_grad")
    return _guard_delta(jnp.clip(y_hat - y, -delta, delta) / y_hat.size, delta)


def bce_with_logits(logits: Float[ArrayLike, "*n"], y: Float[ArrayLike, "*n"]) -> Float[Array, ""]:
    """Binary cross-entropy from logits, stable for any size of logit.

    With :math:`p = \\sigma(z) = 1/(1 + e^{-z})` and labels :math:`y \\in [0, 1]`,

    .. math::
        \\ell(z, y) = -y \\log p - (1 - y) \\log(1 - p)
                    = \\log(1 + e^{z}) - y z = \\operatorname{softplus}(z) - y z,

    since :math:`\\log p = z - \\operatorname{softplus}(z)` and
    :math:`\\log(1 - p) = -\\operatorname{softplus}(z)`. ``softplus`` is evaluated as
    :math:`\\max(z, 0) + \\log(1 + e^{-|z|})`, which never overflows: at :math:`z = \\pm 10^4`
    the cost is finite (computing :math:`\\log \\sigma(z)` naively gives ``log(0) = -inf``).

    Args:
        logits: pre-sigmoid scores :math:`z`, any shape.
        y: labels in [0, 1] (soft labels allowed), the same shape.

    Returns:
        :math:`\\frac1n \\sum_i \\ell(z_i, y_i)`.

    Raises:
        InputError: mismatched shapes, complex values, or (concrete) labels outside [0, 1],
            where the formula is no cross-entropy and can go negative.

    Example:
        >>> from diffprog.costs import bce_with_logits
        >>> round(float(bce_with_logits([0.0], [1.0])), 6)  # log 2
        0.693147
        >>> float(bce_with_logits([1e4, -1e4], [0.0, 1.0]))
        10000.0
    """
    z, y = _pair(logits, y, "bce_with_logits")
    _check_labels(
        "bce_with_logits",
        y,
        "labels y must lie in [0, 1] (probabilities)",
        "For labels in {-1, 1} pass (y + 1) / 2",
    )
    return jnp.mean(jax.nn.softplus(z) - y * z)


def bce_with_logits_grad(
    logits: Float[ArrayLike, "*n"], y: Float[ArrayLike, "*n"]
) -> Float[Array, "*n"]:
    """Gradient of :func:`bce_with_logits` with respect to the logits.

    :math:`\\operatorname{softplus}'(z) = e^z / (1 + e^z) = \\sigma(z)`, so
    :math:`\\partial \\ell / \\partial z = \\sigma(z) - y` and the gradient of the mean is
    :math:`(\\sigma(z_i) - y_i)/n`. It lies in :math:`[-1/n, 1/n]`: no NaN or inf at
    any logit (``jax.nn.sigmoid`` saturates cleanly to 0 and 1).

    Example:
        >>> from diffprog.costs import bce_with_logits_grad
        >>> bce_with_logits_grad([0.0, 1e4, -1e4], [1.0, 0.0, 1.0]).tolist()
        [-0.1666..., 0.3333..., -0.3333...]
    """
    z, y = _pair(logits, y, "bce_with_logits_grad")
    _check_labels(
        "bce_with_logits_grad",
        y,
        "labels y must lie in [0, 1] (probabilities)",
        "For labels in {-1, 1} pass (y + 1) / 2",
    )
    return (jax.nn.sigmoid(z) - y) / z.size


def _softmax_pair(logits: ArrayLike, y: ArrayLike, name: str) -> tuple[jax.Array, jax.Array]:
    z, y = _pair(logits, y, name)
    if z.ndim == 0:
        raise v.fail(
            name,
            "logits must have a class axis (the last one), got a scalar",
            "Pass shape (num_classes,) or (batch, num_classes)",
        )
    _check_labels(
        name,
        y,
        "target probabilities y must be >= 0",
        "Pass one-hot targets, e.g. jax.nn.one_hot(labels, num_classes)",
        upper=False,
    )
    return z, y


def softmax_cross_entropy(
    logits: Float[ArrayLike, "*batch k"], y: Float[ArrayLike, "*batch k"]
) -> Float[Array, ""]:
    """Softmax cross-entropy, averaged over every axis but the last (the classes).

    For one example with logits :math:`z \\in \\mathbb R^K` and target probabilities
    :math:`y` (one-hot, or soft labels summing to 1):

    .. math::
        \\ell(z, y) = -\\sum_k y_k \\log \\operatorname{softmax}(z)_k
                    = -\\sum_k y_k \\Big(z_k - \\log \\sum_j e^{z_j}\\Big),

    with the log-sum-exp computed after subtracting :math:`\\max_j z_j` (stable).

    Args:
        logits: shape ``(..., K)``.
        y: target probabilities, the same shape.

    Returns:
        The mean of :math:`\\ell` over the leading axes.

    Example:
        >>> from diffprog.costs import softmax_cross_entropy
        >>> c = softmax_cross_entropy([0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0])
        >>> round(float(c), 6)  # log 4
        1.386294
    """
    z, y = _softmax_pair(logits, y, "softmax_cross_entropy")
    return jnp.mean(-jnp.sum(y * jax.nn.log_softmax(z, axis=-1), axis=-1))


def softmax_cross_entropy_grad(
    logits: Float[ArrayLike, "*batch k"], y: Float[ArrayLike, "*batch k"]
) -> Float[Array, "*batch k"]:
    """Gradient of :func:`softmax_cross_entropy` with respect to the logits.

    :math:`\\partial \\log\\sum_j e^{z_j} / \\partial z_k = \\operatorname{softmax}(z)_k`, so
    :math:`\\partial \\ell / \\partial z_k = \\operatorname{softmax}(z)_k \\sum_j y_j - y_k`,
    which is :math:`\\operatorname{softmax}(z)_k - y_k` when the targets sum to 1. Divided by
    the number of examples (the product of the leading axes) for the mean.

    Example:
        >>> from diffprog.costs import softmax_cross_entropy_grad
        >>> softmax_cross_entropy_grad([0.0, 0.0], [1.0, 0.0]).tolist()
        [-0.5, 0.5]
    """
    z, y = _softmax_pair(logits, y, "softmax_cross_entropy_grad")
    num_examples = z.size // z.shape[-1]
    p = jax.nn.softmax(z, axis=-1)
    return (p * jnp.sum(y, axis=-1, keepdims=True) - y) / num_examples


def _sum3(r: jax.Array, rx: jax.Array, rr: jax.Array, axes: tuple[int, ...]):
    zero = jnp.zeros((), r.dtype)
    return jax.lax.reduce(
        (r, rx, rr),
        (zero, zero, zero),
        lambda acc, v: (acc[0] + v[0], acc[1] + v[1], acc[2] + v[2]),
        axes,
    )


@jax.jit
def _linear_mse_fused(m: jax.Array, b: jax.Array, x: jax.Array, y: jax.Array):
    """(C, dC/dm, dC/db) for C = mean((m x + b - y)^2), all in one compiled call."""
    dtype = jnp.result_type(x, y, jnp.float32)
    x, y = x.astype(dtype), y.astype(dtype)
    s_r, s_rx, s_rr = _linear_mse_sums(m.astype(dtype), b.astype(dtype), x, y)
    n = x.size
    return s_rr / n, 2.0 * s_rx / n, 2.0 * s_r / n


def _linear_mse_sums(m: jax.Array, b: jax.Array, x: jax.Array, y: jax.Array):
    """(sum r, sum r x, sum r^2) for r = m x + b - y, in one fused pass over x and y.

    One variadic reduction: XLA fuses the elementwise producers (r, r x, r^2) into the
    loop that carries the three running sums, so nothing of size n is written back. The
    data are viewed as ``rows`` contiguous rows summed independently (which XLA runs in
    parallel), then the row sums are added: a two-level sum whose float32 round-off grows
    like n / rows + rows instead of n (a single running sum over 10^7 float32 terms is
    off in the 2nd digit).
    """
    x, y = x.reshape(-1), y.reshape(-1)
    n = x.shape[0]
    rows = min(4096, max(1, n // 2048))
    main = (n // rows) * rows

    def sums(xx: jax.Array, yy: jax.Array, axes: tuple[int, ...]) -> Any:
        r = m * xx + b - yy
        return _sum3(r, r * xx, r * r, axes)

    parts = sums(x[:main].reshape(rows, -1), y[:main].reshape(rows, -1), (1,))
    tail = sums(x[main:], y[main:], (0,))
    return tuple(jnp.sum(p) + t for p, t in zip(parts, tail, strict=True))


def linear_mse_value_and_grad(
    params: dict, x: Float[ArrayLike, " n"], y: Float[ArrayLike, " n"]
) -> tuple[Float[Array, ""], dict]:
    """Cost and parameter gradient of ``mse(m * x + b, y)`` in one pass over the data.

    With residuals :math:`r_i = m x_i + b - y_i` and :math:`C = \\frac1n \\sum_i r_i^2`,
    the chain rule gives (:math:`\\partial r_i / \\partial m = x_i`, :math:`\\partial r_i /
    \\partial b = 1`):

    .. math::
        C = \\frac1n \\sum_i r_i^2, \\quad
        \\frac{\\partial C}{\\partial m} = \\frac2n \\sum_i r_i x_i, \\quad
        \\frac{\\partial C}{\\partial b} = \\frac2n \\sum_i r_i.

    All three are sums over the data, computed by one fused reduction that reads
    ``x`` and ``y`` once, whereas reverse-mode autodiff of the same cost writes the
    residuals out in the forward pass and reads them back in the backward pass.

    Args:
        params: ``{"m": slope, "b": intercept}`` (scalars).
        x: inputs, shape ``(n,)`` (any shape works; sums run over all of it).
        y: targets, the same shape as ``x``.

    Returns:
        ``(cost, {"m": dC/dm, "b": dC/db})``, like ``jax.value_and_grad``.

    Raises:
        InputError: if ``x`` and ``y`` differ in shape, or params lack scalar real ``m``/``b``.

    Example:
        >>> from diffprog.costs import linear_mse_value_and_grad
        >>> x = list(range(8)); y = [1.86, 1.31, .62, .33, .09, -.67, -1.23, -1.37]
        >>> cost, grads = linear_mse_value_and_grad({"m": 0.9, "b": 0.1}, x, y)
        >>> round(float(cost), 4), round(float(grads["m"]), 3), round(float(grads["b"]), 3)
        (19.6755, 36.305, 6.265)
    """
    name = "linear_mse_value_and_grad"
    if not isinstance(params, dict) or not {"m", "b"} <= set(params):
        raise v.fail(
            name, f"params must be a dict {{'m': slope, 'b': intercept}}, got {v._show(params)}"
        )
    for k in ("m", "b"):
        _real(name, f"params[{k!r}]", params[k])
        if jnp.ndim(params[k]) != 0:
            raise v.fail(name, f"params[{k!r}] must be a scalar, got shape {jnp.shape(params[k])}")
    _pair(x, y, name)  # real, same shape, not empty
    cost, grad_m, grad_b = _linear_mse_fused(
        jnp.asarray(params["m"]), jnp.asarray(params["b"]), jnp.asarray(x), jnp.asarray(y)
    )
    return cost, {"m": grad_m, "b": grad_b}
