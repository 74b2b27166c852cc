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
from diffprog._validate import InputError


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
    assert not report.ok
    failed = {c.leaf for c in report.failures}
    # b enters through the wrong rule, and so does x (through b * x); w and c do not.
    assert failed == {"params['b']", "x"}
    assert "FAILED: params['b'], x" in str(report)
    assert "params['w']" in str(report) and "ok" in str(report)


def test_right_custom_gradient_passes():
    report = check_grads(loss_with(scaled_wrong(1.0)), (PARAMS, X), modes=("rev",), order=2)
    assert report.ok, str(report)


def test_forward_mode_on_custom_vjp_is_skipped_not_passed():
    report = check_grads(loss_with(scaled_wrong(1.0)), (PARAMS, X))
    fwd = [c for c in report.checks if c.mode == "fwd"]
    assert fwd and all(c.status == "skipped" and "custom_vjp" in c.note for c in fwd)
    assert "skipped" in str(report)


def test_the_verdict_is_a_field_and_raise_if_failed_carries_the_report():
    report = check_grads(loss_with(scaled_wrong(-1.0)), (PARAMS, X), modes="rev")
    assert report.verdict == "failed" and not report.ok  # no exception by itself
    with pytest.raises(GradientCheckError, match=r"params\['b'\]") as info:
        report.raise_if_failed()
    assert info.value.report is report
    good = check_grads(loss_with(scaled_wrong(1.0)), (PARAMS, X), modes="rev")
    assert good.verdict == "passed" and good.raise_if_failed() is good
    assert all(c.ok for c in good.checks)


def test_the_report_is_a_frozen_pytree_with_a_one_line_repr():
    report = check_grads(loss_with(scaled_wrong(1.5)), (PARAMS, X), modes="rev")
    assert repr(report) == "GradCheckReport(FAILED: params['b'], x; 4 checks)"
    assert "\n" not in repr(report.checks[0]) and "status='FAIL'" in repr(report.failures[0])
    with pytest.raises(AttributeError):
        report.verdict = "passed"  # frozen
    # a pytree: the error numbers are leaves, the verdict and names are metadata
    doubled = jax.tree.map(lambda e: 2 * e, report)
    assert doubled.verdict == "failed" and doubled.checks[0].leaf == report.checks[0].leaf
    assert doubled.checks[1].max_abs_err == 2 * report.checks[1].max_abs_err
    with pytest.raises(TypeError, match="raise_on_fail"):
        check_grads(loss_with(scaled_wrong(1.0)), (PARAMS, X), raise_on_fail=True)


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
    assert check_grads(f, (jnp.array([0.5, 1.5]),)).ok
    report = check_grads(f, (jnp.array([0.5, 1.5]),), order=2)
    assert {c.order for c in report.failures} == {2}


@settings(max_examples=4)
@given(
    st.sampled_from([jnp.sin, jnp.tanh, jnp.exp, lambda x: x**3, lambda x: jnp.log1p(x * x)]),
    st.sampled_from([1, 40]),
    st.booleans(),
)
def test_right_gradients_pass_float32_and_float64(fn, n, x64):
    f = lambda x: fn(x) * 2.0 - x
    x = jnp.linspace(-1.0, 1.2, n)
    if x64:
        with diffprog.float64():
            report = check_grads(f, (x.astype(jnp.float64),), order=2)
        bound = 5e-6  # rtol 1e-6 plus at most 4 rtol of finite-difference noise
    else:
        report = check_grads(f, (x,), order=2)
        bound = 1e-2  # rtol 2e-3 (jax's float32 default) plus at most 4 rtol of noise
    assert report.ok, str(report)
    assert all(c.max_rel_err <= c.tol <= bound for c in report.checks), str(report)


def test_float64_tolerance_catches_a_small_error_float32_would_miss():
    slightly = scaled_wrong(1.0 + 1e-4)
    f = lambda x: jnp.sum(slightly(x))
    assert check_grads(f, (jnp.array([0.3, 0.9]),), modes="rev").ok  # within float32 noise
    with diffprog.float64():
        assert not check_grads(f, (jnp.array([0.3, 0.9], jnp.float64),), modes="rev").ok


def test_integer_leaves_are_skipped_and_named():
    f = lambda x, n: jnp.sum(x**2) * n
    report = check_grads(f, (jnp.ones(3), 3))
    assert report.ok
    assert [c.note for c in report.checks if c.leaf == "n"] == ["int32 leaf", "int32 leaf"]


