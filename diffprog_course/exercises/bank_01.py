"""Exercises of tutorial 01 (what calculus is; the method of exhaustion)."""

import math

from .checkers import Number
from .core import Exercise, register

register(
    Exercise(
        id="01.1",
        checker=Number(3 * math.sqrt(3) / 2, kind="an area (a single number)"),
        solution=3 * math.sqrt(3) / 2,
        hint="Six equilateral triangles of side 1; each has area (√3/4)·side².",
        wrong_answers=(3.0, math.pi, 2 * math.sqrt(3)),
    )
)

register(
    Exercise(
        id="01.2",
        checker=Number(30 / 64, kind="a sum of rectangle areas"),
        solution=30 / 64,
        hint="Heights f(1/4), f(2/4), f(3/4), f(1), each times the width 1/4.",
        wrong_answers=(14 / 64, 1 / 3, 30 / 16),
    )
)


def _fewest_sides(tol: float) -> int:
    n = 3
    while math.pi - 0.5 * n * math.sin(2 * math.pi / n) >= tol:
        n += 1
    return n


register(
    Exercise(
        id="01.3",
        checker=Number(_fewest_sides(0.01), rtol=0.0, atol=0.5, kind="a whole number of sides"),
        solution=_fewest_sides(0.01),
        hint="π − A_n ≈ 2π³/(3n²); solve for n, then check the neighbours of your n exactly.",
        wrong_answers=(_fewest_sides(0.01) - 1, 96, 6),
    )
)
