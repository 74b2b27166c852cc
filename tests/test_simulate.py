"""diffprog.simulate: integrators by their empirical order, energy behaviour, gradients through
whole rollouts against finite differences (also under jit and vmap), checkpointing, bad input."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import diffprog
from diffprog.simulate import (
    SimulationError,
    SimulationWarning,
    compiled_memory,
    double_pendulum,
    double_pendulum_energy,
    first_nonfinite,
    gradient_norm_vs_horizon,
    landing_point,
    launch,
    make_step,
    pendulum,
    pendulum_energy,
    projectile,
    rk4,
    rollout,
    spring,
    spring_energy,
)

ORDERS = {"euler": 1, "semi_implicit_euler": 1, "velocity_verlet": 2, "rk4": 4}


def slope(hs, errors) -> float:
    """The fitted slope of log error against log h: the empirical order."""
    return float(np.polyfit(np.log(hs), np.log(errors), 1)[0])


def central_difference(fn, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """The gradient of scalar ``fn`` at ``x`` by central differences (float64 oracle)."""
    x = np.asarray(x, np.float64)
    fn = jax.jit(fn)  # one compilation for all the evaluations
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        g.flat[i] = (float(fn(x + e)) - float(fn(x - e))) / (2 * h)
    return g


# --- integrators: empirical order on problems with a closed form ---------------------------------


@pytest.mark.parametrize("method", ORDERS)
def test_order_on_undamped_spring(method):
    """x'' = -x, x(0) = 1, v(0) = 0: x(t) = cos t. Error at t = 1 against dt."""
    hs = [0.1, 0.05, 0.025, 0.0125]
    with diffprog.float64():
        step = make_step(spring(1.0), method)
        errors = []
        for h in hs:
            q, v = rollout(step, (1.0, 0.0), round(1.0 / h), h, trajectory=False)
            errors.append(math.hypot(float(q) - math.cos(1.0), float(v) + math.sin(1.0)))
    assert slope(hs, errors) == pytest.approx(ORDERS[method], abs=0.15)


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_order_on_damped_spring(method):
    """Underdamped x'' = -k x - c x': x(t) = e^{-ct/2}(cos wt + c/(2w) sin wt).

    Here w = sqrt(k - c²/4).
    """
    k, c, t_end = 4.0, 0.6, 2.0
    w = math.sqrt(k - c * c / 4)
    exact = math.exp(-c * t_end / 2) * (math.cos(w * t_end) + c / (2 * w) * math.sin(w * t_end))
    hs = [0.05, 0.025, 0.0125, 0.00625]
    with diffprog.float64():
        step = make_step(spring(k, c), method)
        errors = [
            abs(float(rollout(step, (1.0, 0.0), round(t_end / h), h, trajectory=False)[0]) - exact)
            for h in hs
        ]
    assert slope(hs, errors) == pytest.approx(ORDERS[method], abs=0.15)


# --- energy --------------------------------------------------------------------------------------


def spring_energies(method: str, dt: float = 0.1, num_steps: int = 2000) -> np.ndarray:
    traj = rollout(make_step(spring(1.0), method), (1.0, 0.0), num_steps, dt)
    return np.asarray(jax.vmap(lambda s: spring_energy(s, 1.0))(traj))


def test_explicit_euler_energy_grows_by_the_closed_form_factor():
    """Explicit Euler on x'' = -x multiplies the energy by exactly (1 + dt²) each step."""
    dt = 0.1
    energy = spring_energies("euler", dt, 200)
    expected = 0.5 * (1 + dt * dt) ** np.arange(201)
    np.testing.assert_allclose(energy, expected, rtol=1e-4)
    assert energy[-1] > 7 * energy[0]


@pytest.mark.parametrize("method", ["semi_implicit_euler", "velocity_verlet"])
def test_symplectic_energy_stays_bounded(method):
    """Symplectic: the energy oscillates within O(dt) of E0 and does not drift over 300 periods."""
    energy = spring_energies(method, dt=0.1, num_steps=20000)
    assert np.max(np.abs(energy / energy[0] - 1)) < 0.06
    first, last = energy[:2000], energy[-2000:]
    assert abs(last.mean() - first.mean()) < 1e-3 * energy[0]


def test_pendulum_energy_conserved_by_rk4_and_damping_dissipates():
    step = make_step(pendulum(1.5, 9.81), "rk4")
    traj = rollout(step, (2.0, 0.0), 500, 0.01)
    energy = np.asarray(jax.vmap(lambda s: pendulum_energy(s, 1.5, 9.81))(traj))
    assert np.max(np.abs(energy / energy[0] - 1)) < 1e-4
    damped = rollout(make_step(pendulum(1.5, 9.81, damping=0.5), "rk4"), (2.0, 0.0), 500, 0.01)
    e_damped = np.asarray(jax.vmap(lambda s: pendulum_energy(s, 1.5, 9.81))(damped))
    assert np.all(np.diff(e_damped) <= 1e-6) and e_damped[-1] < 0.2 * e_damped[0]


@settings(max_examples=20)
@given(
    st.lists(st.floats(-3.0, 3.0), min_size=4, max_size=4), st.floats(0.5, 2.0), st.floats(0.5, 2.0)
)
def test_double_pendulum_equations_match_the_lagrangian(values, m2, l2):
    """The closed-form accelerations solve M(q) q'' = dL/dq - (d²L/dq'dq) q'.

    L = T - V, differentiated by autodiff.
    """
    m1, l1, g = 1.3, 0.8, 9.81
    with diffprog.float64():
        theta, omega = jnp.array(values[:2]), jnp.array(values[2:])

        def lagrangian(q, w):
            e = double_pendulum_energy((q, w), m1, m2, l1, l2, g)
            kinetic = e - double_pendulum_energy((q, jnp.zeros(2)), m1, m2, l1, l2, g)
            return kinetic - (e - kinetic)

        mass = jax.hessian(lagrangian, argnums=1)(theta, omega)
        mixed = jax.jacfwd(jax.grad(lagrangian, argnums=1), argnums=0)(theta, omega)
        rhs = jax.grad(lagrangian, argnums=0)(theta, omega) - mixed @ omega
        want = jnp.linalg.solve(mass, rhs)
        _, got = double_pendulum(m1, m2, l1, l2, g)(0.0, (theta, omega))
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-8)


def test_double_pendulum_energy_conserved_by_rk4():
    state0 = (jnp.array([2.0, 1.0]), jnp.zeros(2))
    traj = rollout(make_step(double_pendulum(), "rk4"), state0, 1000, 0.002)
    energy = np.asarray(jax.vmap(double_pendulum_energy)(traj))
    assert np.max(np.abs(energy - energy[0])) < 1e-3 * abs(energy[0])


# --- rollout basics ------------------------------------------------------------------------------


def test_trajectory_shape_and_first_state():
    traj = rollout(make_step(spring(1.0), "rk4"), (jnp.ones(3), jnp.zeros(3)), 7, 0.1)
    assert traj[0].shape == (8, 3) and traj[1].shape == (8, 3)
    np.testing.assert_array_equal(traj[0][0], np.ones(3))
    final = rollout(
        make_step(spring(1.0), "rk4"), (jnp.ones(3), jnp.zeros(3)), 7, 0.1, trajectory=False
    )
    np.testing.assert_allclose(final[0], traj[0][-1], rtol=1e-6)


def test_time_is_passed_to_the_step():
    """dy/dt = t from y(0) = 0 by RK4 is exact: y(t) = t²/2 (also from t0 = 1)."""
    step = make_step(lambda t, y: t * jnp.ones_like(y), "rk4")
    assert float(rollout(step, 0.0, 20, 0.1, trajectory=False)) == pytest.approx(2.0, rel=1e-5)
    assert float(rollout(step, 0.0, 10, 0.1, t0=1.0, trajectory=False)) == pytest.approx(
        1.5, rel=1e-5
    )


def test_integer_state_is_cast_to_float():
    out = rollout(make_step(lambda t, y: -y, "euler"), 1, 2, 0.5, trajectory=False)
    assert float(out) == 0.25 and jnp.issubdtype(out.dtype, jnp.floating)


@pytest.mark.parametrize("unroll", [1, 4, True])
def test_unroll_gives_the_same_result(unroll):
    step = make_step(pendulum(), "rk4")
    plain = rollout(step, (1.0, 0.0), 50, 0.01, trajectory=False)
    other = rollout(step, (1.0, 0.0), 50, 0.01, trajectory=False, unroll=unroll)
    np.testing.assert_allclose(other, plain, rtol=1e-5)


# --- gradients through whole rollouts ------------------------------------------------------------


def spring_loss(params, num_steps: int = 200, checkpoint=None, trajectory=False):
    """Squared final position (or trajectory) of a spring with params = (k, c, x0)."""
    k, c, x0 = params[0], params[1], params[2]
    out = rollout(
        make_step(spring(k, c), "rk4"),
        (x0, jnp.zeros_like(x0)),
        num_steps,
        0.01,
        trajectory=trajectory,
        checkpoint=checkpoint,
    )
    return jnp.sum(jnp.square(out[0]))


PARAMS = np.array([4.0, 0.3, 1.2])


def test_gradient_through_rollout_matches_finite_differences():
    with diffprog.float64():
        g = np.asarray(jax.grad(spring_loss)(jnp.asarray(PARAMS)))
        fd = central_difference(lambda p: spring_loss(jnp.asarray(p)), PARAMS)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)


def test_gradient_under_jit_float32_matches_float64_finite_differences():
    g = np.asarray(jax.jit(jax.grad(spring_loss))(jnp.asarray(PARAMS, jnp.float32)))
    with diffprog.float64():
        fd = central_difference(lambda p: spring_loss(jnp.asarray(p)), PARAMS)
    np.testing.assert_allclose(g, fd, rtol=1e-4, atol=1e-5)


def test_gradient_under_vmap_matches_per_example_finite_differences():
    with diffprog.float64():
        batch = np.array([[4.0, 0.3, 1.2], [1.0, 0.0, -0.5], [9.0, 1.0, 0.7]])
        grads = np.asarray(jax.jit(jax.vmap(jax.grad(spring_loss)))(jnp.asarray(batch)))
        for p, g in zip(batch, grads, strict=True):
            fd = central_difference(lambda q: spring_loss(jnp.asarray(q)), p)
            np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)


def test_gradient_through_nonlinear_rollout_matches_finite_differences():
    def loss(params):
        length, damping, theta0 = params
        traj = rollout(
            make_step(pendulum(length, 9.81, damping), "rk4"), (theta0, 0.0 * theta0), 300, 0.01
        )
        return jnp.mean(jnp.square(traj[0]))

    with diffprog.float64():
        p = np.array([1.2, 0.2, 1.0])
        g = np.asarray(jax.jit(jax.grad(loss))(jnp.asarray(p)))
        fd = central_difference(lambda q: loss(jnp.asarray(q)), p)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("num_steps", [1, 10, 37])
@pytest.mark.parametrize("checkpoint", ["sqrt", 8])
@pytest.mark.parametrize("trajectory", [False, True])
def test_checkpointed_rollout_gives_the_same_values_and_gradients(
    num_steps, checkpoint, trajectory
):
    def loss(params, ck):
        length, theta0 = params
        out = rollout(
            make_step(pendulum(length), "rk4"),
            (theta0, 0.0 * theta0),
            num_steps,
            0.01,
            trajectory=trajectory,
            checkpoint=ck,
        )
        return jnp.sum(jnp.square(out[0])) + jnp.sum(out[1])

    p = jnp.array([1.1, 0.9])
    v0, g0 = jax.value_and_grad(loss)(p, None)
    v1, g1 = jax.value_and_grad(loss)(p, checkpoint)
    np.testing.assert_allclose(v1, v0, rtol=1e-6)
    np.testing.assert_allclose(g1, g0, rtol=1e-5, atol=1e-7)


def test_checkpointing_shrinks_the_backward_memory():
    def grad_fn(ck):
        def loss(theta0):
            s = rollout(
                make_step(pendulum(), "rk4"),
                (theta0, jnp.zeros_like(theta0)),
                400,
                0.01,
                trajectory=False,
                checkpoint=ck,
            )
            return jnp.sum(s[0])

        return jax.grad(loss)

    x = jnp.ones(256)
    plain, ck = compiled_memory(grad_fn(None), x), compiled_memory(grad_fn("sqrt"), x)
    if plain is None or ck is None:
        pytest.skip("this backend gives no memory analysis")
    # Residuals: ~ T states plain, ~ 2 sqrt(T) checkpointed (here 400 vs 40 blocks of 256 floats).
    assert ck.temp_bytes < plain.temp_bytes / 4
    assert plain.temp_bytes > 400 * 256 * 4


def test_gradient_norm_vs_horizon_matches_the_closed_form():
    """Euler on y' = a y: y_T = y0 (1 + a dt)^T, so d y_T / d y0 = (1 + a dt)^T."""
    step = make_step(lambda t, y: 0.5 * y, "euler")
    loss = lambda y0, num_steps: rollout(step, y0, num_steps, 0.1, trajectory=False)
    norms = gradient_norm_vs_horizon(loss, 1.0, [1, 10, 40])
    np.testing.assert_allclose(norms, 1.05 ** np.array([1, 10, 40]), rtol=1e-5)


# --- the projectile and its landing point --------------------------------------------------------


def landing(speed, angle, drag=0.0, num_steps=400, dt=0.01):
    traj = rollout(make_step(projectile(drag), "rk4"), launch(speed, angle), num_steps, dt)
    return landing_point(traj, dt)


def test_landing_point_in_vacuum_matches_the_range_formula():
    """Without drag: range v² sin 2a / g, flight time 2 v sin a / g, d range/da 2 v² cos 2a / g."""
    v, a, g = 12.0, 0.6, 9.81
    with diffprog.float64():
        land = landing(v, a)
        x, t = land.x, land.t
        dx_da = jax.grad(lambda angle: landing(v, angle).x)(a)
    assert bool(land.ok) and land.raise_if_failed() is land
    assert float(x) == pytest.approx(v * v * math.sin(2 * a) / g, rel=1e-8)
    assert float(t) == pytest.approx(2 * v * math.sin(a) / g, rel=1e-8)
    assert float(dx_da) == pytest.approx(2 * v * v * math.cos(2 * a) / g, rel=1e-6)


def test_landing_point_derivative_with_drag_matches_finite_differences():
    with diffprog.float64():
        p = np.array([15.0, 0.7])
        fn = jax.jit(lambda q: landing(q[0], q[1], drag=0.05).x)
        g = np.asarray(jax.jit(jax.grad(fn))(jnp.asarray(p)))
        fd = central_difference(lambda q: fn(jnp.asarray(q)), p, h=1e-5)
    np.testing.assert_allclose(g, fd, rtol=1e-5)
    assert g[0] > 0  # faster goes further


def test_drag_shortens_the_range():
    assert float(landing(15.0, 0.7, drag=0.05).x) < 0.8 * float(landing(15.0, 0.7).x)


def test_landing_point_is_continuous_across_steps():
    """As the speed grows the crossing moves from one step to the next without a jump."""
    speeds = jnp.linspace(10.0, 10.2, 41)
    xs = np.asarray(jax.jit(jax.vmap(lambda s: landing(s, 0.6).x))(speeds))
    assert np.max(np.abs(np.diff(xs))) < 3 * (xs[-1] - xs[0]) / 40


def test_landing_point_not_reached():
    """The verdict is a field (NaN x and t, landed False) inside jit and out; a warning outside."""
    with pytest.warns(SimulationWarning, match="never reached the ground in 50 steps"):
        land = landing(30.0, 1.0, num_steps=50)
    assert not bool(land.ok) and math.isnan(float(land.x)) and math.isnan(float(land.t))
    with pytest.raises(SimulationError, match="never reached the ground"):
        land.raise_if_failed()
    jitted = jax.jit(lambda s: landing(s, 1.0, num_steps=50))(30.0)
    assert not bool(jitted.landed) and math.isnan(float(jitted.x))
    lands = jax.vmap(lambda s: landing(s, 1.0, num_steps=50))(jnp.array([1.0, 30.0]))
    assert lands.landed.tolist() == [True, False]  # 1 m/s lands within 50 steps, 30 m/s not


# --- bad input -----------------------------------------------------------------------------------

STEP = make_step(spring(1.0), "rk4")


@pytest.mark.parametrize("dt", [0.0, -0.1, float("nan")])
def test_nonpositive_dt(dt):
    with pytest.raises(ValueError, match="dt must be a finite number > 0"):
        rollout(STEP, (1.0, 0.0), 10, dt)


def test_dt_must_be_scalar():
    with pytest.raises(ValueError, match="dt must be a scalar"):
        rollout(STEP, (1.0, 0.0), 10, jnp.array([0.1, 0.2]))


@pytest.mark.parametrize("num_steps", [0, -3])
def test_nonpositive_num_steps(num_steps):
    with pytest.raises(ValueError, match="num_steps must be an int >= 1"):
        rollout(STEP, (1.0, 0.0), num_steps, 0.1)


@pytest.mark.parametrize("num_steps", [2.5, True, "10"])
def test_num_steps_must_be_an_int(num_steps):
    with pytest.raises(TypeError, match="num_steps must be an int >= 1"):
        rollout(STEP, (1.0, 0.0), num_steps, 0.1)


def test_state_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"double_pendulum: needs q and v of shape \(2,\)"):
        rollout(make_step(double_pendulum(), "rk4"), (jnp.zeros(3), jnp.zeros(3)), 10, 0.01)
    with pytest.raises(ValueError, match="projectile: needs q and v"):
        rollout(make_step(projectile(), "rk4"), (jnp.zeros(2), jnp.zeros(3)), 10, 0.01)
    with pytest.raises(ValueError, match=r"semi_implicit_euler: needs a mechanical state \(q, v\)"):
        rollout(make_step(spring(1.0), "semi_implicit_euler"), jnp.zeros(2), 10, 0.01)


