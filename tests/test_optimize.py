"""Optimisation: the course's numbers, closed forms, a table of optimiser x problem, bad input."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from diffprog import costs, models
from diffprog.optimize import (
    DivergenceError,
    DivergenceWarning,
    fit,
    gradient_descent,
    least_squares,
)

# The course's running example: dosage x, forgetfulness y.
X = jnp.arange(8.0)
Y = jnp.array([1.86, 1.31, 0.62, 0.33, 0.09, -0.67, -1.23, -1.37])
START = {"m": jnp.float32(0.9), "b": jnp.float32(0.1)}


def course_cost(params):
    return costs.mse(models.linear(params, X), Y)


def _float64_oracle(m=0.9, b=0.1, lr=0.01, num_steps=0):
    """The course's gradient descent in float64 numpy, from the derivation (independent code)."""
    x, y = np.arange(8.0), np.array([1.86, 1.31, 0.62, 0.33, 0.09, -0.67, -1.23, -1.37])
    for _ in range(num_steps):
        r = m * x + b - y
        m, b = m - lr * 2 * np.mean(r * x), b - lr * 2 * np.mean(r)
    r = m * x + b - y
    return m, b, np.mean(r * r), 2 * np.mean(r * x), 2 * np.mean(r)


def test_course_cost_and_gradient_at_start():
    """MSE is the plain mean of squared residuals: the convention giving 19.6755 / 36.305."""
    cost, grads = jax.value_and_grad(course_cost)(START)
    assert float(cost) == pytest.approx(19.6755, abs=1e-4)
    assert float(grads["m"]) == pytest.approx(36.305, abs=1e-4)
    assert float(grads["b"]) == pytest.approx(6.265, abs=1e-4)
    half = 0.5 * float(cost)  # the 1/2-mean convention would give 9.83775: not the course's
    assert abs(half - 19.6755) > 1
    fused_cost, fused = costs.linear_mse_value_and_grad(START, X, Y)
    assert float(fused_cost) == pytest.approx(19.6755, abs=1e-4)
    assert float(fused["m"]) == pytest.approx(36.305, abs=1e-4)
    assert float(fused["b"]) == pytest.approx(6.265, abs=1e-4)


def test_course_single_point_derivative():
    """The last point alone (x = 7, y = -1.37): C = r^2, dC/dm = 2 r x, dC/db = 2 r, r = 7.77."""
    c = lambda p: (p["m"] * 7.0 + p["b"] - (-1.37)) ** 2
    g = jax.grad(c)(START)
    r = 0.9 * 7 + 0.1 + 1.37
    assert float(c(START)) == pytest.approx(r * r, rel=1e-6)
    assert float(g["m"]) == pytest.approx(2 * r * 7, rel=1e-6)
    assert float(g["b"]) == pytest.approx(2 * r, rel=1e-6)


def test_course_gradient_descent_1_plus_1000_steps():
    res = gradient_descent(course_cost, START, lr=0.01, num_steps=1001)
    m, b, cost, *_ = _float64_oracle(num_steps=1001)
    assert (round(m, 4), round(b, 4), round(cost, 4)) == (-0.4681, 1.7543, 0.0195)  # the course
    assert float(res.params["m"]) == pytest.approx(m, abs=1e-4)
    assert float(res.params["b"]) == pytest.approx(b, abs=1e-4)
    assert float(res.losses[-1]) == pytest.approx(cost, abs=1e-5)
    assert float(res.losses[0]) == pytest.approx(19.6755, abs=1e-4)
    one = gradient_descent(course_cost, START, lr=0.01, num_steps=1)
    m1, b1, *_ = _float64_oracle(num_steps=1)
    assert float(one.params["m"]) == pytest.approx(m1, abs=1e-6)
    assert float(one.params["b"]) == pytest.approx(b1, abs=1e-6)


