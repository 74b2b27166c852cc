"""Tutorial 12's exercises: the final set, part 2 (gradients, autodiff, simulation, devices).

Part 1 (limits and derivatives) is tutorial 11's, in ``bank_11.py``. Each exercise pairs the
worked solution's value with the typical wrong answers it must reject. tests/test_exercises.py
checks the checkers; tests/test_final_exercises.py checks every solution against an independent
oracle (``jax.grad``, ``jax.vjp``, sympy).
"""

from __future__ import annotations

import math

import numpy as np

from .checkers import Number, Vector
from .core import Exercise, register

# ---------------------------------------------------------------- a cost's gradient

register(
    Exercise(
        id="12.1",
        checker=Vector([-4.0, -2.5], kind="the gradient [dC/dm, dC/db]"),
        solution=np.array([-4.0, -2.5]),
        hint="∂C/∂m = (2/N) Σ (ŷᵢ − yᵢ) xᵢ and ∂C/∂b = (2/N) Σ (ŷᵢ − yᵢ): the 2 comes from the "
        "square.",
        wrong_answers=(
            [-2.0, -1.25],  # the 2 of the square forgotten
            [4.0, 2.5],  # residual taken as y - y_hat without the minus sign
            [-2.5, -4.0],  # the order of m and b swapped
            [-16.0, -10.0],  # a sum instead of a mean
        ),
    )
)

register(
    Exercise(
        id="12.2",
        checker=Vector([1.4, 0.25], kind="the new parameters [m, b]"),
        solution=np.array([1.4, 0.25]),
        hint="new (m, b) = (m, b) − η · gradient: step against the gradient.",
        wrong_answers=(
            [0.6, -0.25],
            [1.2, 0.125],
            [-4.0, -2.5],
        ),  # uphill; 2 forgotten; the gradient
    )
)

# ---------------------------------------------------------------- autodiff by hand

register(
    Exercise(
        id="12.3",
        checker=Number(2.0 + 2.0 * math.cos(2.0), kind="an adjoint value"),
        solution=2.0 + 2.0 * math.cos(2.0),
        hint="x1 is used twice (in x1·x2 and in x1²): its adjoint is the sum of what flows back "
        "along both uses.",
        wrong_answers=(
            2.0 * math.cos(2.0),  # only the sin path
            2.0,  # only the x1**2 path
            2.0 - 2.0 * math.cos(2.0),  # sin' taken as -cos
            math.cos(2.0),  # the adjoint of x2 instead
        ),
    )
)

# ---------------------------------------------------------------- a differentiable simulation

_DT, _NUM_STEPS = 0.05, 40

register(
    Exercise(
        id="12.4",
        checker=Vector(
            [_NUM_STEPS * _DT, -(_DT**2) * _NUM_STEPS * (_NUM_STEPS - 1) / 2],
            kind="the gradient [dz_N/dv0, dz_N/dg]",
        ),
        solution=np.array([_NUM_STEPS * _DT, -(_DT**2) * _NUM_STEPS * (_NUM_STEPS - 1) / 2]),
        hint="Unroll a few steps: z_N = z0 + N·dt·v0 − g·dt²·(0 + 1 + … + (N − 1)). The program, "
        "not the exact physics, is what is differentiated.",
        wrong_answers=(
            [2.0, -2.0],  # the exact physics' -T²/2, not the Euler program's
            [2.0, -2.05],  # N(N + 1)/2: semi-implicit Euler's count
            [2.0, 1.95],  # sign error
            [0.05, -0.0025],  # one step only
        ),
    )
)

# ---------------------------------------------------------------- many devices

register(
    Exercise(
        id="12.5",
        checker=Number(2.5, kind="a gradient value"),
        solution=2.5,
        hint="The full mean is a weighted mean of the shard means, weighted by the shard sizes.",
        wrong_answers=(2.0, 4.0, 20.0),  # unweighted mean; plain sum; weighted sum not divided by 8
    )
)
