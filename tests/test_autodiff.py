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
from diffprog._validate import InputError

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
    jax_fns = {
        "add": jnp.add,
        "sub": jnp.subtract,
        "mul": jnp.multiply,
        "div": jnp.divide,
        "neg": jnp.negative,
        "pow": jnp.power,
        "exp": jnp.exp,
        "log": jnp.log,
        "sin": jnp.sin,
        "cos": jnp.cos,
        "tanh": jnp.tanh,
        "sqrt": jnp.sqrt,
        "sigmoid": jax.nn.sigmoid,
        "abs": jnp.abs,
    }
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
    assert ad.deriv(lambda x: ad.exp(2.0 * x))(0.0) == 2.0


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


# ------------------------------------------------------------------ hostile input, table-driven
# Each entry: (what is tried, a thunk, a regex the message must contain). Every one must raise a
# diffprog InputError (DomainError is one) whose message names the function -- never a raw
# TypeError/ZeroDivisionError/AttributeError from inside the engine, never a silent number.

inf, nan = float("inf"), float("nan")
ident = lambda x: x


def _under_jit():
    return jax.jit(lambda x: ad.grad(ad.sin)(x))(1.0)


def _escaped():
    kept = []
    ad.grad(lambda x: kept.append(x) or x)(1.0)
    return kept[0] + 1.0