def test_pytree_outputs():
    f = lambda p: {"a": jnp.sin(p["u"]), "b": (p["u"] * p["v"], p["v"] ** 2)}
    assert check_grads(f, ({"u": jnp.ones(3), "v": jnp.float32(2.0)},), order=2).ok


def test_bad_arguments_are_explained():
    f = lambda x: jnp.sum(x)
    x = (jnp.ones(2),)
    cases = [
        (dict(order=3), r"order must be an int in \[1, 2\], got 3"),
        (dict(order=True), "order must be an int"),
        (dict(modes=("backward",)), r"modes must be a non-empty subset of \('fwd', 'rev'\)"),
        (dict(modes=()), "modes must be a non-empty subset"),
        (dict(step=0.0), "step must be a finite number > 0, got 0.0"),
        (dict(step=-1e-3), "step must be a finite number > 0"),
        (dict(step=float("nan")), "step must be a finite number > 0, got nan"),
        (dict(step=float("inf")), "step must be a finite number > 0, got inf"),
        (dict(atol=-1.0), "atol must be a finite number >= 0"),
        (dict(rtol=float("inf")), "rtol must be a finite number >= 0"),
        (dict(directions=0), "directions must be an int >= 1"),
        (dict(key="seed"), "key must be a jax PRNG key or an integer seed"),
    ]
    for kwargs, message in cases:
        with pytest.raises(InputError, match=message):
            check_grads(f, x, **kwargs)
    with pytest.raises(InputError, match=r"tuple of positional arguments, e.g. \(x,\)"):
        check_grads(f, jnp.ones(2))
    with pytest.raises(InputError, match="f must be a callable"):
        check_grads("sum", x)
    with pytest.raises(InputError, match="args\\[0\\] must be real, got dtype complex64"):
        check_grads(lambda z: jnp.abs(z) ** 2, (jnp.ones(2, jnp.complex64),))
    with pytest.raises(InputError, match=r"f must accept 2 positional arguments"):
        check_grads(f, (jnp.ones(2), jnp.ones(2)))
    with pytest.raises(InputError, match="args holds no arrays"):
        check_grads(lambda: jnp.float32(1.0), ())
    with pytest.raises(InputError, match=r"past the largest float32.*diffprog.float64\(\)"):
        check_grads(f, (np.array([1e300, 0.0]),))


@pytest.mark.parametrize(
    "bad_f, message",
    [
        (lambda x: None, "f returned None.*did you forget `return`"),
        (lambda x: (), "f returned no arrays"),
        (lambda x: jnp.zeros((0,)), r"f returned an empty array \(shape \(0,\)\)"),
        (lambda x: x * 1j, "f returned a complex leaf"),
        (lambda x: jnp.argmax(x), "f returns a int32 leaf; it must return floats"),
        (lambda x: x > 0, "f returns a bool leaf"),
        (lambda x: "loss", "f returned something that is not an array"),
    ],
)
def test_outputs_that_cannot_be_checked_are_refused(bad_f, message):
    with pytest.raises(InputError, match=message):
        check_grads(bad_f, (jnp.ones(2),))


def test_the_step_is_step_not_eps():
    # eps is machine epsilon (diffprog.eps); the finite-difference step is step=
    f = lambda x: jnp.sum(jnp.sin(x) * x)
    x = (jnp.array([0.3, -1.1, 2.0]),)
    assert check_grads(f, x, step=5e-3).ok
    with pytest.raises(TypeError, match="eps"):
        check_grads(f, x, eps=5e-3)


def test_under_jit_it_asks_to_be_called_outside():
    f = lambda x: jnp.sum(x**2)
    with pytest.raises(InputError, match="called under jit, vmap or grad"):
        jax.jit(lambda x: check_grads(f, (x,)).ok)(jnp.ones(2))


def test_the_users_jit_is_fine_and_nothing_is_cached_on_f():
    state = {"factor": 1.0}

    @jax.custom_vjp
    def act(x):
        return jnp.tanh(x)

    # The rule reads state["factor"] when traced: a cache keyed on f would keep the old one.
    act.defvjp(
        lambda x: (jnp.tanh(x), x), lambda x, g: (state["factor"] * g * (1 - jnp.tanh(x) ** 2),)
    )
    f = lambda x: jnp.sum(act(x) * jnp.arange(1.0, 4.0))
    x = (jnp.array([0.2, -0.4, 0.9]),)
    assert check_grads(f, x, modes="rev").ok
    assert check_grads(jax.jit(f), x, modes="rev").ok  # the user's own jit
    state["factor"] = 1.5
    assert {c.leaf for c in check_grads(f, x, modes="rev").failures} == {"x"}


