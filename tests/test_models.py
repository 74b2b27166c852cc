"""Models: values against closed forms, bad params explained."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from diffprog import models


def test_linear_scalar_and_vector_forms(key):
    x = jnp.arange(8.0)
    np.testing.assert_allclose(
        models.linear({"m": 0.9, "b": 0.1}, x), 0.9 * np.arange(8) + 0.1, rtol=1e-6
    )
    W = jax.random.normal(key, (3, 4))
    b = jnp.array([1.0, 2.0, 3.0])
    xs = jax.random.normal(jax.random.key(1), (5, 4))
    one = models.linear({"W": W, "b": b}, xs[0])
    np.testing.assert_allclose(one, np.asarray(W) @ np.asarray(xs[0]) + np.asarray(b), rtol=1e-5)
    batch = models.linear({"W": W, "b": b}, xs)
    np.testing.assert_allclose(
        batch, jax.vmap(lambda v: models.linear({"W": W, "b": b}, v))(xs), rtol=1e-5
    )


def test_polynomial_against_numpy(key):
    c = jax.random.normal(key, (5,))
    x = jnp.linspace(-2, 2, 11)
    np.testing.assert_allclose(
        models.polynomial({"coeffs": c}, x),
        np.polynomial.polynomial.polyval(np.asarray(x), np.asarray(c)),
        rtol=1e-5,
        atol=1e-5,
    )
    assert float(models.polynomial({"coeffs": jnp.array([4.0])}, 3.0)) == 4.0


def test_logistic(key):
    w, b = jnp.array([1.0, -2.0]), 0.5
    x = jax.random.normal(key, (6, 2))
    z = np.asarray(x) @ np.asarray(w) + b
    np.testing.assert_allclose(
        models.logistic({"w": w, "b": b}, x), 1 / (1 + np.exp(-z)), rtol=1e-5
    )
    np.testing.assert_allclose(models.logistic({"w": w, "b": b}, x, logits=True), z, rtol=1e-5)
    assert float(models.logistic({"m": 2.0, "b": -1.0}, 0.5)) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "fn, params, x, match",
    [
        (models.linear, {"m": 1.0}, 1.0, "keys"),
        (models.linear, {"W": jnp.ones((2, 3)), "b": 0.0}, jnp.ones(4), "features"),
        (models.polynomial, {"c": 1.0}, 1.0, "coeffs"),
        (models.polynomial, {"coeffs": jnp.zeros((2, 2))}, 1.0, "1-D"),
        (models.logistic, {"w": jnp.ones(3), "b": 0.0}, jnp.ones(2), "features"),
        (models.logistic, [1.0, 2.0], jnp.ones(2), "dict"),
    ],
)
def test_bad_params_are_explained(fn, params, x, match):
    with pytest.raises(ValueError, match=match):
        fn(params, x)
