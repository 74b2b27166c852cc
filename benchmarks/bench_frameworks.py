"""The same gradient workloads in JAX, PyTorch and TensorFlow 2 (tutorial 08).

Three workloads, each timed in every installed framework in one run, as ratios
against JAX (the baseline):

1. **small gradient, per call**: the gradient of ``sum(tanh(w * x)^2)`` in ``w``
   (100 points) — per-call latency, where dispatch overhead dominates.
2. **regression descent**: tutorial 05's clinical-trial regression, 1000 steps
   of the same hand-written gradient-descent loop (JAX: ``jit`` step; PyTorch:
   eager; TensorFlow: ``tf.function`` step), plus JAX's whole descent in one
   ``lax.scan``.
3. **rollout gradient**: the gradient of a mass-spring-damper's final energy in
   its stiffness and damping, through a 1,000-step semi-implicit Euler rollout
   (JAX: ``lax.scan`` under ``jit``; PyTorch: an eager Python loop; TensorFlow:
   a ``tf.function`` loop, compiled to a ``while_loop``).

A framework that is not installed is skipped (and said so). Every workload also
checks that the frameworks' answers agree (the note says how closely).
"""

from __future__ import annotations

import os

import jax
import jax.numpy as jnp
import numpy as np
from _harness import Row, median_time, rows_against

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BENCH = "frameworks"
X8 = np.arange(8.0, dtype=np.float32)
Y8 = np.array([1.86, 1.31, 0.62, 0.33, 0.09, -0.67, -1.23, -1.37], np.float32)
PARAMS0 = np.array([0.9, 0.1], np.float32)  # (m, b)
LR = 0.01
SPRING = np.array([4.0, 0.5], np.float32)  # (stiffness k, damping c); mass 1
X0, V0, DT = 1.0, 0.0, 0.01


def _optional(name: str):
    try:
        return __import__(name)
    except ImportError:
        print(f"   {name} is not installed: skipped (pip install -e '.[compare]' on Python 3.11)")
        return None


# --------------------------------------------------------------------------- JAX


def jax_workloads(num_steps: int) -> dict:
    xs = jnp.linspace(-2.0, 2.0, 100)
    small = jax.jit(jax.grad(lambda w: jnp.sum(jnp.tanh(w * xs) ** 2)))

    def cost(params):
        return jnp.mean((params[0] * X8 + params[1] - Y8) ** 2)

    @jax.jit
    def step(params):
        return params - LR * jax.grad(cost)(params)

    def descent_loop():
        params = jnp.asarray(PARAMS0)
        for _ in range(num_steps):
            params = step(params)
        return params

    @jax.jit
    def descent_scan(params):
        return jax.lax.scan(
            lambda p, _: (p - LR * jax.grad(cost)(p), None), params, None, length=num_steps
        )[0]

    def energy(spring):
        k, c = spring[0], spring[1]

        def euler(state, _):
            x, v = state
            v = v + DT * (-k * x - c * v)
            return (x + DT * v, v), None

        (x, v), _ = jax.lax.scan(euler, (jnp.float32(X0), jnp.float32(V0)), None, length=num_steps)
        return 0.5 * v**2 + 0.5 * k * x**2

    return {
        "small": lambda: small(jnp.float32(0.7)),
        "descent": descent_loop,
        "descent (lax.scan)": lambda: descent_scan(jnp.asarray(PARAMS0)),
        "rollout": (lambda g: lambda: g(jnp.asarray(SPRING)))(jax.jit(jax.grad(energy))),
    }


# --------------------------------------------------------------------------- PyTorch