def test_course_closed_form():
    ls = least_squares(X, Y)
    p = ls.params
    A = np.stack([np.arange(8.0), np.ones(8)], axis=1)
    m, b = np.linalg.lstsq(A, np.asarray(Y, np.float64), rcond=None)[0]
    assert float(p["m"]) == pytest.approx(m, abs=1e-5) and round(m, 4) == -0.4693
    assert float(p["b"]) == pytest.approx(b, abs=1e-5) and round(b, 4) == 1.76
    # the cost field: the float64 mean squared residual at the float64 solution
    resid = A @ np.array([m, b]) - np.asarray(Y, np.float64)
    assert float(ls.cost) == pytest.approx(np.mean(resid**2), rel=1e-4)
    assert "LeastSquares(params=" in repr(ls)


def test_history_and_path():
    res = gradient_descent(course_cost, START, lr=0.01, num_steps=5, keep_params=True)
    assert res.losses.shape == (6,) and res.path["m"].shape == (6,)
    assert float(res.path["m"][0]) == pytest.approx(0.9)
    for k in range(6):
        p = {"m": res.path["m"][k], "b": res.path["b"][k]}
        assert float(res.losses[k]) == pytest.approx(float(course_cost(p)), rel=1e-6)
    zero = gradient_descent(course_cost, START, lr=0.01, num_steps=0)
    assert zero.losses.shape == (1,) and float(zero.params["m"]) == pytest.approx(0.9)


def test_least_squares_vector_form(key):
    k1, k2 = jax.random.split(key)
    x = jax.random.normal(k1, (50, 3))
    W = jnp.array([[1.0, -2.0, 0.5]])
    y = x @ W.T + 0.3 + 0.01 * jax.random.normal(k2, (50, 1))
    ls = least_squares(x, y)
    p = ls.params
    A = np.concatenate([np.asarray(x, np.float64), np.ones((50, 1))], axis=1)
    coef = np.linalg.lstsq(A, np.asarray(y, np.float64), rcond=None)[0]
    np.testing.assert_allclose(p["W"], coef[:-1].T, atol=1e-4)
    np.testing.assert_allclose(p["b"], coef[-1], atol=1e-4)
    resid = A @ coef - np.asarray(y, np.float64)
    assert float(ls.cost) == pytest.approx(np.mean(resid**2), rel=1e-3)


# ---------------------------------------------------- optimiser x problem (optax's alias_test)


def _linear_regression():
    x = jnp.linspace(-1, 1, 40)
    y = 1.5 * x - 0.5
    return (
        (lambda p: costs.mse(models.linear(p, x), y)),
        {"m": 0.0, "b": 0.0},
        {"m": 1.5, "b": -0.5},
    )


def _newton_logistic(x, y, iters=50):
    """Float64 Newton's method for logistic regression (the oracle's optimum)."""
    A = np.concatenate([np.asarray(x, np.float64), np.ones((len(x), 1))], axis=1)
    y, theta = np.asarray(y, np.float64), np.zeros(A.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-A @ theta))
        H = A.T @ (A * (p * (1 - p))[:, None]) / len(y)
        theta -= np.linalg.solve(H, A.T @ (p - y) / len(y))
    z = A @ theta
    return theta, np.mean(np.logaddexp(0, z) - y * z)


