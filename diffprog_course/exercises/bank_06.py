"""Exercises of tutorial 06 (automatic differentiation from scratch)."""

import math

from .checkers import Number
from .core import Exercise, register

register(
    Exercise(
        id="06.1",
        checker=Number(math.sin(1) + math.cos(1)),
        solution=math.sin(1) + math.cos(1),
        hint="Seed the tangent with 1: y = Dual(1.0, 1.0) * sin(Dual(1.0, 1.0)); read y.tangent.",
        wrong_answers=(math.sin(1), math.cos(1), math.sin(1) * 1.0 + 0.0),
    )
)
register(
    Exercise(
        id="06.2",
        checker=Number(2 + math.cos(1)),
        solution=2 + math.cos(1),
        hint="x1 is used twice (in x1 x2 and in sin x1): its adjoint is the sum of both "
        "contributions.",
        wrong_answers=(2.0, math.cos(1), 1 + math.cos(1)),
    )
)
register(
    Exercise(
        id="06.3",
        checker=Number(500),
        solution=500,
        hint="Each reverse sweep gives one row of the Jacobian (one output's gradient).",
        wrong_answers=(3, 1, 1500),
    )
)
