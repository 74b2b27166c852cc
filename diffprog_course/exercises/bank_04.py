"""Exercises of tutorial 04 (the differentiation rules)."""

import numpy as np

from .checkers import Function, Number
from .core import Exercise, register

register(
    Exercise(
        id="04.1",
        checker=Function(lambda x: -15 * x**2),
        solution=lambda x: -15 * x**2,
        hint="Constant multiple, then the power rule: bring the exponent down and lower it by one.",
        wrong_answers=(lambda x: -5 * x**2, lambda x: -15 * x**3, lambda x: 15 * x**2),
    )
)
register(
    Exercise(
        id="04.2",
        checker=Function(lambda x: 2 * x * np.sin(x) + x**2 * np.cos(x)),
        solution=lambda x: 2 * x * np.sin(x) + x**2 * np.cos(x),
        hint="Product rule: u'v + uv' with u = x^2 and v = sin x.",
        wrong_answers=(
            lambda x: 2 * x * np.cos(x),
            lambda x: 2 * x * np.sin(x),
            lambda x: 2 * x * np.sin(x) - x**2 * np.cos(x),
        ),
    )
)
register(
    Exercise(
        id="04.3",
        checker=Function(lambda x: (1 - x**2) / (x**2 + 1) ** 2),
        solution=lambda x: (1 - x**2) / (x**2 + 1) ** 2,
        hint="Quotient rule: (u'v - uv') / v^2, and mind the order in the numerator.",
        wrong_answers=(
            lambda x: 1 / (2 * x),
            lambda x: (x**2 - 1) / (x**2 + 1) ** 2,
            lambda x: (1 + x**2) / (x**2 + 1) ** 2,
        ),
    )
)
register(
    Exercise(
        id="04.4",
        checker=Function(lambda x: 6 * x * (x**2 + 1) ** 2),
        solution=lambda x: 6 * x * (x**2 + 1) ** 2,
        hint="Chain rule: the outer derivative 3u^2 at u = x^2 + 1, times the inner derivative.",
        wrong_answers=(
            lambda x: 3 * (x**2 + 1) ** 2,
            lambda x: 3 * (2 * x) ** 2,
            lambda x: 6 * x * (x**2 + 1),
        ),
    )
)
register(
    Exercise(
        id="04.5",
        checker=Number(0.25),
        solution=0.25,
        hint="σ'(x) = σ(x)(1 - σ(x)); what is σ(0)?",
        wrong_answers=(0.5, 1.0, 0.0),
    )
)
register(
    Exercise(
        id="04.6",
        checker=Function(lambda x: 3 * x**2 + np.cos(x)),
        solution=lambda x: 3 * x**2 + np.cos(x),
        hint="Sum rule: differentiate each term on its own and add the two derivatives.",
        wrong_answers=(
            lambda x: 3 * x**2 * np.cos(x),
            lambda x: 3 * x**2 + np.sin(x),
            lambda x: 3 * x**2 - np.cos(x),
        ),
    )
)