def _logistic_regression():
    x = jnp.array(
        [
            [0.0, 0.0],
            [1.0, 0.2],
            [0.2, 1.0],
            [1.0, 1.0],
            [-1.0, 0.3],
            [0.4, -0.8],
            [1.0, 0.2],
            [0.0, 0.0],
        ]
    )
    y = jnp.array(
        [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    )  # repeated x, both labels: not separable
    theta, best = _newton_logistic(x, y)
    loss = lambda p: costs.bce_with_logits(models.logistic(p, x, logits=True), y)
    return loss, {"w": jnp.zeros(2), "b": 0.0}, {"w": theta[:2], "b": theta[2]}, best


def _linear_regression():
    x = jnp.linspace(-1, 1, 40)
    y = 1.5 * x - 0.5
    loss = lambda p: costs.mse(models.linear(p, x), y)
    return loss, {"m": 0.0, "b": 0.0}, {"m": 1.5, "b": -0.5}, 0.0


def _quadratic():
    A = jnp.array([[3.0, 0.5], [0.5, 1.0]])
    c = jnp.array([1.0, -2.0])
    loss = lambda p: 0.5 * p["v"] @ A @ p["v"] - c @ p["v"]
    v = np.linalg.solve(np.asarray(A, np.float64), np.asarray(c, np.float64))
    return loss, {"v": jnp.zeros(2)}, {"v": v}, -0.5 * float(np.asarray(c, np.float64) @ v)


PROBLEMS = {
    "linear_regression": _linear_regression,
    "logistic_regression": _logistic_regression,
    "quadratic": _quadratic,
}
OPTIMISERS = {
    "sgd": lambda: optax.sgd(0.3),
    "momentum": lambda: optax.sgd(0.1, momentum=0.9),
    "nesterov": lambda: optax.sgd(0.1, momentum=0.9, nesterov=True),
    "adam": lambda: optax.adam(0.05),
    "adamw": lambda: optax.adamw(0.05, weight_decay=0.0),
    "rmsprop": lambda: optax.rmsprop(0.003, momentum=0.9),
    "adagrad": lambda: optax.adagrad(0.5),
    "lbfgs": lambda: optax.lbfgs(),
}


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("opt", OPTIMISERS)
def test_optimiser_x_problem_converges(opt, problem):
    loss, params, solution, best = PROBLEMS[problem]()
    res = fit(loss, params, OPTIMISERS[opt](), 1000, chunk_size=500)
    assert res.losses.shape == (1001,)
    assert float(res.losses[-1]) - best < 1e-5
    for k in solution:
        np.testing.assert_allclose(res.params[k], solution[k], atol=5e-3)


def test_gradient_descent_x_problem():
    for make in PROBLEMS.values():
        loss, params, solution, best = make()
        res = gradient_descent(loss, params, lr=0.3, num_steps=1000)
        assert float(res.losses[-1]) - best < 1e-5
        for k in solution:
            np.testing.assert_allclose(res.params[k], solution[k], atol=5e-3)


def test_fit_sgd_equals_gradient_descent():
    a = fit(course_cost, START, optax.sgd(0.01), 57, chunk_size=10)  # uneven chunks
    b = gradient_descent(course_cost, START, lr=0.01, num_steps=57)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-5)
    np.testing.assert_allclose(a.params["m"], b.params["m"], rtol=1e-5)


# -------------------------------------------------------------------------- bad input, divergence


@pytest.mark.parametrize("lr", [0.0, -0.1, float("nan"), float("inf")])
def test_bad_lr(lr):
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        gradient_descent(course_cost, START, lr=lr, num_steps=3)


@pytest.mark.parametrize("num_steps, err", [(-1, ValueError), (2.5, TypeError), (True, TypeError)])
def test_bad_num_steps(num_steps, err):
    with pytest.raises(err, match="num_steps"):
        gradient_descent(course_cost, START, lr=0.01, num_steps=num_steps)
    with pytest.raises(err, match="num_steps"):
        fit(course_cost, START, optax.sgd(0.01), num_steps)


def test_bad_optimizer():
    with pytest.raises(TypeError, match="optax"):
        fit(course_cost, START, 0.01, 10)


