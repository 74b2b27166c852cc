"""Tutorials 11 and 12's exercise banks (the final set, parts 1 and 2), each solution checked
against an independent oracle.

Limits and derivatives against sympy, gradients and the simulation against ``jax.grad``
(and, where one exists, a symbolic closed form). The oracles here never read the bank's
expected values: they recompute the answer from the statement in the tutorial.
"""

from __future__ import annotations

import re
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp
from jax import lax

import diffprog
from diffprog_course.exercises import DNE, all_exercises, get

x, h = sp.symbols("x h", real=True)


def solution(ex_id):
    return get(ex_id).solution


# ---------------------------------------------------------------- limits (sympy)


def test_11_1_removable_discontinuity():
    expr = (x**2 - x - 6) / (x - 3)
    assert expr.subs(x, 3) is sp.nan  # 0/0 at the point itself: only the limit can say
    assert sp.limit(expr, x, 3, dir="+-") == sp.Rational(solution("11.1")).limit_denominator()


def test_11_2_limit_at_infinity():
    expr = (3 * x**2 - 2 * x + 1) / (5 * x**2 + 4)
    want = sp.limit(expr, x, sp.oo)
    assert want == sp.Rational(3, 5)
    assert float(want) == pytest.approx(solution("11.2"), rel=1e-12)


def test_11_3_does_not_exist_and_wrong_answers_are_one_sided_limits():
    expr = sp.Abs(x - 1) / (x**2 - 1)
    right, left = sp.limit(expr, x, 1, dir="+"), sp.limit(expr, x, 1, dir="-")
    assert right != left
    with pytest.raises(ValueError, match="does not exist"):
        sp.limit(expr, x, 1, dir="+-")
    assert solution("11.3") is DNE
    # The typical wrong answers are the one-sided limits (that is why they are typical).
    assert {float(right), float(left)} <= set(get("11.3").wrong_answers)


# ---------------------------------------------------------------- derivatives (sympy, jax.grad)

POINTS = np.linspace(-3.0, 3.0, 61)


def test_11_4_product_and_chain_rule_as_a_function():
    d = sp.lambdify(x, sp.diff(x**2 * sp.sin(3 * x), x), "numpy")
    got = np.array([solution("11.4")(p) for p in POINTS])
    np.testing.assert_allclose(got, d(POINTS), rtol=1e-12, atol=1e-12)
    with diffprog.float64():
        by_grad = jax.vmap(jax.grad(lambda t: t**2 * jnp.sin(3 * t)))(jnp.asarray(POINTS))
        np.testing.assert_allclose(got, by_grad, rtol=1e-10, atol=1e-10)


def test_11_5_quotient_rule_at_a_point():
    g = (2 * x + 1) / (x**2 + 1)
    assert sp.diff(g, x).subs(x, 1) == sp.Rational(solution("11.5")).limit_denominator()
    assert float(jax.grad(lambda t: (2 * t + 1) / (t**2 + 1))(1.0)) == pytest.approx(
        solution("11.5"), rel=1e-6
    )


def test_11_6_first_principles_error_constant():
    f = x**3
    q = sp.simplify((f.subs(x, 2 + h) - f.subs(x, 2)) / h)
    assert sp.limit(q, h, 0) == sp.diff(f, x).subs(x, 2)  # the derivative from first principles
    c = sp.limit((q - sp.diff(f, x).subs(x, 2)) / h, h, 0)
    assert c == sp.diff(f, x, 2).subs(x, 2) / 2  # Taylor: the error constant is f''/2
    assert float(c) == solution("11.6")


def test_11_6_the_quotient_converges_at_first_order():
    """Empirical order: log|q(h) - f'(2)| against log h has slope 1 (float64)."""
    steps = np.logspace(-1, -4, 7)
    err = np.abs(((2 + steps) ** 3 - 8) / steps - 12.0)
    slope = np.polyfit(np.log(steps), np.log(err), 1)[0]
    assert slope == pytest.approx(1.0, abs=0.02)


# ---------------------------------------------------------------- a cost's gradient (jax.grad)

X = jnp.array([0.0, 1.0, 2.0, 3.0])
Y = jnp.array([1.0, 3.0, 2.0, 5.0])


def mse(params):
    m, b = params
    return jnp.mean((m * X + b - Y) ** 2)