def test_step_that_changes_the_shape():
    with pytest.raises(ValueError, match=r"shape \(3,\) into shape \(1,\)"):
        rollout(lambda s, t, dt: s[:1], jnp.zeros(3), 10, 0.1)


def test_nan_is_reported_with_the_step_that_produced_it():
    """x -> x + 1 until x > 2.5, then NaN: x3 = 3 is finite, step 3 makes x4 = NaN."""
    step = lambda x, t, dt: jnp.where(x > 2.5, jnp.nan, x + 1)
    with pytest.warns(SimulationWarning, match=r"step 3 of 10 \(from t=0.3 to t=0.4\)"):
        traj = rollout(step, 0.0, 10, 0.1)
    assert int(first_nonfinite(traj)) == 4  # trajectory index = step + 1
    with pytest.warns(SimulationWarning, match="final state after 10 steps holds NaN"):
        rollout(step, 0.0, 10, 0.1, checkpoint=2, trajectory=False)
    with pytest.warns(SimulationWarning, match="state0 holds NaN"):
        rollout(STEP, (jnp.nan, 0.0), 3, 0.1)
    assert int(first_nonfinite(rollout(STEP, (1.0, 0.0), 10, 0.1))) == -1  # no warning (errors)


def test_nonfinite_under_jit_is_the_verdict_not_a_warning():
    step = lambda x, t, dt: jnp.where(x > 2.5, jnp.nan, x + 1)
    k = jax.jit(lambda x0: first_nonfinite(rollout(step, x0, 10, 0.1)))(0.0)
    assert int(k) == 4  # nothing warned inside jit (warnings are errors in this suite)


