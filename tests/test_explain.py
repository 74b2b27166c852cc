"""explain: the three evaluation traces, checked against jax.jvp / jax.vjp."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import diffprog
from diffprog import explain


def survey(x1, x2):
    return jnp.log(x1) + x1 * x2 - jnp.sin(x2)


def test_survey_example_tables_2_and_3():
    with diffprog.float64():
        t = explain(survey, 2.0, 5.0)
    # Closed forms: f = ln 2 + 10 - sin 5, ∂f/∂x1 = 1/x1 + x2, ∂f/∂x2 = x1 - cos x2.
    assert t.value == pytest.approx(math.log(2) + 10 - math.sin(5), rel=1e-14)
    assert round(t.value, 3) == 11.652
    assert t.gradient == pytest.approx((5.5, 2 - math.cos(5)), rel=1e-14)
    assert round(t.gradient[1], 3) == 1.716
    assert t.jvp == pytest.approx(t.gradient, rel=1e-14)  # one column per input: the partials
    # The primal trace has the survey's five operations, in its order.
    assert [r.expr for r in t.primal] == [
        "x₁",
        "x₂",
        "ln v₋₁",
        "v₋₁ × v₀",
        "v₁ + v₂",
        "sin v₀",
        "v₃ − v₄",
        "v₅",
    ]
    assert [r.value for r in t.primal][2:7] == pytest.approx(
        [math.log(2), 10, math.log(2) + 10, math.sin(5), t.value]
    )
    # Table 2's tangent column (ẋ = e1): v̇1 = 1/2, v̇2 = 5, v̇3 = 5.5, v̇4 = 0, v̇5 = 5.5.
    assert [r.value[0] for r in t.tangent][2:7] == pytest.approx([0.5, 5, 5.5, 0, 5.5])
    # Table 3's adjoints end in x̄ = ∇f.
    assert t.adjoint[-2:][0].var == "x̄₁" and t.adjoint[-1].value == pytest.approx(t.gradient[1])


def test_text_and_html():
    t = explain(survey, 2.0, 5.0)
    text = str(t)
    for title in ("Forward primal trace", "Forward tangent trace", "Reverse adjoint trace"):
        assert title in text and title in t._repr_html_()
    assert "v̄₋₁ = v̄₋₁ + v̄₁ × 1/v₋₁" in text
    assert t._repr_html_().count("<table>") == 3


def test_given_direction():
    t = explain(survey, 2.0, 5.0, tangent=(0.3, -1.0))
    want = jax.jvp(survey, (2.0, 5.0), (0.3, -1.0))[1]
    assert len(t.jvp) == 1 and t.jvp[0] == pytest.approx(float(want), rel=1e-6)


# Random scalar programs over the supported primitives, against jax.jvp and jax.vjp.
OPS = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (1 + b * b),
    lambda a, b: jnp.sin(a) * jnp.cos(b),
    lambda a, b: jnp.tanh(a) + jax.nn.sigmoid(b),
    lambda a, b: jnp.exp(-a * a) + jnp.log(1 + b**2),
    lambda a, b: jnp.sqrt(1 + a**2) - b**3,
    lambda a, b: jnp.maximum(a, b) + jnp.minimum(a, 2 * b),
    lambda a, b: (2 + jnp.tanh(a)) ** b,
    lambda a, b: jnp.where(a > b, a * b, a - b),
    lambda a, b: jax.jit(lambda u: u * b)(a),
    lambda a, b: jnp.abs(a) + jnp.square(b) - (-a),
    lambda a, b: jnp.tan(0.3 * a) + jnp.expm1(0.2 * b),
    lambda a, b: jax.nn.relu(a) * b,
    lambda a, b: jax.nn.softplus(a - b),
    lambda a, b: jnp.logaddexp(a, b),
    lambda a, b: jnp.sinh(a) + jnp.arctan2(a, b),
    lambda a, b: jax.scipy.special.erf(a) * jnp.cosh(b),
    lambda a, b: jnp.clip(a, -0.5, b),
    lambda a, b: jax.nn.silu(a) + jax.nn.gelu(b),
    lambda a, b: jnp.arctan(a) + jnp.arcsinh(b),
]


@settings(max_examples=8, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, len(OPS) - 1), st.integers(0, 9), st.integers(0, 9)),
        min_size=1,
        max_size=6,
    ),
    st.lists(st.floats(-1.5, 1.5, allow_nan=False), min_size=2, max_size=2),
    st.lists(st.floats(-1, 1, allow_nan=False), min_size=2, max_size=2),
)
def test_random_programs_match_jax(program, x, direction):
    def f(x1, x2):
        vals = [x1, x2]
        for op, i, j in program:
            vals.append(OPS[op](vals[i % len(vals)], vals[j % len(vals)]))
        return vals[-1]

    with diffprog.float64():
        args = tuple(jnp.float64(v) for v in x)
        t = explain(f, *args, tangent=direction)
        value, tangent = jax.jvp(f, args, tuple(jnp.float64(d) for d in direction))
        _, pullback = jax.vjp(f, *args)
        gradient = pullback(jnp.float64(1.0))
    np.testing.assert_allclose(t.value, float(value), rtol=1e-12)
    np.testing.assert_allclose(t.jvp[0], float(tangent), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(t.gradient, [float(g) for g in gradient], rtol=1e-10, atol=1e-12)


def test_float32_matches_jax():
    t = explain(survey, 2.0, 5.0)
    _, pullback = jax.vjp(survey, 2.0, 5.0)
    np.testing.assert_allclose(
        t.gradient, [float(g) for g in pullback(jnp.float32(1.0))], rtol=1e-6
    )


def test_identity_and_unused_input():
    t = explain(lambda x, y: x, 1.5, 2.0)
    assert t.value == 1.5 and t.gradient == (1.0, 0.0)


def test_unsupported_things_are_named():
    with pytest.raises(NotImplementedError, match="'cond'.*control flow"):
        explain(lambda x: jax.lax.cond(x > 0, jnp.sin, jnp.cos, x), 1.0)
    with pytest.raises(NotImplementedError, match="'while'|'scan'"):
        explain(lambda x: jax.lax.fori_loop(0, 3, lambda i, v: v * x, x), 1.0)
    with pytest.raises(ValueError, match="scalar programs only"):
        explain(lambda x: jnp.sum(x * jnp.ones(3)), 1.0)
    with pytest.raises(TypeError, match="argument 0 .*float scalar"):
        explain(survey, 2, 5.0)
    with pytest.raises(ValueError, match="one scalar"):
        explain(lambda x: (x, x), 1.0)
    with pytest.raises(ValueError, match="tangent has 1 entries"):
        explain(survey, 2.0, 5.0, tangent=(1.0,))


# ---------------------------------------------------------------- every primitive, jax as oracle


_ORACLES: dict = {}


def oracle(f, n):
    """jax.jvp (all-ones direction) and jax.grad of f, jit-compiled once per test function."""
    if (f, n) not in _ORACLES:

        def both(*args):
            ones = tuple(jnp.ones_like(a) for a in args)
            return jax.jvp(f, args, ones), jax.grad(f, argnums=tuple(range(n)))(*args)

        _ORACLES[f, n] = jax.jit(both)
    return _ORACLES[f, n]


def assert_matches_jax(f, *args):
    """explain's value, tangent column and adjoints against jax.jvp and jax.grad (NaN = NaN)."""
    t = explain(f, *args, tangent=tuple(1.0 for _ in args))
    (value, jvp), grad = oracle(f, len(args))(*args)
    np.testing.assert_allclose(t.value, float(value), rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(t.jvp[0], float(jvp), rtol=1e-10, atol=1e-300, equal_nan=True)
    np.testing.assert_allclose(
        t.gradient, [float(g) for g in grad], rtol=1e-10, atol=1e-300, equal_nan=True
    )
    return t


UNARY = {  # primitive -> (function, points where it is defined, edge points)
    "sinh": (jnp.sinh, (-3, 3), [0.0]),
    "cosh": (jnp.cosh, (-3, 3), [0.0]),
    "erf": (jax.scipy.special.erf, (-3, 3), [0.0]),
    "erfc": (jax.scipy.special.erfc, (-3, 3), []),
    "erf_inv": (jax.scipy.special.erfinv, (-0.9, 0.9), [0.0]),
    "asin": (jnp.arcsin, (-0.9, 0.9), [1.0]),
    "acos": (jnp.arccos, (-0.9, 0.9), [1.0]),
    "atan": (jnp.arctan, (-5, 5), []),
    "asinh": (jnp.arcsinh, (-5, 5), []),
    "acosh": (jnp.arccosh, (1.1, 5), [1.0]),
    "atanh": (jnp.arctanh, (-0.9, 0.9), [1.0]),
    "exp": (jnp.exp, (-3, 3), []),
    "exp2": (jnp.exp2, (-3, 3), []),
    "log": (jnp.log, (0.1, 5), [0.0, -1.0]),
    "log1p": (jnp.log1p, (-0.5, 5), [-1.0]),
    "sin": (jnp.sin, (-5, 5), []),
    "cos": (jnp.cos, (-5, 5), []),
    "tan": (jnp.tan, (-1, 1), []),
    "tanh": (jnp.tanh, (-5, 5), []),
    "logistic": (jax.nn.sigmoid, (-5, 5), []),
    "sqrt": (jnp.sqrt, (0.1, 5), [0.0]),
    "rsqrt": (jax.lax.rsqrt, (0.1, 5), [0.0]),
    "cbrt": (jnp.cbrt, (0.1, 5), [0.0, -2.0]),
    "abs": (jnp.abs, (-3, 3), [0.0]),
    "sign": (jnp.sign, (-3, 3), [0.0]),
    "floor": (jnp.floor, (-3, 3), [1.0]),
    "integer_pow": (lambda a: a**3, (-3, 3), [0.0]),
    "square": (jnp.square, (-3, 3), [0.0]),
    "integer_pow -1": (lambda a: a**-1, (0.1, 3), [0.0]),
    "x**0": (lambda a: a**0, (-3, 3), [0.0]),
    "relu": (jax.nn.relu, (-3, 3), [0.0]),
    "softplus": (jax.nn.softplus, (-30, 30), [0.0]),
    "log_sigmoid": (jax.nn.log_sigmoid, (-30, 30), []),
    "stop_gradient": (lambda a: a * jax.lax.stop_gradient(a), (-3, 3), []),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_each_unary_primitive_matches_jax(name):
    fn, (lo, hi), edges = UNARY[name]

    @settings(max_examples=4, deadline=None)
    @given(st.floats(lo, hi), st.sampled_from([np.float32, np.float64]))
    def check(x, dtype):
        with diffprog.float64():
            assert_matches_jax(fn, jnp.asarray(x, dtype))

    check()
    with diffprog.float64():
        for x in edges:  # where jax gives 0, inf or NaN, explain gives the same
            assert_matches_jax(fn, jnp.float64(x))


BINARY = {
    "pow": lambda a, b: a**b,
    "atan2": jnp.arctan2,
    "div": lambda a, b: a / b,
    "max": jnp.maximum,
    "min": jnp.minimum,
    "logaddexp": jnp.logaddexp,
    "clip": lambda a, b: jnp.clip(a, -1.0, b),
    "where": lambda a, b: jnp.where(a < b, a, b * b),
}
EDGES = [0.0, -0.0, 1.0, -1.0, 2.0, np.inf, np.nan]


@pytest.mark.parametrize("name", sorted(BINARY))
def test_each_binary_primitive_matches_jax_at_the_edges(name):
    """x**y at x = 0, ties of max/min, infinities and NaN: the same numbers as jax."""
    with diffprog.float64():
        for a in EDGES:
            for b in EDGES:
                assert_matches_jax(BINARY[name], jnp.float64(a), jnp.float64(b))


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(sorted(BINARY)),
    st.floats(-1e3, 1e3, allow_subnormal=False) | st.sampled_from([1e-6, -1e-6, 0.0]),
    st.floats(-1e3, 1e3, allow_subnormal=False) | st.sampled_from([1e-6, 2.0, 0.0]),
)
def test_binary_primitives_match_jax_anywhere(name, a, b):
    with diffprog.float64():
        assert_matches_jax(BINARY[name], jnp.float64(a), jnp.float64(b))


def test_pow_at_zero_is_jax_not_nan():
    # d/dy x**y = ln(x) x**y: jax reads ln 0 as 0 there, so the gradient is (0, 0) at (0, 2).
    t = assert_matches_jax(lambda a, b: a**b, jnp.float32(0.0), jnp.float32(2.0))
    assert t.gradient == (0.0, 0.0)


def test_custom_jvp_functions_are_one_row_with_their_rule():
    t = assert_matches_jax(jax.nn.relu, jnp.float32(0.0))  # jax's relu'(0) = 0
    assert t.gradient == (0.0,)
    assert [r.expr for r in t.primal][1] == "relu(v₀)"
    assert "[v₀ > 0]" in str(t)
    t = assert_matches_jax(lambda a, b: jnp.logaddexp(a, b), jnp.float32(1.0), jnp.float32(2.0))
    assert "logaddexp(v₋₁, v₀)" in str(t)
    with diffprog.float64():  # the custom rule keeps softplus finite where the formula overflows
        assert_matches_jax(jax.nn.softplus, jnp.float64(800.0))
        assert_matches_jax(lambda a: jnp.logaddexp(a, a), jnp.float64(0.3))  # one input twice
        assert_matches_jax(
            lambda a, b: jnp.logaddexp(a, b), jnp.float64(-np.inf), jnp.float64(-np.inf)
        )


def test_custom_vjp_function_uses_its_vjp_rule():
    @jax.custom_vjp
    def clipped_sin(v):
        return jnp.sin(v)

    clipped_sin.defvjp(
        lambda v: (jnp.sin(v), jnp.cos(v)), lambda c, g: (jnp.clip(g * c, -0.5, 0.5),)
    )
    t = explain(clipped_sin, 0.1)
    want = jax.grad(clipped_sin)(0.1)  # 0.5, from the rule, not cos(0.1)
    assert t.gradient[0] == pytest.approx(float(want)) and t.gradient[0] == 0.5
    assert "custom_vjp" in str(t)


def test_explain_of_a_gradient_shows_the_second_derivative():
    with diffprog.float64():
        t = explain(jax.grad(lambda v: v**3 * jnp.sin(v)), 0.7)
    v = 0.7  # (x³ sin x)'' = 6x sin x + 6x² cos x − x³ sin x
    assert t.gradient[0] == pytest.approx(
        6 * v * math.sin(v) + 6 * v * v * math.cos(v) - v**3 * math.sin(v), rel=1e-12
    )


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: explain(3.0, 1.0), "f must be a callable"),
        (lambda: explain(lambda v: None, 1.0), "got None.*forget `return`"),
        (lambda: explain(lambda v: (v, v), 1.0), "one scalar.*tuple"),
        (lambda: explain(lambda v: [v], 1.0), "one scalar.*list"),
        (lambda: explain(lambda v: v * jnp.ones(2), 1.0), "one scalar.*float32\\[2\\]"),
        (lambda: explain(lambda v: v + 1j, 1.0), "one scalar.*complex"),
        (lambda: explain(lambda v: v if v > 0 else -v, 1.0), "jnp.where"),
        (lambda: explain(jnp.sin), "no point"),
        (lambda: explain(jnp.sin, True), "argument 0 is bool"),
        (lambda: explain(jnp.sin, None), "argument 0 is NoneType"),
        (lambda: explain(jnp.sin, "1.0"), "argument 0 is str"),
        (lambda: explain(jnp.sin, 1 + 2j), "argument 0 is complex"),
        (lambda: explain(jnp.sin, jnp.ones(2)), "argument 0 is float32\\[2\\]"),
        (lambda: jax.jit(lambda v: explain(jnp.sin, v).value)(1.0), "tracer"),
        (lambda: explain(jnp.sin, 1.0, tangent=(np.nan,)), "tangent\\[0\\] must be finite"),
        (lambda: explain(jnp.sin, 1.0, tangent="a"), "tangent must be a sequence"),
        (lambda: explain(jnp.sin, 1.0, tangent=(1.0, 2.0)), "tangent has 2 entries for 1"),
        (lambda: explain(jnp.sin, 1.0, precision=0), "precision must be an int in \\[1, 17\\]"),
        (lambda: explain(jnp.sin, 1.0, precision=2.5), "precision must be an int"),
    ],
)
def test_bad_input_gets_a_clear_error(call, match):
    with pytest.raises(diffprog._validate.InputError, match=match):
        call()


