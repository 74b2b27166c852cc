"""Exercises of tutorial 07 (AutoDiff in JAX)."""

import math

import numpy as np

from .checkers import Function, Number, Vector
from .core import Exercise, register


def _safe_sqrt_derivative(x):
    return 0.5 / math.sqrt(x) if x > 0 else 0.0


def _naive_grad(x):
    # What jax.grad of jnp.where(x > 0, jnp.sqrt(x), 0.0) returns: NaN at x <= 0.
    return 0.5 / math.sqrt(x) if x > 0 else math.nan


register(
    Exercise(
        id="07.1",
        checker=Number(5 * math.sin(1) + 6 * math.cos(1)),
        solution=5 * math.sin(1) + 6 * math.cos(1),
        hint="jax.grad(jax.grad(f))(1.0); f must take and return a scalar.",
        wrong_answers=(3 * math.sin(1) + math.cos(1), 6 * math.sin(1) + 6 * math.cos(1)),
    )
)
register(
    Exercise(
        id="07.2",
        checker=Function(_safe_sqrt_derivative, points=(-1.0, 0.0, 0.25, 1.0, 4.0)),
        solution=_safe_sqrt_derivative,
        hint="Both branches of jnp.where are differentiated: give the square root a safe input "
        "with a second jnp.where.",
        wrong_answers=(_naive_grad, lambda x: 0.5 / math.sqrt(abs(x) + 1e-12)),
    )
)
register(
    Exercise(
        id="07.3",
        checker=Vector(np.array([[2.0, 0.0], [0.0, 4.0], [4.0, 4.0]])),
        solution=np.array([[2.0, 0.0], [0.0, 4.0], [4.0, 4.0]]),
        hint="The gradient of (w.x - y)^2 is 2 (w.x - y) x, one row per example.",
        wrong_answers=(np.array([[1.0, 0.0], [0.0, 2.0], [2.0, 2.0]]), np.array([2.0, 8 / 3])),
    )
)