def test_integrators_and_methods_names():
    from diffprog.simulate import INTEGRATORS, METHODS

    assert METHODS == tuple(INTEGRATORS) and all(isinstance(m, str) for m in METHODS)
    assert INTEGRATORS["rk4"] is rk4


def test_bad_method_and_checkpoint():
    with pytest.raises(ValueError, match="method must be one of 'euler'"):
        make_step(spring(1.0), "rk5")
    with pytest.raises(ValueError, match="checkpoint must be None, 'sqrt' or a positive"):
        rollout(STEP, (1.0, 0.0), 10, 0.1, checkpoint="log")
    with pytest.raises(TypeError, match="step must be a callable"):
        rollout(None, (1.0, 0.0), 10, 0.1)
    with pytest.raises(
        TypeError, match=r"step must accept 3 positional arguments \(state, t, dt\)"
    ):
        rollout(lambda s, t: s, (1.0, 0.0), 10, 0.1)
    with pytest.raises(TypeError, match=r"f must accept 2 positional arguments \(t, state\)"):
        make_step(lambda y: -y, "rk4")
    with pytest.raises(ValueError, match="each horizon must be an int >= 1"):
        gradient_norm_vs_horizon(lambda p, n: p, 1.0, [0])


def test_compiled_memory_reports_arguments_and_handles_no_analysis(monkeypatch):
    mem = compiled_memory(lambda x: jnp.sin(x), jnp.ones(1000))
    if mem is not None:
        assert mem.argument_bytes == 4000 and mem.output_bytes == 4000
        assert mem.total_bytes == mem.temp_bytes + 8000
    monkeypatch.setattr(jax.stages.Compiled, "memory_analysis", lambda self: None)
    assert compiled_memory(lambda x: jnp.sin(x), jnp.ones(10)) is None


def test_launch_state():
    pos, vel = launch(10.0, math.pi / 3, height=2.0)
    np.testing.assert_allclose(pos, [0.0, 2.0])
    np.testing.assert_allclose(vel, [5.0, 10.0 * math.sin(math.pi / 3)], rtol=1e-6)


@pytest.mark.parametrize("checkpoint", [None, "sqrt"])
def test_rollout_passes_the_gradient_checker(checkpoint):
    """diffprog.check_grads (forward vs central differences, reverse via <v, J^T u> = <J v, u>)
    on a whole float32 rollout of a damped spring, to second order."""
    report = diffprog.check_grads(
        lambda p: spring_loss(p, num_steps=100, checkpoint=checkpoint, trajectory=True),
        (jnp.asarray(PARAMS, jnp.float32),),
        order=2,
    )
    assert report.ok, str(report)
