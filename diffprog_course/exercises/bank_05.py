"""Exercises of tutorial 05 (cost functions, their derivatives, gradient descent)."""

import math

import numpy as np

from .checkers import Function, Number
from .core import Exercise, register

_X = np.arange(8.0)
_Y = np.array([1.86, 1.31, 0.62, 0.33, 0.09, -0.67, -1.23, -1.37])


def _dC_dm(m, b):
    return 2 * np.mean((m * _X + b - _Y) * _X)


register(
    Exercise(
        id="05.1",
        checker=Number(5 / 3),
        solution=5 / 3,
        hint="Square each residual y_hat - y, then average (divide by n = 3).",
        wrong_answers=(1.0, 5.0, 5 / 6),  # the MAE, the sum of squares, half the MSE
    )
)

register(
    Exercise(
        id="05.2",
        checker=Number(15.54),
        solution=2 * (0.9 * 7 + 0.1 + 1.37),
        hint="Chain rule: 2 r times the derivative of r = m x + b - y with respect to b.",
        wrong_answers=(7.77, 108.78, 60.3729),  # no factor 2, dC/dm, the cost itself
    )
)

register(
    Exercise(
        id="05.3",
        checker=Function(
            _dC_dm,
            points=[(0.9, 0.1), (-0.5, 1.7), (0.0, 0.0), (2.0, -1.0)],
            kind="a function of (m, b)",
        ),
        solution=_dC_dm,
        hint="The derivative of a mean is the mean of the derivatives: 2 r_i x_i for each point.",
        wrong_answers=(
            lambda m, b: np.mean((m * _X + b - _Y) * _X),  # no factor 2
            lambda m, b: 2 * np.mean(m * _X + b - _Y),  # dC/db
            lambda m, b: 2 * np.sum((m * _X + b - _Y) * _X),
        ),  # sum, not mean
    )
)

_LAM_MAX = (37 + math.sqrt(37**2 - 4 * 21)) / 2
register(
    Exercise(
        id="05.4",
        checker=Number(2 / _LAM_MAX),
        solution=2 / _LAM_MAX,
        hint="H = 2 [[mean x^2, mean x], [mean x, 1]] = [[35, 7], [7, 2]]; find its largest "
        "eigenvalue.",
        wrong_answers=(1 / _LAM_MAX, 2 / 35, 0.01, 0.1),
    )
)
