"""check_grads catches wrong derivatives and names the leaf; the helpers against jax."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import diffprog
from diffprog import (
    GradientCheckError,
    check_grads,
    hvp,
    jacobian,
    jacobian_mode,
    per_example_grads,
)


def scaled_wrong(factor):
    """sin with a custom_vjp whose rule is off by ``factor`` (1.0 is right)."""

    @jax.custom_vjp
    def f(x):
        return jnp.sin(x)

    f.defvjp(lambda x: (jnp.sin(x), x), lambda x, g: (factor * g * jnp.cos(x),))
    return f


def loss_with(wrong_sin):
    def loss(params, x):
        return jnp.sum(params["w"] * x) + jnp.sum(wrong_sin(params["b"] * x)) + params["c"] ** 2

    return loss


PARAMS = {"w": jnp.array([0.3, -1.2, 2.0]), "b": jnp.array([0.5, 1.5, -0.7]), "c": jnp.float32(0.8)}
X = jnp.array([1.0, 2.0, -0.5])


def test_wrong_custom_gradient_is_caught_and_named():
    report = check_grads(loss_with(scaled_wrong(1.5)), (PARAMS, X), modes=("rev",))
    assert not report.passed
    failed = {c.leaf for c in report.failures}
    # b enters through the wrong rule, and so does x (through b * x); w and c do not.
    assert failed == {"params['b']", "x"}
    assert "FAILED: params['b'], x" in str(report)
    assert "params['w']" in str(report) and "ok" in str(report)


def test_right_custom_gradient_passes():
    report = check_grads(loss_with(scaled_wrong(1.0)), (PARAMS, X), modes=("rev",), order=2)
    assert report.passed, str(report)


def test_forward_mode_on_custom_vjp_is_skipped_not_passed():
    report = check_grads(loss_with(scaled_wrong(1.0)), (PARAMS, X))
    fwd = [c for c in report.checks if c.mode == "fwd"]
    assert fwd and all(c.passed is None and "custom_vjp" in c.note for c in fwd)
    assert "skipped" in str(report)


def test_raise_on_fail_carries_the_report():
    with pytest.raises(GradientCheckError, match=r"params\['b'\]") as info:
        check_grads(loss_with(scaled_wrong(-1.0)), (PARAMS, X), modes="rev", raise_on_fail=True)
    assert not info.value.report.passed


def test_wrong_custom_jvp_is_caught_in_forward_mode():
    @jax.custom_jvp
    def g(x):
        return jnp.exp(x)

    g.defjvp(lambda p, t: (jnp.exp(p[0]), 2 * jnp.exp(p[0]) * t[0]))
    report = check_grads(lambda a, b: jnp.sum(g(a)) + jnp.sum(b**2), (jnp.ones(4), jnp.ones(2)))
    assert {(c.mode, c.leaf) for c in report.failures} == {("fwd", "a"), ("rev", "a")}


def test_wrong_second_derivative_is_caught_at_order_2_only():
    # First derivative right, its own derivative wrong: order 1 passes, order 2 fails.
    @jax.custom_jvp
    def cube(x):
        return x**3

    @cube.defjvp
    def _(p, t):
        (x,), (dx,) = p, t
        return x**3, jax.lax.stop_gradient(3 * x**2) * dx  # drops d(3x²)/dx

    f = lambda x: jnp.sum(cube(x))
    assert check_grads(f, (jnp.array([0.5, 1.5]),)).passed
    report = check_grads(f, (jnp.array([0.5, 1.5]),), order=2)
    assert {c.order for c in report.failures} == {2}


@settings(max_examples=6)
@given(st.sampled_from([jnp.sin, jnp.tanh, jnp.exp, lambda x: x**3, lambda x: jnp.log1p(x * x)]),
       st.sampled_from([1, 40]), st.booleans())
def test_right_gradients_pass_float32_and_float64(fn, n, x64):
    f = lambda x: fn(x) * 2.0 - x
    x = jnp.linspace(-1.0, 1.2, n)
    if x64:
        with diffprog.float64():
            report = check_grads(f, (x.astype(jnp.float64),), order=2)
            assert all(c.tol == 1e-6 for c in report.checks)
    else:
        report = check_grads(f, (x,), order=2)
    assert report.passed, str(report)


def test_float64_tolerance_catches_a_small_error_float32_would_miss():
    slightly = scaled_wrong(1.0 + 1e-4)
    f = lambda x: jnp.sum(slightly(x))
    assert check_grads(f, (jnp.array([0.3, 0.9]),), modes="rev").passed  # within float32 noise
    with diffprog.float64():
        assert not check_grads(f, (jnp.array([0.3, 0.9], jnp.float64),), modes="rev").passed


def test_integer_leaves_are_skipped_and_named():
    f = lambda x, n: jnp.sum(x**2) * n
    report = check_grads(f, (jnp.ones(3), 3))
    assert report.passed
    assert [c.note for c in report.checks if c.leaf == "n"] == ["int32 leaf", "int32 leaf"]


def test_pytree_outputs():
    f = lambda p: {"a": jnp.sin(p["u"]), "b": (p["u"] * p["v"], p["v"] ** 2)}
    assert check_grads(f, ({"u": jnp.ones(3), "v": jnp.float32(2.0)},), order=2).passed


def test_bad_arguments_are_explained():
    f = lambda x: jnp.sum(x)
    with pytest.raises(ValueError, match="order must be 1 or 2"):
        check_grads(f, (jnp.ones(2),), order=3)
    with pytest.raises(ValueError, match="modes"):
        check_grads(f, (jnp.ones(2),), modes=("backward",))
    with pytest.raises(ValueError, match=r"tuple of positional arguments, e.g. \(x,\)"):
        check_grads(f, jnp.ones(2))
    with pytest.raises(TypeError, match="must return floats"):
        check_grads(lambda x: jnp.argmax(x), (jnp.ones(2),))


# ------------------------------------------------------------------ helpers

def test_hvp_matches_the_hessian(key):
    f = lambda x: jnp.sum(jnp.sin(x) * x**2) + jnp.prod(x)
    x, v = jax.random.normal(key, (2, 5))
    with jax.default_matmul_precision("highest"):
        got = jax.jit(lambda x, v: hvp(f, x, v))(x, v)
        np.testing.assert_allclose(got, jax.jit(jax.hessian(f))(x) @ v, rtol=1e-5, atol=1e-5)


def test_hvp_on_a_pytree():
    f = lambda p: jnp.sum(p["a"] ** 2 * p["b"])
    p = {"a": jnp.array([1.0, 2.0]), "b": jnp.float32(3.0)}
    v = {"a": jnp.array([1.0, 0.0]), "b": jnp.float32(1.0)}
    out = hvp(f, p, v)
    # ∂²f/∂a² = 2b I, ∂²f/∂a∂b = 2a, ∂²f/∂b² = 0.
    np.testing.assert_allclose(out["a"], 2 * 3.0 * v["a"] + 2 * p["a"] * 1.0)
    np.testing.assert_allclose(out["b"], 2 * p["a"] @ v["a"])


def test_jacobian_picks_the_cheaper_mode_and_agrees_with_jax():
    wide = lambda x: jnp.sum(jnp.sin(x))  # R^100 -> R: reverse
    tall = lambda x: jnp.outer(x, jnp.arange(50.0)).ravel()  # R^2 -> R^100: forward
    assert jacobian_mode(wide, jnp.ones(100)) == "rev"
    assert jacobian_mode(tall, jnp.ones(2)) == "fwd"
    for f, x in [(wide, jnp.linspace(0, 1, 100)), (tall, jnp.array([1.0, -2.0]))]:
        want = jax.jit(jax.jacfwd(f))(x)
        for mode in ("auto", "fwd", "rev"):
            np.testing.assert_allclose(jax.jit(jacobian(f, mode=mode))(x), want, rtol=1e-6)
    with pytest.raises(ValueError, match="mode must be"):
        jacobian(wide, mode="sideways")


def test_per_example_grads_equal_a_loop(key):
    loss = lambda params, x, y: (jnp.dot(params["w"], x) + params["b"] - y) ** 2
    params = {"w": jnp.array([0.5, -1.0, 2.0]), "b": jnp.float32(0.1)}
    x = jax.random.normal(key, (8, 3))
    y = jnp.arange(8.0)
    got = per_example_grads(loss, params, x, y)
    grad = jax.jit(jax.grad(loss))
    for i in range(8):
        want = grad(params, x[i], y[i])
        np.testing.assert_allclose(got["w"][i], want["w"], rtol=1e-6)
        np.testing.assert_allclose(got["b"][i], want["b"], rtol=1e-6)
    with pytest.raises(ValueError, match="different lengths"):
        per_example_grads(loss, params, x, y[:3])
