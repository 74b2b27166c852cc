"""Exercises of tutorial 09: differentiable simulation."""

import math

from .checkers import Number
from .core import Exercise, register

register(
    Exercise(
        id="09.1",
        checker=Number((1 + 0.1**2) ** 10, rtol=1e-4),
        solution=(1 + 0.1**2) ** 10,
        hint="Write one Euler step as a 2x2 matrix acting on (x, v) and compute x² + v² after it.",
        wrong_answers=(1.0, 1.1, 1.01),
    )
)

register(
    Exercise(
        id="09.2",
        checker=Number(10.0),
        solution=10,
        hint="Each parameter is nudged in both directions; each nudge is one whole rollout.",
        wrong_answers=(5, 1, 2, 6),
    )
)

register(
    Exercise(
        id="09.3",
        checker=Number(100.0),
        solution=100,
        hint="Set the derivative of T/B + B with respect to B to zero.",
        wrong_answers=(10_000, 1, 50, 5_000),
    )
)

register(
    Exercise(
        id="09.4",
        checker=Number(math.log(1000) / 2, rtol=1e-3),
        solution=math.log(1000) / 2,
        hint="Take logarithms of both sides of 1000 = exp(2 λ).",
        wrong_answers=(500.0, math.log(1000), 3.0),
    )
)
