"""Cost functions: values against closed forms, hand-derived gradients against jax.grad."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffprog import costs

ELEMENTWISE = [
    (costs.mse, costs.mse_grad),
    (costs.mae, costs.mae_grad),
    (costs.huber, costs.huber_grad),
    (costs.bce_with_logits, costs.bce_with_logits_grad),
    (costs.softmax_cross_entropy, costs.softmax_cross_entropy_grad),
]
IDS = [f.__name__ for f, _ in ELEMENTWISE]


def _inputs(cost, key, shape):
    k1, k2 = jax.random.split(key)
    y_hat = 3.0 * jax.random.normal(k1, shape)
    if cost is costs.bce_with_logits:
        y = jax.random.uniform(k2, shape)
    elif cost is costs.softmax_cross_entropy:
        y = jax.nn.softmax(jax.random.normal(k2, shape), axis=-1)
    else:
        y = jax.random.normal(k2, shape)
    return y_hat, y


@pytest.mark.parametrize("cost, grad", ELEMENTWISE, ids=IDS)
@pytest.mark.parametrize("shape", [(1,), (7,), (4, 3)])
def test_hand_gradient_equals_jax_grad_random(cost, grad, shape, key):
    for k in jax.random.split(key, 2):
        y_hat, y = _inputs(cost, k, shape)
        np.testing.assert_allclose(grad(y_hat, y), jax.grad(cost)(y_hat, y), rtol=1e-5, atol=1e-7)


_GRADS = {c.__name__: jax.jit(jax.grad(c)) for c, _ in ELEMENTWISE[:4]}
_eight = st.lists(st.floats(-1e3, 1e3, width=32), min_size=8, max_size=8)


@settings(max_examples=40)
@given(_eight, _eight)
def test_hand_gradients_equal_jax_grad_hypothesis(a, b):
    """Random residuals, with ties (kinks) made likely by hypothesis's shrinking to equal values."""
    y_hat, y = jnp.array(a), jnp.array(b)
    for cost, grad in ELEMENTWISE[:3]:
        np.testing.assert_allclose(
            grad(y_hat, y), _GRADS[cost.__name__](y_hat, y), rtol=1e-5, atol=1e-7
        )
    z, labels = y_hat, (y > 0).astype(jnp.float32)
    np.testing.assert_allclose(
        costs.bce_with_logits_grad(z, labels),
        _GRADS["bce_with_logits"](z, labels),
        rtol=1e-5,
        atol=1e-7,
    )


def test_mae_at_the_kink_matches_jax_convention():
    y = jnp.array([1.0, -2.0, 0.0, 0.0])
    y_hat = y  # every residual exactly 0, including -0.0 - 0.0
    want = jax.grad(costs.mae)(y_hat, y)
    np.testing.assert_array_equal(costs.mae_grad(y_hat, y), want)
    np.testing.assert_array_equal(want, jnp.full(4, 0.25))  # right derivative, +1/n


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0])
def test_huber_at_the_kinks(delta):
    y = jnp.zeros(5)
    y_hat = jnp.array([-delta, delta, 0.0, 2 * delta, -3 * delta])
    np.testing.assert_allclose(
        costs.huber_grad(y_hat, y, delta), jax.grad(costs.huber)(y_hat, y, delta), rtol=1e-6
    )
    np.testing.assert_allclose(
        costs.huber_grad(y_hat, y, delta), jnp.array([-delta, delta, 0.0, delta, -delta]) / 5
    )
    # continuous at the kink: both branches give delta^2 / 2
    assert float(costs.huber(jnp.array([delta]), jnp.array([0.0]), delta)) == pytest.approx(
        delta**2 / 2
    )


def test_huber_is_mse_over_two_inside_and_mae_like_outside(key):
    r = jax.random.uniform(key, (50,), minval=-0.9, maxval=0.9)
    assert float(costs.huber(r, jnp.zeros(50))) == pytest.approx(
        float(costs.mse(r, jnp.zeros(50))) / 2, rel=1e-5
    )
    big = jnp.array([10.0, -20.0])
    assert float(costs.huber(big, jnp.zeros(2))) == pytest.approx((9.5 + 19.5) / 2)


@pytest.mark.parametrize("z", [1e4, -1e4, 1e30, -1e30, 88.0, -88.0, 0.0])
@pytest.mark.parametrize("label", [0.0, 0.3, 1.0])
def test_bce_extreme_logits_finite_and_right(z, label):
    zs, ys = jnp.array([z]), jnp.array([label])
    value, grad = costs.bce_with_logits(zs, ys), costs.bce_with_logits_grad(zs, ys)
    auto = jax.grad(costs.bce_with_logits)(zs, ys)
    assert np.isfinite(value) and np.all(np.isfinite(grad)) and np.all(np.isfinite(auto))
    # oracle: float64 log1p(exp(-|z|)) + max(z, 0) - y z, and sigmoid(z) - y
    want = max(z, 0.0) + np.log1p(np.exp(-abs(z))) - label * z
    assert float(value) == pytest.approx(want, rel=1e-6, abs=1e-6)
    np.testing.assert_allclose(grad, auto, atol=1e-7)
    np.testing.assert_allclose(grad, [1 / (1 + np.exp(-np.clip(z, -700, 700))) - label], atol=1e-6)


