"""Exercises of tutorial 02 (calculating limits)."""

import math

from .checkers import DNE, DoesNotExist, Number
from .core import Exercise, register

register(
    Exercise(
        id="02.1",
        checker=Number(1.0, kind="the value of the limit"),
        solution=1.0,
        hint="Is there anything wrong with plugging in x = 0?",
        wrong_answers=(2.0, 0.0, DNE),
    )
)

register(
    Exercise(
        id="02.2",
        checker=Number(-10.0, kind="the value of the limit"),
        solution=-10.0,
        hint="Factor the numerator as a difference of squares.",
        wrong_answers=(10.0, 0.0, DNE),
    )
)

register(
    Exercise(
        id="02.3",
        checker=Number(6.0, kind="the value of the limit"),
        solution=6.0,
        hint="Find the two roots of x² − 2x − 8 and factor.",
        wrong_answers=(2.0, -6.0, 0.0, DNE),
    )
)

register(
    Exercise(
        id="02.4",
        checker=Number(0.0, kind="the value of the limit"),
        solution=0.0,
        hint="What happens to 25 divided by a hugely negative number?",
        wrong_answers=(-math.inf, math.inf, -25.0, DNE),
    )
)

register(
    Exercise(
        id="02.5",
        checker=DoesNotExist(kind="the two-sided limit"),
        solution=DNE,
        hint="Compare the one-sided limits.",
        wrong_answers=(math.inf, -math.inf, 0.0),
    )
)
