"""Adversarial numdiff: hypothesis-chosen functions, scales and points; never confidently wrong.

Every example asserts: |estimate - truth| <= the stated error, or the call warned
(NonDifferentiableWarning / InaccurateDerivativeWarning) or returned converged=False.
Truths are closed forms evaluated in float64 at the point as the dtype holds it.
"""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import diffprog
from diffprog import derivative, numerical_gradient

# (f in jax, f' in float64 numpy); a = the function's own scale
FAMILIES = {
    "sin": (lambda a: lambda t: jnp.sin(a * t), lambda a, x: a * np.cos(a * x)),
    "exp": (lambda a: lambda t: jnp.exp(a * t), lambda a, x: a * np.exp(a * x)),
    "tanh": (lambda a: lambda t: jnp.tanh(a * t), lambda a, x: a / np.cosh(a * x) ** 2),
    "log": (lambda a: lambda t: jnp.log(a * jnp.abs(t)), lambda a, x: 1 / x),
    "cube": (lambda a: lambda t: a * t**3, lambda a, x: 3 * a * x**2),
}
scales = st.floats(-6, 6).map(lambda e: 10.0**e)
points = st.one_of(
    st.floats(-6, 6).map(lambda e: 10.0**e),
    st.floats(-6, 6).map(lambda e: -(10.0**e)),
    st.just(0.0),
)


def _honest(est, err, truth, caught, converged=True):
    est, err = np.asarray(est, np.float64), np.asarray(err, np.float64)
    if caught or not np.all(converged):
        return True
    return bool(np.all(np.abs(est - truth) <= err * (1 + 1e-6)))


@settings(max_examples=60)
@given(
    name=st.sampled_from(sorted(FAMILIES)),
    a=scales,
    x=points,
    dtype=st.sampled_from(["float32", "float64"]),
    method=st.sampled_from(["central", "richardson", "forward"]),
)
def test_derivative_is_right_within_its_error_or_warns(name, a, x, dtype, method):
    make, exact = FAMILIES[name]
    if name == "log" and x == 0.0:
        x = 1e-3
    ctx = diffprog.float64() if dtype == "float64" else warnings.catch_warnings()
    with ctx, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        xd = jnp.asarray(x, dtype)
        big = float(np.abs(a * float(xd)))
        if (name == "exp" and big > 80) or (name == "tanh" and big > 20):  # saturated: f = const
            return
        r = derivative(make(a), xd, method, full_output=True)
    truth = exact(a, np.float64(xd))
    if not np.isfinite(truth) or (name == "sin" and big * np.finfo(dtype).eps > 1e-2):
        return  # the function itself is rounding noise there (a*x beyond the dtype)
    assert _honest(r.value, r.error, truth, caught, r.converged), (
        name,
        a,
        x,
        dtype,
        method,
        float(r.value),
        float(r.error),
        truth,
    )


def test_many_periods_inside_the_top_step_do_not_alias():
    # sin(1e5 t) at t = 100: the ladder's largest step (25) holds ~4e5 periods; a coarse level
    # once looked converged (0.032 +- 9e-4). Oracle: the closed form a cos(a t) in float64.
    with diffprog.float64():
        for method in ("central", "richardson", "forward"):
            r = derivative(lambda t: jnp.sin(1e5 * t), jnp.float64(100.0), method, full_output=True)
            truth = 1e5 * np.cos(1e5 * 100.0)
            assert abs(float(r.value) - truth) <= float(r.error), (method, r)
            assert float(r.error) < 1e-3 * abs(truth)


def test_a_function_no_step_can_resolve_warns():
    # float32 sin(1e5 t) at t = 100: the smallest step (4 spacings of t, 3e-5) holds half a
    # period; no estimate can be trusted (truth -9.07e4), so the call must say so.
    with pytest.warns(diffprog.InaccurateDerivativeWarning, match="no step can resolve f"):
        r = derivative(lambda t: jnp.sin(1e5 * t), jnp.float32(100.0), full_output=True)
    assert not r.converged and not r.ok


@settings(max_examples=40)
@given(
    a=st.floats(0, 6).map(lambda e: 10.0**e),
    t=st.one_of(
        st.floats(-3, 4).map(lambda e: 10.0**e), st.floats(-3, 4).map(lambda e: -(10.0**e))
    ),
    dtype=st.sampled_from(["float32", "float64"]),
    method=st.sampled_from(["central", "richardson", "forward", "backward"]),
)
def test_fast_sine_at_any_scale_is_right_within_its_error_or_flagged(a, t, dtype, method):
    """sin(a t) with up to 1e10 periods inside the top step: right within the error, or flagged."""
    ctx = diffprog.float64() if dtype == "float64" else warnings.catch_warnings()
    with ctx, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        td = jnp.asarray(t, dtype)
        r = derivative(lambda u: jnp.sin(a * u), td, method, full_output=True)
    tx = np.float64(td)
    # no skip where a t is rounded by a sizeable part of a period (f is rounding noise there):
    # the call must then warn that no step resolves f
    truth = a * np.cos(a * tx)
    assert _honest(r.value, r.error, truth, caught, r.converged), (a, t, dtype, method, r)


@settings(max_examples=15)
@given(
    shape=st.sampled_from([(3,), (2, 3), (1, 2, 2)]),
    s=scales,
    dtype=st.sampled_from(["float32", "float64"]),
)
def test_gradient_any_shape_within_error(shape, s, dtype):
    ctx = diffprog.float64() if dtype == "float64" else warnings.catch_warnings()
    with ctx, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x = jnp.linspace(-1.0, 1.0, int(np.prod(shape))).reshape(shape).astype(dtype) * s
        f = lambda w: jnp.sum(jnp.sin(w / s) * w)
        r = numerical_gradient(f, x, full_output=True)
        truth = np.asarray(jax.grad(f)(x), np.float64)
    assert r.value.shape == shape
    assert _honest(r.value, r.error, truth, caught)


@settings(max_examples=10)
@given(x=points)
def test_under_jit_and_vmap_the_flags_are_arrays(x):
    f = jax.jit(lambda t: derivative(jnp.abs, t, full_output=True))
    r = f(jnp.float32(x))
    if x == 0.0:
        assert bool(r.kink)
    else:
        assert abs(float(r.value) - np.sign(x)) <= float(r.error) + 1e-6
    v = jax.vmap(lambda t: derivative(jnp.sin, t))(jnp.asarray([x, 2 * x], jnp.float32))
    assert v.shape == (2,)