def test_bce_matches_naive_formula_where_naive_is_fine(key):
    z = jax.random.normal(key, (20,))
    y = (jax.random.uniform(jax.random.key(1), (20,)) > 0.5).astype(jnp.float32)
    p = jax.nn.sigmoid(z)
    naive = -jnp.mean(y * jnp.log(p) + (1 - y) * jnp.log(1 - p))
    assert float(costs.bce_with_logits(z, y)) == pytest.approx(float(naive), rel=1e-5)


def test_softmax_cross_entropy_extremes_and_oracle():
    z = jnp.array([[1e4, 0.0, -1e4], [0.0, 0.0, 0.0]])
    y = jnp.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    value = costs.softmax_cross_entropy(z, y)
    assert float(value) == pytest.approx((1e4 + np.log(3)) / 2, rel=1e-6)
    g = costs.softmax_cross_entropy_grad(z, y)
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, jax.grad(costs.softmax_cross_entropy)(z, y), atol=1e-7)
    np.testing.assert_allclose(g[1], (np.full(3, 1 / 3) - [1, 0, 0]) / 2, rtol=1e-6)


def test_course_example_mean_error_mae_mse():
    y_hat, y = jnp.array([7.0, 3.0]), jnp.array([2.0, 8.0])
    assert float(jnp.mean(y_hat - y)) == 0.0
    assert float(costs.mae(y_hat, y)) == 5.0
    assert float(costs.mse(y_hat, y)) == 25.0


@pytest.mark.parametrize("cost, grad", ELEMENTWISE, ids=IDS)
def test_mismatched_shapes_are_refused(cost, grad):
    for f in (cost, grad):
        with pytest.raises(ValueError, match="y_hat has shape"):
            f(jnp.zeros((4,)), jnp.zeros((4, 1)))


def test_bad_delta_and_empty():
    with pytest.raises(ValueError, match="delta"):
        costs.huber(jnp.zeros(2), jnp.zeros(2), delta=0.0)
    with pytest.raises(ValueError, match="empty"):
        costs.mse(jnp.zeros(0), jnp.zeros(0))


# ------------------------------------------------------------- fused linear + MSE


def _plain(params, x, y):
    return costs.mse(params["m"] * x + params["b"], y)


@pytest.mark.parametrize("n", [1, 8, 2047, 2048, 10_001, 300_000])
def test_fused_value_and_grad_equals_jax(n, key):
    k1, k2 = jax.random.split(key)
    x = jax.random.normal(k1, (n,))
    y = 2.0 * x - 1.0 + jax.random.normal(k2, (n,))
    params = {"m": jnp.float32(0.5), "b": jnp.float32(0.25)}
    value, grads = costs.linear_mse_value_and_grad(params, x, y)
    want_value, want_grads = jax.value_and_grad(_plain)(params, x, y)
    assert float(value) == pytest.approx(float(want_value), rel=1e-5)
    for k in "mb":
        assert float(grads[k]) == pytest.approx(float(want_grads[k]), rel=1e-4, abs=1e-6)


def test_fused_is_accurate_for_long_sums():
    """Two-level summation: a float32 running sum over 10^6 terms would be off by ~1e-3."""
    n = 1_000_000
    x = jnp.linspace(0.0, 1.0, n, dtype=jnp.float32)
    y = jnp.zeros(n)
    value, grads = costs.linear_mse_value_and_grad({"m": 1.0, "b": 0.1}, x, y)
    xs = np.linspace(0.0, 1.0, n)  # float64 oracle
    r = xs + 0.1
    assert float(value) == pytest.approx(np.mean(r * r), rel=1e-6)
    assert float(grads["m"]) == pytest.approx(2 * np.mean(r * xs), rel=1e-6)
    assert float(grads["b"]) == pytest.approx(2 * np.mean(r), rel=1e-6)


def test_fused_bad_input():
    with pytest.raises(ValueError, match="shape"):
        costs.linear_mse_value_and_grad({"m": 1.0, "b": 0.0}, jnp.zeros(3), jnp.zeros(4))
    with pytest.raises(ValueError, match="params must be a dict"):
        costs.linear_mse_value_and_grad({"w": 1.0}, jnp.zeros(3), jnp.zeros(3))
