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
        "x₁", "x₂", "ln v₋₁", "v₋₁ × v₀", "v₁ + v₂", "sin v₀", "v₃ − v₄", "v₅"]
    assert [r.value for r in t.primal][2:7] == pytest.approx(
        [math.log(2), 10, math.log(2) + 10, math.sin(5), t.value])
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
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (1 + b * b),
    lambda a, b: jnp.sin(a) * jnp.cos(b), lambda a, b: jnp.tanh(a) + jax.nn.sigmoid(b),
    lambda a, b: jnp.exp(-a * a) + jnp.log(1 + b**2), lambda a, b: jnp.sqrt(1 + a**2) - b**3,
    lambda a, b: jnp.maximum(a, b) + jnp.minimum(a, 2 * b), lambda a, b: (2 + jnp.tanh(a)) ** b,
    lambda a, b: jnp.where(a > b, a * b, a - b), lambda a, b: jax.jit(lambda u: u * b)(a),
    lambda a, b: jnp.abs(a) + jnp.square(b) - (-a), lambda a, b: jnp.tan(0.3 * a) + jnp.expm1(0.2 * b),
]


@settings(max_examples=20)
@given(st.lists(st.tuples(st.integers(0, len(OPS) - 1), st.integers(0, 9), st.integers(0, 9)),
                min_size=1, max_size=6),
       st.lists(st.floats(-1.5, 1.5, allow_nan=False), min_size=2, max_size=2),
       st.lists(st.floats(-1, 1, allow_nan=False), min_size=2, max_size=2))
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
    np.testing.assert_allclose(t.gradient, [float(g) for g in pullback(jnp.float32(1.0))], rtol=1e-6)


def test_identity_and_unused_input():
    t = explain(lambda x, y: x, 1.5, 2.0)
    assert t.value == 1.5 and t.gradient == (1.0, 0.0)


def test_unsupported_things_are_named():
    with pytest.raises(NotImplementedError, match="'cond'.*control flow"):
        explain(lambda x: jax.lax.cond(x > 0, jnp.sin, jnp.cos, x), 1.0)
    with pytest.raises(NotImplementedError, match="'while'|'scan'"):
        explain(lambda x: jax.lax.fori_loop(0, 3, lambda i, v: v * x, x), 1.0)
    with pytest.raises(NotImplementedError, match="custom_jvp"):
        explain(jax.nn.relu, 1.0)
    with pytest.raises(ValueError, match="scalar programs only"):
        explain(lambda x: jnp.sum(x * jnp.ones(3)), 1.0)
    with pytest.raises(TypeError, match="argument 0 .*float scalar"):
        explain(survey, 2, 5.0)
    with pytest.raises(ValueError, match="one scalar"):
        explain(lambda x: (x, x), 1.0)
    with pytest.raises(ValueError, match="tangent has 1 entries"):
        explain(survey, 2.0, 5.0, tangent=(1.0,))
