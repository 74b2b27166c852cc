"""Differentiable simulation: the cost of a rollout's gradient over the cost of the rollout.

Reverse mode promises a gradient for a small constant times the cost of the function
(the "cheap gradient principle", Griewank & Walther: at most about 4-5x in operation
counts). A ``lax.scan`` rollout stores every step's residuals and walks them back,
so the measured ratio depends on memory traffic as much as on arithmetic. Rows:

* ``forward``: the rollout's loss (jit), the baseline;
* ``grad``: ``value_and_grad`` of that loss, plain scan;
* ``grad unroll=2``: the scan body unrolled twice (fewer loop iterations, more fusion);
* ``grad per-step remat``: ``checkpoint=1``: each step is a checkpointed block, so only the
  state is stored per step and the RK4 stages are recomputed (half the memory);
* ``grad sqrt-checkpoint``: √T checkpointing (memory O(√T), one extra forward pass).

And the compiled program's temporary memory with and without checkpointing.

Measured once (jax 0.10.1, this shared 2-core CPU at load ~7, so noisy; ratio = time / forward,
for T = 100 / 1000 / 10000):

| state  | grad        | unroll=2    | per-step remat | sqrt-checkpoint | temp mem (T=1e4) |
|--------|-------------|-------------|----------------|-----------------|------------------|
| 2x1    | 1.31/1.57/1.54 | 1.78/3.28/4.02 | 1.52/2.42/4.02 | 1.55/2.40/4.92 | 0.153 -> 0.0035 MiB |
| 2x4096 | 2.06/1.28/1.74 | 3.34/2.43/3.37 | 3.74/1.11/2.33 | 3.38/1.58/2.72 | 625 -> 9.45 MiB |

(temp mem: the compiled program's temporary memory, plain -> sqrt-checkpoint.)

The plain ``value_and_grad`` of one jitted scan is within the cheap-gradient bound (<= 4) here.
Unrolling hurt (an earlier run with ``unroll=8``: 6-49x). Per-step remat halves memory at a
similar cost; √T checkpointing cuts it 66x at T=10000 for 1.6-2.7x the forward's time. A state
stacked into one ``(2, n)`` array instead of the pair ``(theta, omega)`` made no consistent
difference (2.4-3.2x vs 2.6-2.7x, measured separately), so the pair is kept.

The workload is built by :func:`workload`, so that other frameworks (PyTorch,
TensorFlow) can time the same rollout: a damped pendulum per entry of a state
``(theta, omega)`` of shape ``2 x n``, RK4, ``dt = 0.01``, loss = mean(theta_T²).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from _harness import Row, median_time, rows_against

from diffprog.simulate import compiled_memory, make_step, pendulum, rollout

DT = 0.01
LENGTH, GRAVITY, DAMPING = 1.0, 9.81, 0.1


def workload(num_steps: int, n: int, *, unroll: int = 1, checkpoint=None):
    """The benchmark's rollout: ``(loss, theta0)`` with ``loss(theta0) -> scalar``.

    A damped pendulum (L = 1, g = 9.81, c = 0.1) for each of ``n`` initial angles
    ``theta0 = linspace(0.1, 1.5, n)`` at rest, ``num_steps`` RK4 steps of 0.01 s;
    the loss is the mean of the final angles squared. Another framework's version
    should integrate the same equations from the same ``theta0`` (its loss value can
    be compared with this one's).
    """
    step = make_step(pendulum(LENGTH, GRAVITY, DAMPING), "rk4")

    def loss(theta0):
        theta, _ = rollout(
            step,
            (theta0, jnp.zeros_like(theta0)),
            num_steps,
            DT,
            trajectory=False,
            unroll=unroll,
            checkpoint=checkpoint,
        )
        return jnp.mean(jnp.square(theta))

    return loss, jnp.linspace(0.1, 1.5, n)


def run(quick: bool) -> list[Row]:
    horizons = [50] if quick else [100, 1000, 10000]
    sizes = [8] if quick else [1, 4096]
    repeats = 3
    rows: list[Row] = []
    for n in sizes:
        for T in horizons:
            loss, x = workload(T, n)
            forward = jax.jit(loss)
            timings = {"forward": median_time(lambda f=forward, x=x: f(x), repeats=repeats)}
            notes = {}
            variants = {
                "grad": {},
                "grad unroll=2": {"unroll": 2},
                "grad per-step remat": {"checkpoint": 1},
                "grad sqrt-checkpoint": {"checkpoint": "sqrt"},
            }
            for name, kw in variants.items():
                fn = jax.jit(jax.value_and_grad(workload(T, n, **kw)[0]))
                timings[name] = median_time(lambda fn=fn, x=x: fn(x), repeats=repeats)
                mem = compiled_memory(jax.value_and_grad(workload(T, n, **kw)[0]), x)
                notes[name] = "" if mem is None else f"temp memory {mem.temp_bytes / 2**20:.3g} MiB"
            rows += rows_against(
                "simulate", f"pendulum rollout, state 2x{n}, T={T}", timings, "forward", notes
            )
    return rows


if __name__ == "__main__":
    for r in run(quick=True):
        print(r)