def test_divergence_is_a_verdict_with_a_warning_and_raises_on_request():
    # The largest curvature of this cost is ~36.4, so any lr > 2 / 36.4 ~ 0.055 diverges.
    with pytest.warns(DivergenceWarning, match="diverged"):
        res = gradient_descent(course_cost, START, lr=0.1, num_steps=1000)
    assert not bool(res.ok) and int(res.diverged_at) > 0
    with pytest.raises(DivergenceError, match="diverged") as info:
        res.raise_if_failed()
    err = info.value
    assert err.result is res and err.step == int(res.diverged_at)
    losses = np.asarray(err.result.losses)
    assert np.all(np.isfinite(losses[: err.step])) and not np.isfinite(losses[err.step])
    assert np.all(np.diff(losses[:20]) > 0)  # it grew before overflowing
    with pytest.warns(DivergenceWarning):
        res2 = fit(course_cost, START, optax.sgd(0.1), 1000, chunk_size=100)
    assert int(res2.diverged_at) == err.step
    assert res2.losses.shape[0] < 1001  # stopped at the end of the bad chunk
    good = gradient_descent(course_cost, START, lr=0.01, num_steps=10)  # no warning (errors)
    assert bool(good.ok) and good.raise_if_failed() is good
    traced = jax.jit(lambda lr: gradient_descent(course_cost, START, lr, 10))
    with pytest.raises(ValueError, match="needs concrete values"):
        jax.jit(lambda lr: traced(lr).raise_if_failed())(0.01)


def test_opt_result_is_a_pytree_result():
    res = fit(course_cost, START, optax.adam(0.05), 5)
    leaves = jax.tree_util.tree_leaves(res)
    assert any(leaf is res.losses for leaf in leaves)
    text = repr(res)
    assert text.startswith("OptResult(params=") and "diverged_at=-1" in text
    batched = jax.vmap(lambda m: fit(course_cost, {"m": m, "b": 0.1}, optax.sgd(0.01), 3))(
        jnp.array([0.9, 0.5])
    )
    assert batched.losses.shape == (2, 4) and batched.diverged_at.shape == (2,)


def test_fit_progress_does_not_change_results():
    a = fit(course_cost, START, optax.adam(0.05), 30, chunk_size=7, show_progress=False)
    b = fit(course_cost, START, optax.adam(0.05), 30, chunk_size=30)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-5)


def test_fit_zero_steps_and_path():
    zero = fit(course_cost, START, optax.sgd(0.01), 0, keep_params=True)
    assert zero.losses.shape == (1,) and zero.path["m"].shape == (1,)
    assert float(zero.losses[0]) == pytest.approx(19.6755, abs=1e-4)
    res = fit(course_cost, START, optax.sgd(0.01), 23, keep_params=True, chunk_size=5)
    ref = gradient_descent(course_cost, START, 0.01, 23, keep_params=True)
    np.testing.assert_allclose(res.path["m"], ref.path["m"], rtol=1e-5)
    np.testing.assert_allclose(res.path["b"], ref.path["b"], rtol=1e-5)
    with pytest.raises(ValueError, match="chunk_size"):
        fit(course_cost, START, optax.sgd(0.01), 5, chunk_size=0)


# ------------------------------------------- no stale closures, jit/vmap, resume, aux, L-BFGS


def test_a_changed_closure_is_seen():
    """No cache keyed on the loss: changing what it closes over changes the answer (oracle: a)."""
    state = {"a": 1.0}
    loss = lambda p: (p - state["a"]) ** 2
    for a in (1.0, 5.0, -2.0):
        state["a"] = a
        assert float(gradient_descent(loss, 0.0, 0.1, 300).params) == pytest.approx(a, abs=1e-4)
        assert float(fit(loss, 0.0, optax.adam(0.1), 500).params) == pytest.approx(a, abs=1e-3)
    target = jnp.array([1.0, 2.0])
    arr_loss = lambda p: jnp.sum((p - target) ** 2)
    first = fit(arr_loss, jnp.zeros(2), optax.sgd(0.2), 200).params
    target = jnp.array([-3.0, 4.0])  # rebinding the captured name: a new closure cell value
    second = fit(arr_loss, jnp.zeros(2), optax.sgd(0.2), 200).params
    np.testing.assert_allclose(first, [1.0, 2.0], atol=1e-4)
    np.testing.assert_allclose(second, [-3.0, 4.0], atol=1e-4)