def test_a_scalar_tangent_for_one_input():
    t = explain(jnp.sin, 1.0, tangent=2.0)
    assert t.jvp[0] == pytest.approx(2 * math.cos(1.0), rel=1e-6)


ENGINE_TO_JAX = {  # the engine's unary primitives and jax's own function for each (the oracle)
    "exp": (jnp.exp, 0.7),
    "log": (jnp.log, 0.7),
    "sin": (jnp.sin, 0.7),
    "cos": (jnp.cos, 0.7),
    "tanh": (jnp.tanh, 0.7),
    "sqrt": (jnp.sqrt, 0.7),
    "sigmoid": (jax.nn.sigmoid, 0.7),
    "abs": (jnp.abs, -0.7),
}


@pytest.mark.parametrize("name", sorted(ENGINE_TO_JAX))
def test_one_table_feeds_the_engine_explain_and_the_rules(name):
    from diffprog import autodiff as ad
    from diffprog import rules
    from diffprog._derivative_table import BY_NAME, TABLE, for_jax

    entry = BY_NAME[name]
    jax_fn, x0 = ENGINE_TO_JAX[name]
    # explain finds the entry by the jax primitive object, not by a string
    assert for_jax(entry.jax[0]) is entry and not isinstance(entry.jax[0], str)
    assert set(ad.JVPS) == set(ad.VJPS) == {e.name for e in TABLE if e.engine}
    with diffprog.float64():
        want = float(jax.grad(jax_fn)(jnp.float64(x0)))  # the oracle: jax's own derivative
        by_explain = explain(jax_fn, x0).gradient[0]
        by_rules = float(getattr(rules, name)(rules.x).d(x0)) if hasattr(rules, name) else want
    by_engine = ad.grad(getattr(ad, name))(x0)
    by_engine_fwd = ad.deriv(getattr(ad, name))(x0)
    for got in (by_explain, by_rules, by_engine, by_engine_fwd):
        assert got == pytest.approx(want, rel=1e-12)
