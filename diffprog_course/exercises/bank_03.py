"""Exercises of tutorial 03 (derivatives from first principles)."""

from .checkers import Function, Number
from .core import Exercise, register

register(
    Exercise(
        id="03.1",
        checker=Number(0.0),
        solution=0.0,
        hint="Simplify (f(-1 + dx) - f(-1)) / dx before letting dx go to 0.",
        wrong_answers=(1.0, -1.0, 2.0),
    )
)
register(
    Exercise(
        id="03.2",
        checker=Number(13.0),
        solution=13.0,
        hint="Δy/Δx = (g(3) - g(1)) / (3 - 1).",
        wrong_answers=(26.0, 3.0, 27.0, 12.0),
    )
)
register(
    Exercise(
        id="03.3",
        checker=Function(lambda x: 2 * x + 2),
        solution=lambda x: 2 * x + 2,
        hint="Expand f(x + h) - f(x), divide by h, then let h go to 0.",
        wrong_answers=(lambda x: 2 * x, lambda x: x**2 + 2, lambda x: 2 * x + 2 + 0.01),
    )
)