BAD = [
    # the function
    ("grad of a non-callable", lambda: ad.grad(3), "f must be a callable"),
    ("grad of None", lambda: ad.grad(None), "f must be a callable"),
    ("grad of a string", lambda: ad.grad("sin"), "f must be a callable"),
    ("derivative of a non-callable", lambda: ad.deriv(2.0), "f must be a callable"),
    ("grad_fwd of a non-callable", lambda: ad.grad_fwd([]), "f must be a callable"),
    ("value_and_grad of a non-callable", lambda: ad.value_and_grad(1), "f must be a callable"),
    ("jvp of a non-callable", lambda: ad.jvp(1.0, (1.0,), (1.0,)), "f must be a callable"),
    ("vjp of a non-callable", lambda: ad.vjp(None, 1.0), "f must be a callable"),
    # argnums
    ("argnums a string", lambda: ad.grad(ident, argnums="0"), "argnums must be an int"),
    ("argnums a float", lambda: ad.grad(ident, argnums=1.0), "argnums must be an int"),
    ("argnums a bool", lambda: ad.grad(ident, argnums=True), "argnums must be an int"),
    ("argnums empty", lambda: ad.grad(ident, argnums=()), "non-empty"),
    ("argnums tuple with a string", lambda: ad.grad(ident, argnums=(0, "1")), "argnums"),
    ("argnums list with None", lambda: ad.value_and_grad(ident, argnums=[0, None]), "argnums"),
    ("argnums out of range", lambda: ad.grad(ident, argnums=1)(1.0), "out of range"),
    ("argnums negative out of range", lambda: ad.grad(ident, argnums=-2)(1.0), "out of range"),
    ("argnums with no arguments", lambda: ad.grad(lambda: 1.0)(), "out of range"),
    # the point
    ("an int", lambda: ad.grad(ident)(1), "must be a float"),
    ("a numpy int", lambda: ad.grad(ident)(np.int64(2)), "must be a float"),
    ("a bool", lambda: ad.grad(ident)(True), "must be a float"),
    ("None", lambda: ad.grad(ident)(None), "must be a float"),
    ("a string", lambda: ad.grad(ident)("1.0"), "must be a float"),
    ("a complex", lambda: ad.grad(ident)(1j), "must be a float"),
    ("a list", lambda: ad.grad(ident)([1.0]), "must be a float"),
    ("a tuple", lambda: ad.deriv(ident)((1.0, 2.0)), "must be a float"),
    ("NaN", lambda: ad.grad(ident)(nan), "finite"),
    ("inf", lambda: ad.deriv(ident)(-inf), "finite"),
    ("a numpy NaN", lambda: ad.grad(ident)(np.float32("nan")), "finite"),
    ("an int array", lambda: ad.jvp(ident, (np.arange(3),), (np.ones(3),)), "real floats"),
    ("a complex array", lambda: ad.jvp(ident, (np.ones(2) * 1j,), (np.ones(2),)), "real"),
    ("an empty array", lambda: ad.jvp(ident, (np.array([]),), (np.array([]),)), "empty"),
    ("an object", lambda: ad.grad(ident)(object()), "must hold real floats"),
    ("a jax tracer (under jit)", _under_jit, "tracer"),
    ("primals not a sequence", lambda: ad.jvp(ident, 1.0, (1.0,)), "tuple or list"),
    ("tangents not a sequence", lambda: ad.jvp(ident, (1.0,), 1.0), "tuple or list"),
    ("primals and tangents of two lengths", lambda: ad.jvp(ident, (1.0,), ()), "one tangent"),
    ("a NaN tangent", lambda: ad.jvp(ident, (1.0,), (nan,)), "finite"),
    ("a None tangent", lambda: ad.jvp(ident, (1.0,), (None,)), "tangents"),
    ("a NaN output adjoint", lambda: ad.vjp(ident, 1.0)[1](nan), "adjoint"),
    ("a string output adjoint", lambda: ad.vjp(ident, 1.0)[1]("1"), "adjoint"),
    ("grad_fwd with no arguments", lambda: ad.grad_fwd(lambda: 1.0)(), "at least one"),
    # the output
    ("grad of a tuple output", lambda: ad.grad(lambda x: (x * 2.0, x))(1.0), "one number"),
    ("grad of a list output", lambda: ad.grad(lambda x: [x])(1.0), "one number"),
    ("grad of a dict output", lambda: ad.grad(lambda x: {"y": x})(1.0), "one number"),
    ("grad of None (no return)", lambda: ad.grad(lambda x: None)(1.0), "forget `return`"),
    ("grad of a string output", lambda: ad.grad(lambda x: "y")(1.0), "one number"),
    ("grad of a bool output", lambda: ad.grad(lambda x: x > 0.0)(1.0), "one number"),
    ("grad of an array output", lambda: ad.grad(lambda x: x * np.ones(3))(1.0), "scalar"),
    ("grad of a complex output", lambda: ad.grad(lambda x: x * 1j)(1.0), "real"),
    ("value_and_grad of a tuple", lambda: ad.value_and_grad(lambda x: (x,))(1.0), "one number"),
    ("jvp of a None output", lambda: ad.jvp(lambda x: None, (1.0,), (1.0,)), "None"),
    ("derivative of a tuple output", lambda: ad.deriv(lambda x: (x, x))(1.0), "a number"),
    ("vjp of a list output", lambda: ad.vjp(lambda x: [x], 1.0), "a number"),
    # operations outside their domains
    ("log at 0", lambda: ad.grad(ad.log)(0.0), "log: the logarithm needs x > 0"),
    ("log below 0", lambda: ad.deriv(ad.log)(-1.0), "log: the logarithm needs x > 0"),
    ("1/x at 0", lambda: ad.grad(lambda x: 1.0 / x)(0.0), "div: division by zero"),
    ("x/0", lambda: ad.deriv(lambda x: x / 0.0)(1.0), "div: division by zero"),
    ("sqrt below 0", lambda: ad.grad(ad.sqrt)(-1.0), "sqrt: the square root needs x >= 0"),
    ("sqrt' at 0", lambda: ad.grad(ad.sqrt)(0.0), "sqrt: the derivative"),
    ("sqrt' at 0, forward", lambda: ad.deriv(ad.sqrt)(0.0), "sqrt: the derivative"),
    ("0 ** -1", lambda: ad.grad(lambda x: x**-1.0)(0.0), "pow: 0 \\*\\* y with y < 0"),
    ("(-8) ** (1/3)", lambda: ad.grad(lambda x: x ** (1 / 3))(-8.0), "negative base"),
    ("d/dx x ** 0.5 at 0", lambda: ad.grad(lambda x: x**0.5)(0.0), "pow: the derivative"),
    ("d/dy (-2) ** y", lambda: ad.grad(lambda y: (-2.0) ** y)(2.0), "with respect to y"),
    ("inf - inf", lambda: ad.grad(lambda x: x * inf - x * inf)(1.0), "NaN"),
    ("0 * inf", lambda: ad.grad(lambda x: (x - 1.0) * inf)(1.0), "NaN"),
    ("log at 0 inside grad of grad", lambda: ad.grad(ad.grad(ad.log))(0.0), "log"),
    # operations the engine does not have
    ("an unknown primitive", lambda: ad.bind("erf", 1.0), "not a primitive"),
    ("math.sin of a node", lambda: ad.grad(lambda x: math.sin(x))(1.0), "float\\(\\)"),
    ("math.exp of a dual", lambda: ad.deriv(lambda x: math.exp(x))(1.0), "float\\(\\)"),
    ("numpy arctan of a node", lambda: ad.grad(np.arctan)(1.0), "arctan is not a primitive"),
    ("a node times None", lambda: ad.grad(lambda x: x * None)(1.0), "must be numbers"),
    ("a node plus a string", lambda: ad.grad(lambda x: x + "1")(1.0), "must be numbers"),
    ("a box used after its call", _escaped, "escaped"),
    ("x % 2", lambda: ad.grad(lambda x: x % 2.0)(1.0), "not a primitive"),
    ("x // 2", lambda: ad.deriv(lambda x: x // 2.0)(1.0), "not a primitive"),
    ("x @ x", lambda: ad.grad(lambda x: x @ x)(1.0), "not a primitive"),
    ("int(x)", lambda: ad.grad(lambda x: int(x) * x)(1.0), "not a primitive"),
    ("round(x)", lambda: ad.grad(lambda x: round(x))(1.0), "not a primitive"),
]


@pytest.mark.parametrize("what, thunk, match", BAD, ids=[b[0] for b in BAD])
def test_hostile_input_gets_a_clear_diffprog_error(what, thunk, match):
    with pytest.raises(InputError, match=match) as err:
        thunk()
    assert "autodiff" in str(err.value)


def test_the_table_of_hostile_inputs_is_long():
    assert len(BAD) >= 70  # the count is reported in the closing note of issue 15


@pytest.mark.parametrize(
    "fn, jax_fn, x",
    [
        (ad.log, jnp.log, 0.0),
        (ad.log, jnp.log, -1.0),
        (lambda x: 1.0 / x, lambda x: 1.0 / x, 0.0),
        (ad.sqrt, jnp.sqrt, -1.0),
        (ad.sqrt, jnp.sqrt, 0.0),
    ],
)
def test_domain_errors_are_where_jax_gives_inf_or_nan(fn, jax_fn, x):
    # the oracle: jax's value or derivative there is not a finite number
    value, slope = jax.value_and_grad(jax_fn)(x)
    assert not (np.isfinite(value) and np.isfinite(slope))
    with pytest.raises(ad.DomainError):
        ad.grad(fn)(x)
    with pytest.raises(ArithmeticError):  # DomainError is an ArithmeticError, as ZeroDivisionError
        ad.deriv(fn)(x)


EDGE = [  # (engine function, jax function, x, the derivative in closed form)
    (lambda x: x**2.0, lambda x: x**2.0, 0.0, 0.0),
    (lambda x: x**1.5, lambda x: x**1.5, 0.0, 0.0),
    (lambda y: 0.0**y, lambda y: 0.0**y, 2.0, 0.0),  # 0^y = 0 for all y > 0
    (lambda x: x**3.0, lambda x: x**3.0, -1.5, 3 * 1.5**2),
    (lambda x: ad.sqrt(x * x + 1.0), lambda x: jnp.sqrt(x * x + 1.0), 0.0, 0.0),
    (ad.sigmoid, jax.nn.sigmoid, -800.0, 0.0),  # e^-800 underflows: 0 in float64
    (ad.sigmoid, jax.nn.sigmoid, 800.0, 0.0),
    (ad.abs, jnp.abs, 0.0, 1.0),  # the kink: jax's convention
    (lambda x: x**0.0, None, 0.0, 0.0),  # x^0 = 1: slope 0 (jax gives nan = 0 * inf here)
]


@pytest.mark.parametrize("fn, jax_fn, x, want", EDGE)
def test_edge_points_inside_the_domain_are_right(fn, jax_fn, x, want):
    if jax_fn is not None:
        with diffprog.float64():
            assert float(jax.grad(jax_fn)(jnp.float64(x))) == pytest.approx(want, abs=1e-300)
    assert ad.grad(fn)(x) == pytest.approx(want, abs=1e-300)
    assert ad.deriv(fn)(x) == pytest.approx(want, abs=1e-300)


def test_numpy_functions_that_are_primitives_dispatch_to_the_engine():
    f = lambda x: np.sin(x) * np.float64(2.0) + np.float64(1.0) * np.exp(x)
    assert ad.grad(f)(0.3) == pytest.approx(2 * math.cos(0.3) + math.exp(0.3), rel=1e-14)


def test_comparisons_see_the_value_so_python_branches_work():
    relu = lambda x: x if x > 0.0 else 0.0 * x
    assert ad.grad(relu)(2.0) == 1.0 and ad.grad(relu)(-2.0) == 0.0
    assert ad.deriv(relu)(2.0) == 1.0
    step = lambda x: x * 2.0 if x == 1.0 else x * 3.0
    assert ad.grad(step)(1.0) == 2.0 and ad.grad(step)(2.0) == 3.0
    assert ad.grad(lambda x: x * 1.0 if x else x * 5.0)(0.0) == 5.0


# ------------------------------------------------------------------ scales and dtypes


@settings(max_examples=40)
@given(st.floats(-6, 6), st.sampled_from([-1.0, 1.0]), st.sampled_from(["float32", "float64"]))
def test_first_and_second_derivatives_across_scales_and_dtypes(log10, sign, dtype):
    # f(x) = x sin x + log(1 + x^2): f' = sin x + x cos x + 2x / (1 + x^2),
    # f'' = 2 cos x - x sin x + 2 (1 - x^2) / (1 + x^2)^2, evaluated in float64 at the same x.
    x = np.dtype(dtype).type(sign * 10.0**log10)
    f = lambda v: v * ad.sin(v) + ad.log(1.0 + v * v)
    xd = float(x)
    d1 = math.sin(xd) + xd * math.cos(xd) + 2 * xd / (1 + xd * xd)
    d2 = 2 * math.cos(xd) - xd * math.sin(xd) + 2 * (1 - xd * xd) / (1 + xd * xd) ** 2
    eps = float(np.finfo(dtype).eps)
    # each term is computed to a few ulps of its own size: that bounds the error of the sum
    scale1 = 1 + abs(xd) + 2 * abs(xd) / (1 + xd * xd)
    scale2 = 2 + abs(xd) + 2 * (1 + xd * xd) / (1 + xd * xd) ** 2
    g = ad.grad(f)(x)
    assert np.asarray(g).dtype == np.dtype(dtype)  # the engine keeps the input's precision
    assert abs(float(g) - d1) <= 64 * eps * scale1
    assert abs(float(ad.deriv(ad.grad(f))(x)) - d2) <= 64 * eps * scale2


def test_concrete_jax_and_numpy_scalars_are_accepted():
    for x in (jnp.float32(0.5), np.float16(0.5), np.float64(0.5), jnp.asarray(0.5)):
        assert float(ad.grad(ad.sin)(x)) == pytest.approx(math.cos(0.5), rel=1e-3)


@settings(max_examples=30)
@given(st.floats(-6, 6), st.sampled_from([ad.grad, ad.deriv]))
def test_log_and_sqrt_domains_at_every_scale(log10, mode):
    x = 10.0**log10
    # inside: the closed forms 1/x and 1/(2 sqrt x), also for the second derivative
    assert mode(ad.log)(x) == pytest.approx(1 / x, rel=1e-14)
    assert mode(ad.sqrt)(x) == pytest.approx(0.5 / math.sqrt(x), rel=1e-14)
    assert mode(mode(ad.log))(x) == pytest.approx(-1 / x**2, rel=1e-14)
    # outside (x < 0, and log at 0): a DomainError naming the operation, also when nested
    for bad in (-x, 0.0):
        with pytest.raises(ad.DomainError, match="log"):
            mode(ad.log)(bad)
        with pytest.raises(ad.DomainError, match="log"):
            mode(mode(ad.log))(bad)
    with pytest.raises(ad.DomainError, match="sqrt"):
        mode(ad.sqrt)(-x)


def test_derivative_is_a_deprecated_alias_of_deriv():
    # the oracle: d/dx x^3 = 3 x^2 = 12 at 2
    with pytest.warns(DeprecationWarning, match="autodiff.deriv"):
        d = ad.derivative(lambda x: x**3.0)
    assert d(2.0) == ad.deriv(lambda x: x**3.0)(2.0) == 12.0
