"""Exercises of tutorial 08: AutoDiff in PyTorch and TensorFlow 2, side by side with JAX.

Each solution is derived by hand here (independently of any framework); the tutorial's
worked solutions compute the same values with JAX, PyTorch and TensorFlow.
"""

import numpy as np

from .checkers import Number, Vector
from .core import Exercise, register

# Tutorial 05's clinical-trial data, and one step of descent from (m, b) = (0.9, 0.1), lr = 0.01:
# dC/dm = 2 mean((m x + b - y) x), dC/db = 2 mean(m x + b - y).
_X = np.arange(8.0)
_Y = np.array([1.86, 1.31, 0.62, 0.33, 0.09, -0.67, -1.23, -1.37])
_R = 0.9 * _X + 0.1 - _Y
_GRAD = np.array([2 * np.mean(_R * _X), 2 * np.mean(_R)])
_STEP = np.array([0.9, 0.1]) - 0.01 * _GRAD

register(
    Exercise(
        id="08.1",
        checker=Number(24.0),
        solution=24.0,
        hint="Each backward() adds d(x^3)/dx = 3x^2 into x.grad; it never overwrites.",
        wrong_answers=(12.0, 6.0, 36.0),
    )
)
register(
    Exercise(
        id="08.2",
        checker=Number(12.0),
        solution=12.0,
        hint="Differentiate 3x^2 once more, then evaluate at x = 2.",
        wrong_answers=(8.0, 6.0, 24.0),
    )
)
register(
    Exercise(
        id="08.3",
        checker=Number(3.0),
        solution=3,
        hint="jit traces once per distinct (shape, dtype) and reuses the compiled code after that.",
        wrong_answers=(6, 2, 4),
    )
)
register(
    Exercise(
        id="08.4",
        checker=Vector(_STEP.tolist(), rtol=1e-4, atol=1e-5),
        solution=_STEP.tolist(),
        hint=(
            "Compute dC/dm = 2 mean((m x + b - y) x) and dC/db = 2 mean(m x + b - y) at the start, "
            "then subtract η (lr in code) times each."
        ),
        wrong_answers=(
            [0.9, 0.1],
            (np.array([0.9, 0.1]) + 0.01 * _GRAD).tolist(),  # a step uphill
            _STEP[::-1].tolist(),
            (0.01 * _GRAD).tolist(),
        ),
    )
)
register(
    Exercise(
        id="08.5",
        checker=Number(9.0),
        solution=9.0,
        hint="stop_gradient passes the value 9 forward but its derivative is treated as zero.",
        wrong_answers=(27.0, 6.0, 0.0),
    )
)