def torch_workloads(torch, num_steps: int) -> dict:
    xs = torch.linspace(-2.0, 2.0, 100)
    x8, y8 = torch.from_numpy(X8), torch.from_numpy(Y8)

    def small():
        w = torch.tensor(0.7, requires_grad=True)
        torch.sum(torch.tanh(w * xs) ** 2).backward()
        return w.grad

    def descent():
        params = torch.tensor(PARAMS0, requires_grad=True)
        for _ in range(num_steps):
            torch.mean((params[0] * x8 + params[1] - y8) ** 2).backward()
            with torch.no_grad():
                params -= LR * params.grad
            params.grad = None
        return params.detach()

    def rollout():
        spring = torch.tensor(SPRING, requires_grad=True)
        k, c = spring[0], spring[1]
        x, v = torch.tensor(X0), torch.tensor(V0)
        for _ in range(num_steps):
            v = v + DT * (-k * x - c * v)
            x = x + DT * v
        (0.5 * v**2 + 0.5 * k * x**2).backward()
        return spring.grad

    return {"small": small, "descent": descent, "rollout": rollout}


# --------------------------------------------------------------------------- TensorFlow


def tf_workloads(tf, num_steps: int) -> dict:
    xs = tf.linspace(-2.0, 2.0, 100)
    x8, y8 = tf.constant(X8), tf.constant(Y8)

    @tf.function
    def small(w):
        with tf.GradientTape() as tape:
            tape.watch(w)
            y = tf.reduce_sum(tf.tanh(w * xs) ** 2)
        return tape.gradient(y, w)

    @tf.function
    def step(params):
        with tf.GradientTape() as tape:
            cost = tf.reduce_mean((params[0] * x8 + params[1] - y8) ** 2)
        params.assign_sub(LR * tape.gradient(cost, params))

    def descent():
        params = tf.Variable(PARAMS0)
        for _ in range(num_steps):
            step(params)
        return params.numpy()

    @tf.function
    def rollout(spring):
        with tf.GradientTape() as tape:
            tape.watch(spring)
            k, c = spring[0], spring[1]
            x, v = tf.constant(X0), tf.constant(V0)
            for _ in tf.range(num_steps):  # autograph: a tf.while_loop, not 1,000 unrolled steps
                v = v + DT * (-k * x - c * v)
                x = x + DT * v
            energy = 0.5 * v**2 + 0.5 * k * x**2
        return tape.gradient(energy, spring)

    w0, s0 = tf.constant(0.7), tf.constant(SPRING)
    return {"small": lambda: small(w0), "descent": descent, "rollout": lambda: rollout(s0)}


# --------------------------------------------------------------------------- the run


def workloads(num_steps: int) -> dict[str, dict]:
    """Every installed framework's workloads: framework -> workload name -> thunk."""
    out = {"jax": jax_workloads(num_steps)}
    torch = _optional("torch")
    if torch is not None:
        out["torch"] = torch_workloads(torch, num_steps)
    tf = _optional("tensorflow")
    if tf is not None:
        out["tensorflow"] = tf_workloads(tf, num_steps)
    return out


WORKLOADS = {
    "small": "grad of sum(tanh(w x)^2), 100 points, per call",
    "descent": "regression: {n} steps of gradient descent",
    "rollout": "grad of a spring's energy through a {n}-step rollout",
}
IMPL = {"jax": "jax (jit)", "torch": "torch (eager)", "tensorflow": "tensorflow (tf.function)"}


def run(quick: bool) -> list[Row]:
    num_steps = 100 if quick else 1000
    repeats = 3 if quick else 7
    every = workloads(num_steps)
    rows: list[Row] = []
    for name, title in WORKLOADS.items():
        thunks = {fw: w[name] for fw, w in every.items()}
        if name == "descent":
            thunks["jax (lax.scan)"] = every["jax"]["descent (lax.scan)"]
        answers = {fw: np.asarray(f()) for fw, f in thunks.items()}  # also compiles
        gap = max(float(np.max(np.abs(a - answers["jax"]))) for a in answers.values())
        number = (20 if quick else 200) if name == "small" else 1
        timings = {
            IMPL.get(fw, fw): median_time(f, repeats=repeats, number=number)
            for fw, f in thunks.items()
        }
        note = f"answers agree to {gap:.1e}" if len(answers) > 1 else "only jax installed"
        rows += rows_against(
            BENCH, title.format(n=num_steps), timings, "jax (jit)", {impl: note for impl in timings}
        )
    return rows
