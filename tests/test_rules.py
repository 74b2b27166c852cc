"""diffprog.rules: every rule against jax.grad (many random points and expressions) and sympy."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import diffprog
from diffprog import rules
from diffprog.rules import Diff, x

POINTS = np.linspace(-2.0, 2.0, 401)
POSITIVE = np.linspace(0.05, 4.0, 401)


def grad_oracle(fn, pts):
    """jax.grad of a plain jax function, at every point (float64)."""
    return np.asarray(jax.vmap(jax.grad(fn))(jnp.asarray(pts)))


def assert_rule(d: Diff, plain, pts=POINTS, rtol=1e-10):
    with diffprog.float64():
        t = jnp.asarray(pts, dtype=jnp.float64)
        np.testing.assert_allclose(d(t), plain(t), rtol=rtol, atol=1e-12)
        np.testing.assert_allclose(d.d(t), grad_oracle(plain, t), rtol=rtol, atol=1e-12)


# ---------------------------------------------------------------- each rule on its own


@given(c=st.floats(-1e3, 1e3))
@settings(max_examples=25)
def test_constant_rule(c):
    assert_rule(rules.constant(c), lambda t: c + 0 * t)


def test_identity_rule():
    assert_rule(x, lambda t: t)


@given(n=st.one_of(st.integers(-4, 6).map(float), st.floats(-3.0, 3.0)))
@settings(max_examples=40)
def test_power_rule(n):
    assert_rule(rules.power(n), lambda t: t**n, pts=POSITIVE, rtol=1e-9)


def test_integer_powers_work_at_negative_x():
    assert_rule(x**3, lambda t: t**3)
    assert_rule(-5 * x**3, lambda t: -5 * t**3)


@given(c=st.floats(-100, 100))
@settings(max_examples=25)
def test_constant_multiple_rule(c):
    assert_rule(rules.scale(c, rules.sin(x)), lambda t: c * jnp.sin(t))
    assert_rule(c * x**2, lambda t: c * t**2)


def test_sum_and_difference_rules():
    assert_rule(x**2 + rules.sin(x), lambda t: t**2 + jnp.sin(t))
    assert_rule(x**2 - rules.sin(x), lambda t: t**2 - jnp.sin(t))
    assert_rule(3 - x, lambda t: 3 - t)
    assert_rule(x + 1, lambda t: t + 1)


def test_product_rule():
    assert_rule(x**2 * rules.sin(x), lambda t: t**2 * jnp.sin(t))
    assert_rule(rules.exp(x) * rules.cos(x), lambda t: jnp.exp(t) * jnp.cos(t))


def test_quotient_rule():
    assert_rule((x**2 + 1) / (x - 3), lambda t: (t**2 + 1) / (t - 3))
    assert_rule(1 / (x**2 + 1), lambda t: 1 / (t**2 + 1))
    assert_rule(rules.sin(x) / (2 + rules.cos(x)), lambda t: jnp.sin(t) / (2 + jnp.cos(t)))


def test_chain_rule():
    assert_rule((x**2 + 1) ** 3, lambda t: (t**2 + 1) ** 3)
    assert_rule(rules.chain(rules.power(3), x**2 + 1), lambda t: (t**2 + 1) ** 3)
    assert_rule(rules.sin(x**2), lambda t: jnp.sin(t**2))
    assert_rule(-x, lambda t: -t)


@pytest.mark.parametrize(
    "name, plain, pts",
    [
        ("exp", jnp.exp, POINTS),
        ("log", jnp.log, POSITIVE),
        ("sin", jnp.sin, POINTS),
        ("cos", jnp.cos, POINTS),
        ("tanh", jnp.tanh, POINTS),
        ("sigmoid", jax.nn.sigmoid, POINTS),
        ("sqrt", jnp.sqrt, POSITIVE),
    ],
)
def test_elementary_blocks(name, plain, pts):
    block = getattr(rules, name)
    assert_rule(block(x), plain, pts)
    assert_rule(block(x**2 + 1), lambda t: plain(t**2 + 1), pts)  # and through the chain rule


def test_the_course_examples():
    f = (x**2 + 1) / (x - 3)
    assert float(f(2.0)) == -5.0 and float(f.d(2.0)) == -9.0  # (2x(x-3) - (x^2+1)) / (x-3)^2
    assert float(rules.sigmoid(x).d(0.0)) == 0.25
    assert float((-5 * x**3).d(2.0)) == -60.0


# ---------------------------------------------------------------- random expressions


UNARY = {
    "sin": (rules.sin, jnp.sin),
    "cos": (rules.cos, jnp.cos),
    "tanh": (rules.tanh, jnp.tanh),
    "sigmoid": (rules.sigmoid, jax.nn.sigmoid),
    "exp∘sin": (lambda u: rules.exp(rules.sin(u)), lambda t: jnp.exp(jnp.sin(t))),
    "log(u²+1)": (lambda u: rules.log(u**2 + 1), lambda t: jnp.log(t**2 + 1)),
    "sqrt(u²+1)": (lambda u: rules.sqrt(u**2 + 1), lambda t: jnp.sqrt(t**2 + 1)),
    "u³": (lambda u: u**3, lambda t: t**3),
    "neg": (lambda u: -u, lambda t: -t),
}
BINARY = {
    "+": (lambda u, v: u + v, lambda a, b: a + b),
    "-": (lambda u, v: u - v, lambda a, b: a - b),
    "*": (lambda u, v: u * v, lambda a, b: a * b),
    "/": (lambda u, v: u / (v**2 + 1), lambda a, b: a / (b**2 + 1)),
}


@st.composite
def expressions(draw, depth=3):
    """A random expression, built twice: by the rules (a Diff) and as a plain jax function."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            return x, lambda t: t
        c = draw(st.floats(-3, 3).map(lambda v: round(v, 2)))
        return rules.constant(c), lambda t: c + 0 * t
    if draw(st.booleans()):
        d, plain = UNARY[draw(st.sampled_from(sorted(UNARY)))]
        u, pu = draw(expressions(depth - 1))
        return d(u), lambda t: plain(pu(t))
    d, plain = BINARY[draw(st.sampled_from(sorted(BINARY)))]
    (u, pu), (v, pv) = draw(expressions(depth - 1)), draw(expressions(depth - 1))
    return d(u, v), lambda t: plain(pu(t), pv(t))