def test_fit_under_vmap_and_jit():
    loss = lambda p: jnp.sum((p - 3.0) ** 2)
    starts = jnp.array([[0.0], [10.0], [-4.0]])
    out = jax.vmap(lambda p0: fit(loss, p0, optax.sgd(0.1), 200).params)(starts)
    np.testing.assert_allclose(out, 3.0, atol=1e-4)
    # learning rates batched: each lane is gradient descent with its own lr (oracle: closed form
    # of GD on (p - 3)^2: p_k = 3 - 3 (1 - 2 lr)^k from p_0 = 0)
    lrs = jnp.array([0.01, 0.05, 0.1])
    got = jax.vmap(lambda lr: gradient_descent(loss, jnp.zeros(1), lr, 20).params[0])(lrs)
    want = 3 - 3 * (1 - 2 * np.asarray(lrs, np.float64)) ** 20
    np.testing.assert_allclose(got, want, rtol=1e-5)
    res = jax.jit(lambda lr: gradient_descent(loss, jnp.zeros(1), lr, 100))(10.0)  # diverges
    assert int(res.diverged_at) > 0 and not np.isfinite(float(res.losses[-1]))
    ok = jax.jit(lambda lr: gradient_descent(loss, jnp.zeros(1), lr, 100))(0.1)
    assert int(ok.diverged_at) == -1


def test_resume_with_opt_state_equals_one_run():
    loss = lambda p: jnp.sum((p - jnp.array([1.0, -2.0])) ** 4)
    opt = optax.adam(0.05)
    whole = fit(loss, jnp.zeros(2), opt, 60)
    first = fit(loss, jnp.zeros(2), opt, 25)
    rest = fit(loss, first.params, opt, 35, opt_state=first.opt_state)
    np.testing.assert_allclose(rest.params, whole.params, rtol=1e-6)
    np.testing.assert_allclose(
        jnp.concatenate([first.losses[:-1], rest.losses]), whole.losses, rtol=1e-6
    )
    fresh = fit(loss, first.params, opt, 35)  # without opt_state adam restarts: different path
    assert not np.allclose(fresh.params, whole.params, rtol=1e-6)


def test_has_aux_records_every_step():
    x = jnp.linspace(-1, 1, 20)
    y = 2 * x + 1

    def loss(p):
        r = p["m"] * x + p["b"] - y
        return jnp.mean(r**2), {"max_abs_residual": jnp.max(jnp.abs(r))}

    res = fit(loss, {"m": 0.0, "b": 0.0}, optax.sgd(0.3), 50, has_aux=True, keep_params=True)
    aux = res.aux["max_abs_residual"]
    assert aux.shape == (51,)
    for k in (0, 17, 50):  # oracle: recompute the aux at the recorded params
        r = res.path["m"][k] * x + res.path["b"][k] - y
        assert float(aux[k]) == pytest.approx(float(jnp.max(jnp.abs(r))), rel=1e-6)


def test_lbfgs_and_line_search_need_the_value():
    loss, params, solution, best = _quadratic()
    res = fit(loss, params, optax.lbfgs(), 30)
    np.testing.assert_allclose(res.params["v"], solution["v"], atol=1e-5)
    loss, params, solution, best = _logistic_regression()
    res = fit(loss, params, optax.lbfgs(), 60)
    assert float(res.losses[-1]) - best < 1e-6
    ls = optax.chain(
        optax.sgd(1.0), optax.scale_by_backtracking_linesearch(max_backtracking_steps=15)
    )
    loss, params, solution, best = _linear_regression()
    res = fit(loss, params, ls, 300)
    assert float(res.losses[-1]) - best < 1e-5


def test_minibatches_with_a_key_reach_least_squares(key):
    k1, k2 = jax.random.split(key)
    x = jax.random.normal(k1, (256,))
    y = 1.5 * x - 0.5 + 0.1 * jax.random.normal(k2, (256,))
    oracle = np.polyfit(np.asarray(x, np.float64), np.asarray(y, np.float64), 1)
    loss = lambda p, b: costs.mse(models.linear(p, b[0]), b[1])
    res = fit(
        loss,
        {"m": 0.0, "b": 0.0},
        optax.adam(0.02),
        1500,
        data=(x, y),
        batch_size=32,
        key=jax.random.key(1),
    )
    assert float(res.params["m"]) == pytest.approx(oracle[0], abs=2e-2)
    assert float(res.params["b"]) == pytest.approx(oracle[1], abs=2e-2)
    again = fit(
        loss,
        {"m": 0.0, "b": 0.0},
        optax.adam(0.02),
        30,
        data=(x, y),
        batch_size=32,
        key=jax.random.key(1),
    )
    np.testing.assert_array_equal(again.losses[:30], res.losses[:30])  # the key fixes the batches
    full = loss(res.params, (x, y))
    assert float(res.losses[-1]) == pytest.approx(float(full), rel=1e-6)  # last: all the data


