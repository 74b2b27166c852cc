"""Models as pure functions of a params pytree: ``y_hat = model(params, x)``.

Parameters are plain dicts of arrays, so they go through ``jax.grad``, ``optax`` and
``jax.tree_util`` unchanged. Each model is written for what it naturally takes (a
scalar or a feature vector) and broadcasts over leading batch axes of ``x``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike
from jaxtyping import Array, Float

from . import _validate as v

__all__ = ["linear", "logistic", "polynomial"]


def _need(params: object, keys: tuple[str, ...], model: str, example: str) -> None:
    if not isinstance(params, dict) or not set(keys) <= set(params):
        got = sorted(map(str, params)) if isinstance(params, dict) else type(params).__name__
        raise v.fail(
            model, f"params must be a dict with keys {list(keys)}, e.g. {example}; got {got}"
        )
    for k in keys:  # real numbers only: a complex parameter would make grad-descent ascend
        v.check_real_floating(model.split(" ")[0], f"params[{k!r}]", params[k])


def _x(model: str, x: ArrayLike) -> jax.Array:
    v.check_real_floating(model, "x", x)
    v.check_representable(model, "x", x)
    return jnp.asarray(x)


def linear(params: dict, x: Float[ArrayLike, "*n"] | Float[ArrayLike, "n d"]) -> Float[Array, ...]:
    """A straight line, or its vector form (an affine map).

    * ``params = {"m": m, "b": b}``: :math:`\\hat y = m x + b`, elementwise over ``x``.
    * ``params = {"W": W, "b": b}``: :math:`\\hat y = W x + b` for one example
      ``x`` of shape ``(d,)``, with ``W`` of shape ``(k, d)`` and ``b`` of shape ``(k,)``
      (or ``W`` of shape ``(d,)`` and scalar ``b`` for one output). A batch ``x`` of
      shape ``(n, d)`` gives ``(n, k)`` (computed as ``x @ W.T + b``).

    Args:
        params: ``{"m", "b"}`` or ``{"W", "b"}``.
        x: inputs.

    Returns:
        The predictions :math:`\\hat y`.

    Raises:
        InputError: if params has neither form, holds complex values, or ``x`` does not fit
            ``W``.

    Example:
        >>> from diffprog.models import linear
        >>> linear({"m": 0.9, "b": 0.1}, jnp.array([0.0, 7.0])).tolist()
        [0.1, 6.4...]
        >>> params = {"W": jnp.array([[1.0, 2.0]]), "b": jnp.array([0.5])}
        >>> linear(params, jnp.array([3.0, 4.0])).tolist()
        [11.5]
    """
    if isinstance(params, dict) and "W" in params:
        _need(params, ("W", "b"), "linear (vector form)", "{'W': W, 'b': b}")
        W, x = jnp.asarray(params["W"]), _x("linear", x)
        if W.ndim == 0 or x.ndim == 0 or x.shape[-1] != W.shape[-1]:
            raise v.fail(
                "linear",
                f"x has shape {x.shape} but W has shape {W.shape}; the last "
                f"axis of x must have W.shape[-1] features",
            )
        return x @ W.T + params["b"]
    _need(params, ("m", "b"), "linear", "{'m': 0.9, 'b': 0.1} or {'W': W, 'b': b}")
    return params["m"] * _x("linear", x) + params["b"]


def polynomial(params: dict, x: Float[ArrayLike, "*n"]) -> Float[Array, "*n"]:
    """A polynomial :math:`\\hat y = \\sum_{k=0}^{d} c_k x^k`, by Horner's rule.

    Horner evaluates :math:`c_0 + x(c_1 + x(c_2 + \\dots))`: d multiplications and no
    powers, and better rounded than summing powers.

    Args:
        params: ``{"coeffs": c}``, ``c`` of shape ``(d + 1,)``, lowest degree first.
        x: inputs, any shape (elementwise).

    Example:
        >>> from diffprog.models import polynomial
        >>> float(polynomial({"coeffs": jnp.array([1.0, -2.0, 3.0])}, 2.0))  # 1 - 4 + 12
        9.0
    """
    _need(params, ("coeffs",), "polynomial", "{'coeffs': jnp.array([c0, c1, c2])}")
    coeffs, x = jnp.asarray(params["coeffs"]), _x("polynomial", x)
    if coeffs.ndim != 1 or coeffs.size == 0:
        raise v.fail(
            "polynomial",
            f"coeffs must be a non-empty 1-D array (lowest degree first), got shape {coeffs.shape}",
        )
    y_hat = jnp.broadcast_to(coeffs[-1], x.shape).astype(jnp.result_type(coeffs, x, jnp.float32))
    for c in coeffs[-2::-1]:
        y_hat = y_hat * x + c
    return y_hat


def logistic(
    params: dict, x: Float[ArrayLike, "*n d"], *, logits: bool = False
) -> Float[Array, "*n"]:
    """Logistic regression: :math:`p = \\sigma(w \\cdot x + b)`, :math:`\\sigma(z) = 1/(1+e^{-z})`.

    Args:
        params: ``{"w": w, "b": b}``, ``w`` of shape ``(d,)`` and scalar ``b``; or
            ``{"m": m, "b": b}`` for one scalar feature.
        x: one example of shape ``(d,)`` or a batch ``(n, d)``; scalars for the ``m`` form.
        logits: return :math:`z = w \\cdot x + b` instead of :math:`\\sigma(z)`. Fit with
            ``diffprog.costs.bce_with_logits`` on these: it stays finite where
            ``log(sigmoid(z))`` would be ``log(0)``.

    Returns:
        Probabilities of the positive class (or logits).

    Example:
        >>> from diffprog.models import logistic
        >>> float(logistic({"w": jnp.array([1.0, -1.0]), "b": 0.0}, jnp.array([2.0, 2.0])))
        0.5
    """
    if isinstance(params, dict) and "m" in params:
        z = linear(params, x)
    else:
        _need(params, ("w", "b"), "logistic", "{'w': jnp.zeros(d), 'b': 0.0}")
        w, x = jnp.asarray(params["w"]), _x("logistic", x)
        if w.ndim != 1 or x.ndim == 0 or x.shape[-1] != w.shape[0]:
            raise v.fail(
                "logistic",
                f"x has shape {x.shape} but w has shape {w.shape}; w must be "
                f"1-D and the last axis of x must have {w.shape[-1:]} features",
            )
        z = x @ w + params["b"]
    return z if logits else jax.nn.sigmoid(z)
