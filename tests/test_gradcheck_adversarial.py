"""check_grads against hostile inputs, with jax's own checker as the peer.

The oracle is the construction: a ``custom_vjp`` whose backward rule is the true derivative
times ``factor`` is right exactly when ``factor == 1`` (the forward value is unchanged), so a
right rule must pass (or, where finite differences cannot resolve it, be reported
undetermined) and a rule off by ``1 ± δ`` must fail. ``jax.test_util.check_grads`` is run on
the same functions: whatever it catches, ours catches too.
"""

from __future__ import annotations

import contextlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jax import test_util as jtu

import diffprog
from diffprog import check_grads


def precision(dtype):
    return diffprog.float64() if dtype == np.float64 else contextlib.nullcontext()


RTOL = {np.dtype("float32"): 2e-3, np.dtype("float64"): 1e-6}


def scaled_rule(fn, dfn, factor):
    """``fn`` with a custom_vjp whose rule is ``factor * dfn`` (right when factor == 1)."""

    @jax.custom_vjp
    def g(x):
        return fn(x)

    g.defvjp(lambda x: (fn(x), x), lambda x, ct: (factor * ct * dfn(x),))
    return g


def tanh_rule(factor):
    return scaled_rule(jnp.tanh, lambda x: 1 - jnp.tanh(x) ** 2, factor)


def jax_fails(f, args, modes=("rev",)):
    try:
        jtu.check_grads(f, args, order=1, modes=list(modes))
    except AssertionError:
        return True
    return False


def assert_honest(report, rtol):
    """Every "ok" row lies within the tolerance it prints, and that is at most 5 rtol."""
    for c in report.checks:
        if c.status == "ok":
            assert c.max_rel_err <= c.tol <= 5 * rtol * (1 + 1e-9), str(report)
        else:
            assert not c.ok
    for line, c in zip(str(report).splitlines()[1:][1:], report.checks, strict=True):
        assert line.split("  ")[-1].startswith(c.status), line


# ------------------------------------------------- the failures issue 14 reported


def test_a_5_percent_wrong_vjp_behind_a_200x7_matrix_fails_every_seed_like_jax():
    wrong = tanh_rule(1.05)
    ours = theirs = 0
    for seed in range(20):
        k_a, k_x = jax.random.split(jax.random.key(seed))
        A = jax.random.normal(k_a, (200, 7))
        x = jax.random.normal(k_x, (7,))
        f = lambda x, A=A: A @ wrong(x)
        report = check_grads(f, (x,), modes="rev", key=seed)
        ours += not report.ok
        theirs += jax_fails(f, (x,))
        assert [c.status for c in report.checks] == ["FAIL"], str(report)
        assert abs(report.checks[0].max_rel_err - 0.05) < 5e-3  # the error is 5%
    assert theirs == 20 and ours == 20


def test_a_4x_wrong_vjp_on_a_small_loss_fails_and_says_so():
    wrong = scaled_rule(jnp.sin, jnp.cos, 4.0)
    f = lambda x: 1e-3 * jnp.sum(wrong(x))
    x = (jnp.array([0.1, 0.2]),)
    report = check_grads(f, x, modes="rev")
    assert [c.status for c in report.checks] == ["FAIL"], str(report)
    np.testing.assert_allclose(report.checks[0].max_rel_err, 3.0, rtol=1e-2)
    assert "3.00e+00" in str(report) and " ok" not in str(report)


def test_the_same_loss_scaled_down_fails_where_jax_cannot_see_it():
    # jax's absolute tolerance 2e-3 is larger than the whole gradient of a 1e-6-scaled loss.
    wrong = scaled_rule(jnp.sin, jnp.cos, 4.0)
    f = lambda x: 1e-6 * jnp.sum(wrong(x))
    x = (jnp.array([0.1, 0.2, 0.3]),)
    assert not jax_fails(f, x)
    assert not check_grads(f, x, modes="rev").ok


# --------------------------------- how jax's own suite treats wrong derivatives (peer)


@pytest.mark.parametrize("case", ["vjp sign", "vjp factor", "jvp factor", "vjp one leaf"])
def test_wrong_rules_jax_catches_are_caught_and_localised(case):
    p = {"a": jnp.array([0.3, -0.8, 1.1]), "b": jnp.float32(0.7)}
    if case in ("vjp sign", "vjp factor"):
        g = tanh_rule(-1.0 if case == "vjp sign" else 2.0)
        f = lambda p: jnp.sum(g(p["a"] * p["b"]))
        modes, bad = ("rev",), {"p['a']", "p['b']"}
    elif case == "jvp factor":

        @jax.custom_jvp
        def g(x):
            return jnp.exp(x)

        g.defjvp(lambda pr, t: (jnp.exp(pr[0]), 3.0 * jnp.exp(pr[0]) * t[0]))
        f = lambda p: jnp.sum(g(p["a"])) + p["b"] ** 3
        modes, bad = ("fwd", "rev"), {"p['a']"}
    else:
        g = tanh_rule(0.9)
        f = lambda p: jnp.sum(jnp.sin(p["a"])) * p["b"] + g(p["b"])
        modes, bad = ("rev",), {"p['b']"}
    assert jax_fails(f, (p,), modes)
    report = check_grads(f, (p,), modes=modes)
    assert {c.leaf for c in report.failures} == bad, str(report)
    assert all(c.status == "ok" for c in report.checks if c.leaf not in bad), str(report)
    assert_honest(report, 2e-3)