@given(expr=expressions(), pt=st.floats(-2.0, 2.0))
@settings(max_examples=120)
def test_random_expressions_against_jax_grad(expr, pt):
    d, plain = expr
    with diffprog.float64():
        t = jnp.float64(pt)
        want = float(jax.grad(plain)(t))
        got = float(d.d(t))
    assert got == pytest.approx(want, rel=1e-9, abs=1e-9)


SYMPY_NAMES = {"sigmoid": sp.Lambda(sp.Symbol("z"), 1 / (1 + sp.exp(-sp.Symbol("z"))))}


@given(expr=expressions())
@settings(max_examples=40)
def test_random_expressions_against_sympy(expr):
    """The derivative function agrees with sympy's, and the written derivation is right too."""
    d, _ = expr
    X = sp.Symbol("x")
    f_sym = sp.sympify(d.expr, locals=SYMPY_NAMES | {"x": X})
    exact = sp.lambdify(X, sp.diff(f_sym, X), "numpy")
    written = sp.lambdify(X, sp.sympify(d.dexpr, locals=SYMPY_NAMES | {"x": X}), "numpy")
    pts = np.array([-1.7, -0.4, 0.3, 1.1, 1.9])
    with diffprog.float64():
        got = np.asarray(d.d(jnp.asarray(pts)))
        value = np.asarray(d(jnp.asarray(pts)))
    np.testing.assert_allclose(
        value, np.broadcast_to(sp.lambdify(X, f_sym, "numpy")(pts), 5), rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(got, np.broadcast_to(exact(pts), 5), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.broadcast_to(written(pts), 5), got, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- derivation, jit, bad input


def test_derivation_names_the_rules():
    text = ((x**2 + 1) / (x - 3)).derivation()
    rules_used = [line.split()[0] for line in text.splitlines()]
    assert rules_used[-1] == "quotient"
    assert {"power", "sum", "difference", "identity", "constant"} <= set(rules_used)
    assert "chain" in (rules.sin(x**2)).derivation().splitlines()[-1]


def test_derivative_functions_jit_and_vmap():
    f = rules.tanh(x**2) * rules.exp(-x)
    t = jnp.linspace(-1.0, 1.0, 5)
    np.testing.assert_allclose(jax.jit(f.d)(t), jax.vmap(f.d)(t), rtol=1e-6)
    np.testing.assert_allclose(f.d(t), jax.vmap(jax.grad(f))(t), rtol=1e-5)


def test_bad_input_is_explained():
    with pytest.raises(diffprog._validate.InputError, match="exp\\(v \\* log\\(u\\)\\)"):
        x**x
    with pytest.raises(TypeError, match="exp\\(u \\* log\\(2"):
        2**x
    with pytest.raises(TypeError, match="expected a Diff or a number"):
        x + "1"
    with pytest.raises(TypeError, match="expected a Diff or a number"):
        x * None
    for bad in (None, "2.0", 1 + 2j, True):
        with pytest.raises(diffprog._validate.InputError, match="x must be a real number"):
            rules.sin(x).d(bad)
    for bad in (float("nan"), float("inf"), "2", True):
        with pytest.raises(diffprog._validate.InputError, match="exponent must be a finite"):
            rules.power(bad)
    with pytest.raises(diffprog._validate.InputError, match="c must be a real number"):
        rules.constant(1j)
    with pytest.raises(diffprog._validate.InputError, match="callables"):
        Diff("sinh", jnp.cosh, "sinh(x)", "cosh(x)")


# ---------------------------------------------------------------- a graph: shared, deep, wide


@st.composite
def graphs(draw, max_nodes=12):
    """A random expression *graph* (nodes reused), built twice: by the rules and in plain jax."""
    pool = [(x, lambda t: t)]
    for _ in range(draw(st.integers(1, max_nodes))):
        if draw(st.booleans()):
            d, plain = UNARY[draw(st.sampled_from(sorted(UNARY)))]
            u, pu = pool[draw(st.integers(0, len(pool) - 1))]
            pool.append((d(u), lambda t, plain=plain, pu=pu: plain(pu(t))))
        else:
            d, plain = BINARY[draw(st.sampled_from(sorted(BINARY)))]
            (u, pu), (v, pv) = (pool[draw(st.integers(0, len(pool) - 1))] for _ in range(2))
            pool.append((d(u, v), lambda t, plain=plain, pu=pu, pv=pv: plain(pu(t), pv(t))))
    return pool[-1]


@given(g=graphs(), pt=st.floats(-2.0, 2.0), dtype=st.sampled_from(["float32", "float64"]))
@settings(max_examples=60, deadline=None)
def test_random_graphs_against_jax_grad(g, pt, dtype):
    """Shared sub-expressions: value and derivative equal jax's on the same function."""
    d, plain = g
    with diffprog.float64():
        t = jnp.asarray(pt, dtype)
        want_v, want_d = jax.value_and_grad(plain)(t)
        got_v, got_d = d(t), d.d(t)
    tol = 1e-9 if dtype == "float64" else 2e-4
    np.testing.assert_allclose(got_v, want_v, rtol=tol, atol=tol)
    np.testing.assert_allclose(got_d, want_d, rtol=tol, atol=tol * (1 + abs(float(want_d))))


def test_twenty_squarings_are_twenty_one_nodes():
    e = x
    for _ in range(20):
        e = e * e
    with diffprog.float64():  # x**(2**20): d/dx = 2**20 x**(2**20 - 1)
        assert float(e.d(1.0)) == 2.0**20
        t = 1 + 2.0**-24
        assert float(e.d(t)) == pytest.approx(2.0**20 * t ** (2.0**20 - 1), rel=1e-9)
    text = e.derivation()
    assert len(text.splitlines()) == 21 and len(text) < 2_000  # not 86 M characters
    assert "u20" not in text and "u19 = u18*u18" in text
    assert e.expr.startswith("let u1 = x*x;") and len(e.expr) < 1_000


def test_deep_and_wide_expressions_need_no_recursion():
    e = x
    for _ in range(2_000):
        e = rules.sin(e)
    with diffprog.float64():  # oracle: the chain rule by a plain loop
        v, want = 0.5, 1.0
        for _ in range(2_000):
            want, v = want * math.cos(v), math.sin(v)
        assert float(e.d(0.5)) == pytest.approx(want, rel=1e-9)
        assert float(e(0.5)) == pytest.approx(v, rel=1e-12)
    assert len(e.derivation().splitlines()) == 2_000
    terms = [k * x**2 for k in range(10_000)]
    total = sum(terms)  # a left-nested sum, 10,000 deep
    with diffprog.float64():
        assert float(total.d(1.0)) == 2.0 * sum(range(10_000))
    assert len(total.derivation()) < 200 * 30_000  # linear: a bounded line per node


def test_constant_sub_expressions_have_derivative_exactly_zero():
    assert float((x - rules.sqrt(0.0)).d(1.0)) == 1.0  # not inf * 0 = NaN
    assert float((x * rules.log(0.0)).d(1.0)) == -np.inf  # the value is -inf: still honest
    assert float((rules.sqrt(0.0) / (x + 1)).d(1.0)) == 0.0
    assert float(rules.sin(rules.sqrt(0.0)).d(3.0)) == 0.0
    assert rules.sqrt(0.0).dexpr == "0"
    assert (x - rules.sqrt(0.0)).dexpr == "1"


def test_shared_sub_expressions_are_named_once():
    u = x**2 + 1
    text = (u * u).derivation()
    assert text.count("u1 = x**2 + 1") == 1 and text.splitlines()[-1].endswith("u1'*u1 + u1*u1'")
    # the inline forms still read as one formula (sympy agrees with them)
    X = sp.Symbol("x")
    assert sp.simplify(sp.sympify((u * u).dexpr) - sp.diff((X**2 + 1) ** 2, X)) == 0


def test_a_composite_outer_function_composes_by_substitution():
    g = rules.sin(x) * x  # g(u) = u sin u
    f = rules.chain(g, x**2 + 1)
    assert_rule(f, lambda t: (t**2 + 1) * jnp.sin(t**2 + 1))
    h = x  # h_{k+1} = h_k(x^2) at depth 200: no recursion limit
    for _ in range(200):
        h = rules.chain(h, x * 1.001)
    with diffprog.float64():
        assert float(h.d(1.0)) == pytest.approx(1.001**200, rel=1e-12)


def test_a_user_block():
    sinh = Diff(jnp.sinh, jnp.cosh, "sinh(x)", "cosh(x)")
    assert_rule(sinh, jnp.sinh)
    assert_rule(rules.chain(sinh, x**2), lambda t: jnp.sinh(t**2))
    assert rules.chain(sinh, x**2).dexpr == "cosh(x**2)*(2*x)"


def test_under_jit_vmap_and_grad():
    f = rules.sin(x) * x
    t = jnp.linspace(-1.0, 1.0, 5)
    np.testing.assert_allclose(jax.jit(jax.vmap(f.d))(t), jax.vmap(jax.grad(f))(t), rtol=1e-5)
    second = jax.vmap(jax.grad(f.d))(t)  # d/dx (sin x + x cos x) = 2 cos x - x sin x
    np.testing.assert_allclose(second, 2 * jnp.cos(t) - t * jnp.sin(t), rtol=1e-5, atol=1e-6)


@given(k=st.integers(1, 60), width=st.integers(1, 3))
@settings(max_examples=15, deadline=None)
def test_repeated_sharing_stays_linear(k, width):
    """e = e*e (or e*e*e) k times: x**(width+1)**k has a graph of about k*width nodes, and its
    derivative at 1 is the exponent (exact in float64 up to 2**53); the tree has (width+1)**k."""
    e = x
    for _ in range(k):
        f = e
        for _ in range(width):
            f = f * e
        e = f
    n = (width + 1) ** k
    with diffprog.float64():
        got = float(e.d(1.0))
    assert got == (float(n) if n < 2**53 else pytest.approx(float(n), rel=1e-12))
    assert len(e.derivation().splitlines()) == 1 + k * width
    assert len(repr(e)) < 200 and len(e.dexpr) < 200 * k * width
