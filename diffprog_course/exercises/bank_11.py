"""Tutorial 11's exercises: the final set, part 1 (limits and derivatives).

Part 2 (a cost's gradient, autodiff by hand, a simulation, many devices) is tutorial 12's,
in ``bank_12.py``.

Each exercise pairs the worked solution's value with the typical wrong answers it
must reject (a sign error, a missing inner derivative, the 2 of the MSE gradient
forgotten, a one-sided limit given for a two-sided one...). tests/test_exercises.py
checks the checkers; tests/test_final_exercises.py checks every solution against an
independent oracle (sympy for limits and derivatives, ``jax.grad`` for gradients
and the simulation).
"""

from __future__ import annotations

import math

import numpy as np

from .checkers import DoesNotExist, Function, Number
from .core import DNE, Exercise, register

# ---------------------------------------------------------------- limits

register(
    Exercise(
        id="11.1",
        checker=Number(5.0, kind="a limit"),
        solution=5.0,
        hint="Substituting x = 3 gives 0/0, which says nothing yet: factor the numerator and "
        "cancel.",
        wrong_answers=(DNE, 0.0, math.inf),
    )
)

register(
    Exercise(
        id="11.2",
        checker=Number(0.6, kind="a limit"),
        solution=0.6,
        hint="Divide the numerator and the denominator by the highest power of x, x².",
        wrong_answers=(0.0, math.inf, 3.0, 0.25),
    )
)

register(
    Exercise(
        id="11.3",
        checker=DoesNotExist(kind="the two-sided limit"),
        solution=DNE,
        hint="Work out the limit from the right and from the left separately: |x − 1| is x − 1 on "
        "one side and 1 − x on the other.",
        wrong_answers=(0.5, -0.5, 0.0),
    )
)

# ---------------------------------------------------------------- derivatives


def _d_x2_sin3x(x):
    return 2 * x * np.sin(3 * x) + 3 * x**2 * np.cos(3 * x)


register(
    Exercise(
        id="11.4",
        checker=Function(_d_x2_sin3x, kind="the derivative, a function of x"),
        solution=_d_x2_sin3x,
        hint="Product rule for x² · sin(3x), and the chain rule inside: d/dx sin(3x) = 3 cos(3x).",
        wrong_answers=(
            lambda x: 2 * x * np.sin(3 * x) + x**2 * np.cos(3 * x),  # inner derivative 3 forgotten
            lambda x: 6 * x * np.cos(3 * x),  # (fg)' taken as f'g'
            lambda x: 2 * x * np.sin(3 * x) - 3 * x**2 * np.cos(3 * x),  # sign error: sin' = -cos
        ),
    )
)

register(
    Exercise(
        id="11.5",
        checker=Number(-0.5, kind="a derivative value"),
        solution=-0.5,
        hint="Quotient rule: (low · d(high) − high · d(low)) / low². Mind the order and the "
        "square.",
        wrong_answers=(0.5, 1.0, -1.0),  # numerator reversed; f'/g'; denominator not squared
    )
)

register(
    Exercise(
        id="11.6",
        checker=Number(6.0, kind="a value of C"),
        solution=6.0,
        hint="Expand (2 + h)³ with the binomial theorem, divide by h, and read off the "
        "coefficient of h.",
        wrong_answers=(
            12.0,
            0.0,
            1.0,
        ),  # f''(2) without the 1/2 (or f'(2) itself); "exact"; h² term
    )
)
