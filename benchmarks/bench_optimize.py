"""``fit`` called again with the same loss and optimiser vs its steps alone (target <= 2x).

``diffprog.fit`` keeps no cache keyed on the user's loss (which would freeze its closure): each
call traces the loss and optimiser afresh and reuses a compilation only when the traced program
is the same (diffprog/_traced.py). So a second call costs its steps plus one trace. Measured in
one run, medians of repeats:

* the baseline, "steps alone": the same optax steps in a hand-written ``jax.jit(lax.scan)``,
  compiled beforehand (what a user who jits the loop themselves pays per call);
* ``fit`` called a second time with the same loss and optimiser objects (target <= 2x);
* ``fit`` with a fresh lambda of the same body each call (the same program: no recompile);
* ``gradient_descent`` a second time, against the same hand-written loop with ``p - lr * g``.

Two workloads: the course's 8-point line with adam (tiny steps: the fixed cost of a call shows)
and a small MLP on 1,024 points (steps that do real work).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
from _harness import Row, block, median_time, rows_against

import diffprog

X8 = jnp.arange(8.0)
Y8 = jnp.array([1.86, 1.31, 0.62, 0.33, 0.09, -0.67, -1.23, -1.37])


def _line_loss(p):
    return diffprog.mse(diffprog.linear(p, X8), Y8)


def _mlp_problem():
    k1, k2, k3, k4 = jax.random.split(jax.random.key(0), 4)
    x = jax.random.normal(k1, (1024, 2))
    y = jnp.sin(x[:, :1]) * jnp.cos(x[:, 1:])
    params = {
        "W1": 0.5 * jax.random.normal(k2, (2, 32)),
        "b1": jnp.zeros(32),
        "W2": 0.5 * jax.random.normal(k3, (32, 32)),
        "b2": jnp.zeros(32),
        "W3": 0.5 * jax.random.normal(k4, (32, 1)),
        "b3": jnp.zeros(1),
    }

    def loss(p):
        h = jnp.tanh(x @ p["W1"] + p["b1"])
        h = jnp.tanh(h @ p["W2"] + p["b2"])
        return jnp.mean((h @ p["W3"] + p["b3"] - y) ** 2)

    return loss, params


def _steps_alone(loss, opt, num_steps):
    """The baseline: the same optax loop, jitted by hand (lax.scan), the loss at every step."""

    @jax.jit
    def run(params):
        def body(carry, _):
            p, s = carry
            value, grads = jax.value_and_grad(loss)(p)
            updates, s = opt.update(grads, s, p)
            return (optax.apply_updates(p, updates), s), value

        (p, s), values = jax.lax.scan(body, (params, opt.init(params)), None, length=num_steps)
        return p, jnp.concatenate([values, loss(p)[None]])

    return run


def _gd_alone(loss, lr, num_steps):
    @jax.jit
    def run(params):
        def body(p, _):
            value, grads = jax.value_and_grad(loss)(p)
            return jax.tree_util.tree_map(lambda a, g: a - lr * g, p, grads), value

        p, values = jax.lax.scan(body, params, None, length=num_steps)
        return p, jnp.concatenate([values, loss(p)[None]])

    return run


def _workload(name, loss, params, num_steps, repeats, fresh_lambda):
    opt = optax.adam(1e-2)
    alone = _steps_alone(loss, opt, num_steps)
    ref_p, ref_losses = block(alone(params))
    first = diffprog.fit(loss, params, opt, num_steps, show_progress=False)  # compiles
    np.testing.assert_allclose(first.losses, ref_losses, rtol=2e-4, atol=1e-6)
    timings = {
        "steps alone (hand-written jax.jit scan)": median_time(lambda: alone(params), repeats),
        "fit, second call (same loss, optimiser)": median_time(
            lambda: diffprog.fit(loss, params, opt, num_steps, show_progress=False).params, repeats
        ),
        "fit, a fresh lambda of the same body": median_time(
            lambda: (
                diffprog.fit(fresh_lambda(), params, opt, num_steps, show_progress=False).params
            ),
            repeats,
        ),
    }
    base = timings["steps alone (hand-written jax.jit scan)"]
    notes = {
        k: f"{t / base:.2f}x the steps alone (target <= 2x), {num_steps} adam steps"
        for k, t in timings.items()
        if k.startswith("fit")
    }
    rows = rows_against(
        "optimize",
        f"{name}: fit, {num_steps} steps",
        timings,
        "steps alone (hand-written jax.jit scan)",
        notes,
    )

    gd_alone = _gd_alone(loss, 0.01, num_steps)
    block(gd_alone(params))
    gd = diffprog.gradient_descent(loss, params, 0.01, num_steps)
    np.testing.assert_allclose(gd.losses, gd_alone(params)[1], rtol=2e-4, atol=1e-6)
    gd_t = {
        "steps alone (hand-written jax.jit scan)": median_time(lambda: gd_alone(params), repeats),
        "gradient_descent, second call": median_time(
            lambda: diffprog.gradient_descent(loss, params, 0.01, num_steps).params, repeats
        ),
    }
    gd_base = gd_t["steps alone (hand-written jax.jit scan)"]
    gd_ratio = gd_t["gradient_descent, second call"] / gd_base
    rows += rows_against(
        "optimize",
        f"{name}: gradient_descent, {num_steps} steps",
        gd_t,
        "steps alone (hand-written jax.jit scan)",
        {"gradient_descent, second call": f"{gd_ratio:.2f}x the steps alone"},
    )
    return rows


def run(quick: bool) -> list[Row]:
    repeats = 5 if quick else 9
    steps = 300 if quick else 1000
    rows = _workload(
        "course line (8 points)",
        _line_loss,
        {"m": jnp.float32(0.9), "b": jnp.float32(0.1)},
        steps,
        repeats,
        lambda: lambda p: diffprog.mse(diffprog.linear(p, X8), Y8),
    )
    mlp, params = _mlp_problem()
    rows += _workload(
        "MLP 2-32-32-1 on 1,024 points",
        mlp,
        params,
        100 if quick else 500,
        repeats,
        lambda: lambda p: mlp(p),
    )
    return rows
