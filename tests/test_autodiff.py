"""The from-scratch engine against jax.grad / jax.jvp on random expressions."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import diffprog
from diffprog import autodiff as ad

# ------------------------------------------------------------------ random expression trees
# A tree is ("var", i) | ("const", c) | (unary_name, tree) | (binary_name, tree, tree).
# Each node kind is a small composite that stays in the primitives' domains, so every
# primitive is exercised at points where it is differentiable.

UNARY = {
    "sin": lambda m, a: m.sin(a),
    "cos": lambda m, a: m.cos(a),
    "tanh": lambda m, a: m.tanh(a),
    "sigmoid": lambda m, a: m.sigmoid(a),
    "exp": lambda m, a: m.exp(m.sin(a)),
    "log": lambda m, a: m.log(1.0 + a * a),
    "sqrt": lambda m, a: m.sqrt(1.0 + a * a),
    "neg": lambda m, a: -a,
    "powc": lambda m, a: (1.5 + m.sin(a)) ** 2.5,
}
BINARY = {
    "add": lambda m, a, b: a + b,
    "sub": lambda m, a, b: a - b,
    "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / (1.0 + b * b),
    "pow": lambda m, a, b: (2.0 + m.tanh(a)) ** m.sin(b),
    "rsub": lambda m, a, b: 3.0 - a * 2.0 + b / 4.0,
}
NUM_VARS = 3


class JaxOps:
    sin, cos, tanh, exp, log, sqrt = jnp.sin, jnp.cos, jnp.tanh, jnp.exp, jnp.log, jnp.sqrt
    sigmoid = staticmethod(jax.nn.sigmoid)


def evaluate(tree, m, xs):
    kind = tree[0]
    if kind == "var":
        return xs[tree[1]]
    if kind == "const":
        return tree[1]
    if kind in UNARY:
        return UNARY[kind](m, evaluate(tree[1], m, xs))
    return BINARY[kind](m, evaluate(tree[1], m, xs), evaluate(tree[2], m, xs))


leaves = st.one_of(
    st.tuples(st.just("var"), st.integers(0, NUM_VARS - 1)),
    st.tuples(st.just("const"), st.floats(-2, 2, allow_nan=False).map(lambda c: round(c, 3))),
)
trees = st.recursive(
    leaves,
    lambda sub: st.one_of(
        st.tuples(st.sampled_from(sorted(UNARY)), sub),
        st.tuples(st.sampled_from(sorted(BINARY)), sub, sub),
    ),
    max_leaves=12,
)
points = st.lists(st.floats(-2, 2, allow_nan=False), min_size=NUM_VARS, max_size=NUM_VARS)


def jax_reference(tree, xs):
    with diffprog.float64():
        f = lambda *v: jnp.asarray(evaluate(tree, JaxOps, v), dtype=jnp.float64)
        args = tuple(jnp.float64(x) for x in xs)
        value, grads = jax.value_and_grad(f, argnums=tuple(range(NUM_VARS)))(*args)
        return float(value), [float(g) for g in grads]


@settings(max_examples=60)
@given(trees, points)
def test_reverse_mode_matches_jax_grad(tree, xs):
    f = lambda *v: evaluate(tree, ad, v)
    value, grads = ad.value_and_grad(f, argnums=tuple(range(NUM_VARS)))(*xs)
    want_value, want_grads = jax_reference(tree, xs)
    np.testing.assert_allclose(float(value), want_value, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.array(grads, dtype=float), want_grads, rtol=1e-9, atol=1e-12)


@settings(max_examples=60)
@given(trees, points, points)
def test_forward_mode_matches_jax_grad(tree, xs, direction):
    f = lambda *v: evaluate(tree, ad, v)
    value, tangent = ad.jvp(f, xs, direction)
    want_value, want_grads = jax_reference(tree, xs)
    np.testing.assert_allclose(float(value), want_value, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(float(tangent), np.dot(want_grads, direction), rtol=1e-8, atol=1e-10)


# ------------------------------------------------------------------ the survey's example

def survey_f(x1, x2, m=ad):
    return m.log(x1) + x1 * x2 - m.sin(x2)


def test_survey_example_by_hand():
    # Baydin et al. (2018) tables 2-3: df/dx1 = 1/x1 + x2, df/dx2 = x1 - cos x2.
    value, grads = ad.value_and_grad(survey_f, argnums=(0, 1))(2.0, 5.0)
    assert math.isclose(value, math.log(2) + 10 - math.sin(5))
    assert round(value, 3) == 11.652
    assert grads == pytest.approx((1 / 2 + 5, 2 - math.cos(5)))
    assert ad.grad_fwd(survey_f)(2.0, 5.0) == pytest.approx(grads)


# ------------------------------------------------------------------ the engine's promises

def test_long_chain_does_not_overflow_the_stack():
    n = 100_000

    def chain(x):
        for _ in range(n):
            x = x * 1.0001
        return x

    assert ad.grad(chain)(1.0) == pytest.approx(1.0001**n, rel=1e-9)


def test_gradients_are_returned_not_accumulated():
    f = lambda x, y: x * y + x * x
    g = ad.grad(f, argnums=(0, 1))
    assert g(3.0, 2.0) == g(3.0, 2.0) == (8.0, 3.0)
    _, pullback = ad.vjp(f, 3.0, 2.0)
    assert pullback(1.0) == pullback(1.0) == (8.0, 3.0)
    assert pullback(2.0) == (16.0, 6.0)


def test_fan_out_sums_adjoints():
    # x used many times: the adjoint is the sum over all uses.
    assert ad.grad(lambda x: x * x * x + x)(2.0) == 13.0


def test_unused_argument_and_constant_function_have_zero_gradient():
    assert ad.grad(lambda x, y: x * 2.0, argnums=1)(1.0, 5.0) == 0.0
    assert ad.grad(lambda x: 3.0)(1.0) == 0.0
    assert ad.jvp(lambda x: 3.0, (1.0,), (1.0,)) == (3.0, 0.0)


def test_every_primitive_has_both_rules():
    assert set(ad.IMPLS) == set(ad.JVPS) == set(ad.VJPS)


@pytest.mark.parametrize("name", sorted(ad.IMPLS))
def test_each_primitive_against_jax(name):
    jax_fns = {"add": jnp.add, "sub": jnp.subtract, "mul": jnp.multiply, "div": jnp.divide,
               "neg": jnp.negative, "pow": jnp.power, "exp": jnp.exp, "log": jnp.log,
               "sin": jnp.sin, "cos": jnp.cos, "tanh": jnp.tanh, "sqrt": jnp.sqrt,
               "sigmoid": jax.nn.sigmoid, "abs": jnp.abs}
    n = len(ad.VJPS[name])
    args = (1.3, 0.7)[:n] if name != "abs" else (-0.4,)
    f = lambda *v: ad.bind(name, *v)
    ours = ad.grad(f, argnums=tuple(range(n)))(*args)
    with diffprog.float64():
        want = jax.grad(jax_fns[name], argnums=tuple(range(n)))(*map(jnp.float64, args))
    np.testing.assert_allclose(ours, [float(w) for w in want], rtol=1e-12)
    for i in range(n):
        e = tuple(1.0 if j == i else 0.0 for j in range(n))
        assert ad.jvp(f, args, e)[1] == pytest.approx(ours[i], rel=1e-12)


def test_abs_derivative_at_the_kink_follows_jax():
    assert ad.grad(ad.abs)(0.0) == float(jax.grad(jnp.abs)(0.0))
    assert ad.grad(ad.abs)(-0.5) == -1.0


def test_derivative_of_one_variable():
    assert ad.derivative(lambda x: ad.exp(2.0 * x))(0.0) == 2.0


def test_elementwise_numpy_arrays():
    x = np.array([0.1, 0.5, 2.0])
    np.testing.assert_allclose(ad.jvp(ad.tanh, (x,), (np.ones(3),))[1], 1 - np.tanh(x) ** 2)


def test_bad_input_is_explained():
    with pytest.raises(NotImplementedError, match="not a primitive"):
        ad.bind("erf", 1.0)
    with pytest.raises(ValueError, match="one tangent per argument"):
        ad.jvp(lambda x, y: x, (1.0, 2.0), (1.0,))
    with pytest.raises(ValueError, match="argnums"):
        ad.grad(lambda x: x, argnums=3)(1.0)
    with pytest.raises(TypeError, match="scalar-valued"):
        ad.grad(lambda x: x * np.ones(2))(1.0)