def test_12_1_mse_gradient():
    params = jnp.array([1.0, 0.0])
    np.testing.assert_allclose(solution("12.1"), jax.grad(mse)(params), rtol=1e-6)


def test_12_2_one_gradient_descent_step():
    params = jnp.array([1.0, 0.0])
    lr = 0.1
    new = params - lr * jax.grad(mse)(params)
    np.testing.assert_allclose(solution("12.2"), new, rtol=1e-6)
    assert mse(new) < mse(params)  # the step goes downhill


# ---------------------------------------------------------------- autodiff by hand (jax.vjp, sympy)


def test_12_3_adjoint_of_x1():
    def f(x1, x2):
        return jnp.sin(x1 * x2) + x1**2

    with diffprog.float64():
        _, f_vjp = jax.vjp(f, 1.0, 2.0)
        x1_bar, x2_bar = f_vjp(1.0)
        assert float(x1_bar) == pytest.approx(solution("12.3"), rel=1e-12)
        # One typical wrong answer is the other input's adjoint.
        assert any(abs(float(x2_bar) - w) < 1e-12 for w in get("12.3").wrong_answers)
    x1, x2 = sp.symbols("x1 x2")
    exact = sp.diff(sp.sin(x1 * x2) + x1**2, x1).subs({x1: 1, x2: 2})
    assert float(exact) == pytest.approx(solution("12.3"), rel=1e-12)


# ---------------------------------------------------------------- the simulation (jax.grad, sympy)

DT, NUM_STEPS = 0.05, 40


def final_height(v0, g):
    def step(state, _):
        z, v = state
        return (z + DT * v, v - DT * g), None

    (z, _), _ = lax.scan(step, (jnp.zeros_like(v0), v0), None, length=NUM_STEPS)
    return z


def test_12_4_gradient_through_the_rollout():
    grad = jax.jit(jax.grad(final_height, argnums=(0, 1)))(10.0, 9.81)
    np.testing.assert_allclose(solution("12.4"), np.array(grad), rtol=1e-5)


def test_12_4_symbolic_euler_closed_form():
    """Unroll the same Euler program on sympy symbols: z_N is linear in v0 and g."""
    v0, g = sp.symbols("v0 g")
    dt = sp.Rational(1, 20)
    z, v = sp.Integer(0), v0
    for _ in range(NUM_STEPS):
        z, v = z + dt * v, v - dt * g
    want = [sp.diff(z, v0), sp.diff(z, g)]
    assert want[1] != -((NUM_STEPS * dt) ** 2) / 2  # not the exact physics' -T^2/2
    np.testing.assert_allclose(solution("12.4"), [float(w) for w in want], rtol=1e-12)


# ---------------------------------------------------------------- many devices (jax.grad)


def test_12_5_gradient_over_unequal_shards():
    """Build a batch whose shard gradients are 3.0 and 1.0, and differentiate the full mean.

    With loss(w; t) = (w - t)^2 / 2 the gradient at w = 0 is -t, so a shard whose targets
    have mean -3 has shard-mean gradient 3.
    """
    rng = np.random.default_rng(0)
    t0, t1 = rng.normal(size=6), rng.normal(size=2)
    t0, t1 = jnp.asarray(t0 - t0.mean() - 3.0), jnp.asarray(t1 - t1.mean() - 1.0)
    shard_mean = lambda w, t: jnp.mean((w - t) ** 2 / 2)
    assert float(jax.grad(shard_mean)(0.0, t0)) == pytest.approx(3.0, rel=1e-5)
    assert float(jax.grad(shard_mean)(0.0, t1)) == pytest.approx(1.0, rel=1e-5)
    full = jax.grad(shard_mean)(0.0, jnp.concatenate([t0, t1]))
    assert float(full) == pytest.approx(solution("12.5"), rel=1e-5)


# ---------------------------------------------------------------- coverage


@pytest.mark.parametrize("tutorial", ["11", "12"])
def test_every_final_exercise_has_an_oracle_test(tutorial):
    registered = {k for k in all_exercises() if k.startswith(f"{tutorial}.")}
    pattern = rf"^def test_{tutorial}_(\d+)_"
    tested = {f"{tutorial}.{k}" for k in re.findall(pattern, Path(__file__).read_text(), re.M)}
    assert registered, f"tutorial {tutorial} has no registered exercises"
    assert registered == tested, (
        f"without an oracle test: {registered - tested}; stale: {tested - registered}"
    )