def test_divergence_messages_tell_data_from_learning_rate():
    with pytest.warns(DivergenceWarning, match="step 0.*will not help"):
        res0 = gradient_descent(lambda p: jnp.log(p - 1.0) ** 2, 0.0, 0.01, 10)  # log of < 0
    with pytest.raises(DivergenceError, match="step 0.*will not help") as info:
        res0.raise_if_failed()
    assert info.value.step == 0
    with pytest.warns(DivergenceWarning, match="learning rate is too large"):
        res = gradient_descent(course_cost, START, lr=0.1, num_steps=1000)
    with pytest.raises(DivergenceError, match="learning rate is too large"):
        res.raise_if_failed()
    assert int(res.diverged_at) > 0


def test_one_loop_for_both():
    """gradient_descent is fit's loop with lr * grad as the update: identical numbers."""
    a = gradient_descent(course_cost, START, 0.01, 40, keep_params=True)
    b = fit(course_cost, START, optax.sgd(0.01), 40, keep_params=True, chunk_size=40)
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.path["m"], b.path["m"])


# ----------------------------------------------------------- hostile scales (hypothesis)

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None)
@given(
    scale=st.floats(1e-6, 1e6),
    rel_shift=st.floats(-1e4, 1e4),
    slope=st.floats(-1e3, 1e3),
    seed=st.integers(0, 2**16),
)
def test_least_squares_matches_float64_oracle_at_any_scale(scale, rel_shift, slope, seed):
    """x at any scale, centred up to 10^4 spreads away from 0 (a condition number <= ~10^4)."""
    shift = scale * rel_shift
    rng = np.random.default_rng(seed)
    x = shift + scale * rng.standard_normal(32)
    y = slope * x + rng.standard_normal(32)
    want = np.polyfit(x, y, 1)  # float64 oracle
    with diffprog_float64():
        got = least_squares(x, y).params
        # the slope's conditioning: rounding x (eps |shift|) moves it by ~ eps |shift| / scale
        # times (noise / scale + |slope|); 100x that, plus 1e-9 relative, is what both may differ
        cond = 100 * np.finfo(np.float64).eps * (1 + abs(shift) / scale) * (1 / scale + abs(slope))
        assert float(got["m"]) == pytest.approx(want[0], rel=1e-9, abs=cond)
        # the fitted line passes through the means (the normal equation for b)
        centre = float(got["b"]) + float(got["m"]) * np.mean(x)
        err = 100 * np.finfo(np.float64).eps * (abs(want[0]) * abs(shift) + np.abs(y).max())
        assert centre == pytest.approx(np.mean(y), abs=err + cond * abs(shift))


@settings(max_examples=25, deadline=None)
@given(lr=st.floats(1e-4, 0.9), target=st.floats(-1e3, 1e3), steps=st.integers(0, 60))
def test_gradient_descent_matches_the_closed_form_recursion(lr, target, steps):
    """On (p - t)^2, GD gives p_k = t - t (1 - 2 lr)^k from p_0 = 0 (float64 closed form)."""
    res = gradient_descent(lambda p: (p - target) ** 2, 0.0, lr, steps)
    want = target - target * (1 - 2 * lr) ** steps
    assert float(res.params) == pytest.approx(want, rel=1e-4, abs=1e-4 * (1 + abs(target)))


def diffprog_float64():
    import diffprog

    return diffprog.float64()