def test_a_report_prints_ok_only_within_the_tolerance_it_shows():
    report = check_grads(loss_with(scaled_wrong(1.01)), (PARAMS, X), order=2)
    for c in report.checks:
        if c.status == "ok":
            assert c.max_rel_err <= c.tol <= 1e-2, str(report)
    assert "FAIL" in str(report) and not report.ok


def test_undecidable_finite_differences_are_undetermined_not_ok():
    # sin(1e4 x) in float32 at |x| ~ 1: every step tried is many periods or pure round-off.
    f = lambda x: jnp.sum(jnp.sin(1e4 * x))
    report = check_grads(f, (jnp.array([0.7, -1.3, 2.1]),))
    assert not report.ok and not report.failures
    assert report.undetermined and all(c.status == "undetermined" for c in report.checks)
    assert "gradient check undetermined: x" in str(report)
    assert "ok" not in str(report).split("\n", 1)[1]


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
    with pytest.raises(InputError, match="mode must be"):
        jacobian(wide, mode="sideways")


def test_jacobian_takes_tuple_argnums_like_jax():
    f = lambda a, b, c: jnp.stack([a[0] * b**2, jnp.sin(a[1]) * b, a @ a * c])
    args = (jnp.array([1.0, -2.0]), jnp.float32(3.0), jnp.float32(0.5))
    want = jax.jacfwd(f, argnums=(0, 1))(*args)
    for mode in ("auto", "fwd", "rev"):
        got = jax.jit(jacobian(f, argnums=(0, 1), mode=mode))(*args)
        assert isinstance(got, tuple) and len(got) == 2
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g, w, rtol=1e-6)
    assert jacobian_mode(f, *args, argnums=(0, 1)) == "fwd"  # 3 inputs, 3 outputs
    for bad in ((0, 0), "0", 1.0, ()):
        with pytest.raises(InputError, match="argnums"):
            jacobian(f, argnums=bad)
    with pytest.raises(InputError, match="argnums 3 is out of range for 3"):
        jacobian(f, argnums=(0, 3))(*args)
    with pytest.raises(InputError, match="f must be a callable"):
        jacobian(None)


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
    with pytest.raises(InputError, match="different lengths"):
        per_example_grads(loss, params, x, y[:3])
    with pytest.raises(InputError, match="no batch was given"):
        per_example_grads(loss, params)
    with pytest.raises(InputError, match="leading example axis"):
        per_example_grads(loss, params, x, jnp.float32(1.0))


def test_hvp_refuses_a_v_not_shaped_like_x():
    f = lambda x: jnp.sum(x**3)
    with pytest.raises(InputError, match="v must have x's shapes"):
        hvp(f, jnp.ones(3), jnp.ones(2))
    with pytest.raises(InputError, match="v must be a pytree like x"):
        hvp(f, {"a": jnp.ones(2)}, jnp.ones(2))


def test_the_helpers_explain_bad_functions_and_promote_integers():
    with pytest.raises(InputError, match="hvp: f must return a scalar, got shape"):
        hvp(lambda v: v, jnp.ones(2), jnp.ones(2))
    with pytest.raises(InputError, match="hvp: f must accept 1 positional argument"):
        hvp(lambda a, b: a, jnp.ones(2), jnp.ones(2))
    with pytest.raises(InputError, match="jacobian: f returned None.*forget `return`"):
        jacobian(lambda v: None)(jnp.ones(2))
    with pytest.raises(InputError, match="jacobian: f returned a int32 leaf"):
        jacobian(lambda v: jnp.argsort(v))(jnp.ones(2))
    with pytest.raises(InputError, match=r"jacobian_mode: args\[0\] must hold numbers"):
        jacobian_mode(jnp.sin, "ab")
    with pytest.raises(InputError, match="per_example_grads: loss must return a scalar"):
        per_example_grads(lambda p, x: jnp.stack([p, p]), 1.0, jnp.ones(3))
    # integers are promoted to floats (oracles: closed forms)
    np.testing.assert_allclose(
        hvp(lambda v: jnp.sum(v**3), jnp.array([1, 2]), jnp.array([1, 1])), [6.0, 12.0]
    )
    np.testing.assert_allclose(jacobian(lambda v: v**2)(jnp.array([1, 2])), np.diag([2.0, 4.0]))
    got = per_example_grads(lambda p, x: (p * x) ** 2, 2, jnp.array([1.0, 3.0]))
    np.testing.assert_allclose(got, [2 * 2 * 1.0**2, 2 * 2 * 3.0**2])  # d/dp (p x)^2 = 2 p x^2