# ------------------------------------------------------------ hypothesis: scales, trees

LAYOUTS = [
    lambda z: {"w": z[:6].reshape(2, 3), "b": z[6:9]},
    lambda z: [z[:4], (z[4], z[5:9].reshape(2, 2))],
    lambda z: z[:9],
]


def make_problem(layout, dtype, s_in, s_out, vector_out, factor, seed):
    """f(params) = s_out * M tanh_rule(A z), z = concat(leaves) / s_in; params = s_in * z0."""
    rng = np.random.default_rng(seed)
    z0 = rng.uniform(-1.0, 1.0, 9).astype(dtype)
    A = jnp.asarray(rng.normal(size=(5, 9)) / 3.0, dtype)
    M = jnp.asarray(rng.normal(size=(3, 5)), dtype)
    act = tanh_rule(factor)

    def f(params):
        z = jnp.concatenate([jnp.ravel(x) for x in jax.tree.leaves(params)]) / s_in
        y = act(A @ z)
        return s_out * (M @ y if vector_out else jnp.sum(y * jnp.arange(1.0, 6.0, dtype=dtype)))

    params = jax.tree.map(lambda x: jnp.asarray(x * dtype(s_in), dtype), layout(z0))
    return f, params


scales = st.builds(lambda e, m: m * 10.0**e, st.integers(-6, 6), st.floats(1.0, 9.9))


@settings(max_examples=8)
@given(
    st.integers(0, len(LAYOUTS) - 1),
    st.sampled_from(["float32", "float64"]),
    scales,
    scales,
    st.booleans(),
    st.integers(0, 2**16),
)
def test_right_gradients_pass_at_any_scale_shape_and_dtype(
    layout, dtype, s_in, s_out, vector_out, seed
):
    dtype = np.dtype(dtype)
    with precision(dtype):
        f, params = make_problem(LAYOUTS[layout], dtype.type, s_in, s_out, vector_out, 1.0, seed)
        report = check_grads(f, (params,), modes="rev")
    assert report.ok, str(report)
    assert_honest(report, RTOL[dtype])


@settings(max_examples=8)
@given(
    st.integers(0, len(LAYOUTS) - 1),
    st.sampled_from(["float32", "float64"]),
    scales,
    scales,
    st.booleans(),
    st.integers(0, 2**16),
    st.sampled_from([-1.0, 1.0]),
    st.sampled_from([0.02, 0.05, 0.3]),
)
def test_perturbed_gradients_fail_at_any_scale_shape_and_dtype(
    layout, dtype, s_in, s_out, vector_out, seed, sign, delta
):
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        delta = delta / 100  # float64's tolerance is 1e-6: a 0.02% error must fail too
    with precision(dtype):
        f, params = make_problem(
            LAYOUTS[layout], dtype.type, s_in, s_out, vector_out, 1.0 + sign * delta, seed
        )
        report = check_grads(f, (params,), modes="rev")
    # Every leaf enters through the wrong rule: every leaf fails, none is "ok".
    assert report.checks and all(c.status == "FAIL" for c in report.checks), str(report)
    assert all(abs(c.max_rel_err - delta) < 0.3 * delta for c in report.checks), str(report)


# ----------------------------------------------- domains, kinks, noise: never a wrong "ok"


def test_a_step_that_would_leave_the_domain_shrinks_or_says_undetermined():
    # log at points of very different sizes: the base step crosses 0 for the small entry.
    f = lambda x: jnp.sum(jnp.log(x))
    report = check_grads(f, (jnp.array([2e-3, 1.0, 3.0]),))
    assert not report.failures, str(report)
    assert report.ok or all(c.status == "undetermined" for c in report.checks)
    assert_honest(report, 2e-3)


def test_relu_network_right_gradient_is_never_failed():
    # Kinks within the step: the two steps disagree, the check shrinks the step or abstains.
    rng = np.random.default_rng(3)
    W = jnp.asarray(rng.normal(size=(16, 4)), jnp.float32)
    x = jnp.asarray(rng.normal(size=(32, 4)), jnp.float32)
    f = lambda W, x: jnp.sum(jax.nn.relu(x @ W.T) ** 1.0)
    report = check_grads(f, (W, x), directions=3)
    assert not report.failures, str(report)
    assert_honest(report, 2e-3)


def test_float16_inputs_use_a_looser_tolerance_not_a_wrong_verdict():
    f = lambda x: jnp.sum(jnp.sin(x) * 2.0)
    report = check_grads(f, (jnp.array([0.3, 0.9, -0.4], jnp.float16),), modes="rev")
    assert not report.failures, str(report)
    assert_honest(report, 1e-2)
