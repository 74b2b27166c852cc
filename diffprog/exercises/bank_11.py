"""Tutorial 11's exercises: the final set, across the whole course.

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

from .checkers import DoesNotExist, Function, Number, Vector
from .core import DNE, Exercise, register

# ---------------------------------------------------------------- limits

register(Exercise(
    id="11.1",
    statement=r"Find $\lim_{x\to 3} \dfrac{x^2 - x - 6}{x - 3}$.",
    checker=Number(5.0, kind="a limit"),
    solution=5.0,
    hint="Substituting x = 3 gives 0/0, which says nothing yet: factor the numerator and cancel.",
    wrong_answers=(DNE, 0.0, math.inf),
))

register(Exercise(
    id="11.2",
    statement=r"Find $\lim_{x\to\infty} \dfrac{3x^2 - 2x + 1}{5x^2 + 4}$.",
    checker=Number(0.6, kind="a limit"),
    solution=0.6,
    hint="Divide the numerator and the denominator by the highest power of x, x².",
    wrong_answers=(0.0, math.inf, 3.0, 0.25),
))

register(Exercise(
    id="11.3",
    statement=r"Find $\lim_{x\to 1} \dfrac{|x - 1|}{x^2 - 1}$ (answer `DNE` if it does not exist).",
    checker=DoesNotExist(kind="the two-sided limit"),
    solution=DNE,
    hint="Work out the limit from the right and from the left separately: |x − 1| is x − 1 on one "
         "side and 1 − x on the other.",
    wrong_answers=(0.5, -0.5, 0.0),
))

# ---------------------------------------------------------------- derivatives


def _d_x2_sin3x(x):
    return 2 * x * np.sin(3 * x) + 3 * x**2 * np.cos(3 * x)


register(Exercise(
    id="11.4",
    statement=r"Write $f'(x)$ as a Python function, for $f(x) = x^2 \sin(3x)$.",
    checker=Function(_d_x2_sin3x, kind="the derivative, a function of x"),
    solution=_d_x2_sin3x,
    hint="Product rule for x² · sin(3x), and the chain rule inside: d/dx sin(3x) = 3 cos(3x).",
    wrong_answers=(
        lambda x: 2 * x * np.sin(3 * x) + x**2 * np.cos(3 * x),   # inner derivative 3 forgotten
        lambda x: 6 * x * np.cos(3 * x),                           # (fg)' taken as f'g'
        lambda x: 2 * x * np.sin(3 * x) - 3 * x**2 * np.cos(3 * x),  # sign error: sin' = -cos
    ),
))

register(Exercise(
    id="11.5",
    statement=r"Find $g'(1)$ for $g(x) = \dfrac{2x + 1}{x^2 + 1}$.",
    checker=Number(-0.5, kind="a derivative value"),
    solution=-0.5,
    hint="Quotient rule: (low · d(high) − high · d(low)) / low². Mind the order and the square.",
    wrong_answers=(0.5, 1.0, -1.0),  # numerator reversed; f'/g'; denominator not squared
))

register(Exercise(
    id="11.6",
    statement=r"For $f(x) = x^3$ at $x = 2$ the forward difference quotient is "
              r"$q(h) = \dfrac{f(2+h) - f(2)}{h}$. Find $C = \lim_{h\to 0} \dfrac{q(h) - f'(2)}{h}$, "
              r"the constant in $q(h) \approx f'(2) + C h$.",
    checker=Number(6.0, kind="a value of C"),
    solution=6.0,
    hint="Expand (2 + h)³ with the binomial theorem, divide by h, and read off the coefficient of h.",
    wrong_answers=(12.0, 0.0, 1.0),  # f''(2) without the 1/2 (or f'(2) itself); "exact"; h² term
))

# ---------------------------------------------------------------- a cost's gradient

register(Exercise(
    id="11.7",
    statement=r"Data $x = [0, 1, 2, 3]$, $y = [1, 3, 2, 5]$, model $\hat y = m x + b$, cost "
              r"$C(m, b) = \frac{1}{N}\sum_i (\hat y_i - y_i)^2$. Give "
              r"$[\partial C/\partial m,\ \partial C/\partial b]$ at $m = 1, b = 0$.",
    checker=Vector([-4.0, -2.5], kind="the gradient [dC/dm, dC/db]"),
    solution=np.array([-4.0, -2.5]),
    hint="∂C/∂m = (2/N) Σ (ŷᵢ − yᵢ) xᵢ and ∂C/∂b = (2/N) Σ (ŷᵢ − yᵢ): the 2 comes from the square.",
    wrong_answers=(
        [-2.0, -1.25],   # the 2 of the square forgotten
        [4.0, 2.5],      # residual taken as y - y_hat without the minus sign
        [-2.5, -4.0],    # the order of m and b swapped
        [-16.0, -10.0],  # a sum instead of a mean
    ),
))

register(Exercise(
    id="11.8",
    statement=r"From $m = 1, b = 0$ take one gradient-descent step on the cost of exercise 11.7 "
              r"with learning rate $\mathrm{lr} = 0.1$. Give the new $[m, b]$.",
    checker=Vector([1.4, 0.25], kind="the new parameters [m, b]"),
    solution=np.array([1.4, 0.25]),
    hint="params_new = params − lr · gradient: step against the gradient.",
    wrong_answers=([0.6, -0.25], [1.2, 0.125], [-4.0, -2.5]),  # uphill; 2 forgotten; the gradient
))

# ---------------------------------------------------------------- autodiff by hand

register(Exercise(
    id="11.9",
    statement=r"For $f(x_1, x_2) = \sin(x_1 x_2) + x_1^2$ at $(x_1, x_2) = (1, 2)$, write the "
              r"evaluation trace and sweep it backwards. Give the adjoint $\bar x_1 = \partial f/\partial x_1$.",
    checker=Number(2.0 + 2.0 * math.cos(2.0), kind="an adjoint value"),
    solution=2.0 + 2.0 * math.cos(2.0),
    hint="x1 is used twice (in x1·x2 and in x1²): its adjoint is the sum of what flows back along both uses.",
    wrong_answers=(
        2.0 * math.cos(2.0),        # only the sin path
        2.0,                        # only the x1**2 path
        2.0 - 2.0 * math.cos(2.0),  # sin' taken as -cos
        math.cos(2.0),              # the adjoint of x2 instead
    ),
))

# ---------------------------------------------------------------- a differentiable simulation

_DT, _NUM_STEPS = 0.05, 40

register(Exercise(
    id="11.10",
    statement=r"A ball is thrown up from height $z_0 = 0$ with speed $v_0$ under gravity $g$, "
              r"simulated by explicit Euler: $z_{k+1} = z_k + \Delta t\, v_k$, "
              r"$v_{k+1} = v_k - \Delta t\, g$, with $\Delta t = 0.05$ for $N = 40$ steps "
              r"($v_0 = 10$, $g = 9.81$). Give $[\partial z_N/\partial v_0,\ \partial z_N/\partial g]$.",
    checker=Vector([_NUM_STEPS * _DT, -_DT**2 * _NUM_STEPS * (_NUM_STEPS - 1) / 2],
                   kind="the gradient [dz_N/dv0, dz_N/dg]"),
    solution=np.array([_NUM_STEPS * _DT, -_DT**2 * _NUM_STEPS * (_NUM_STEPS - 1) / 2]),
    hint="Unroll a few steps: z_N = z0 + N·dt·v0 − g·dt²·(0 + 1 + … + (N − 1)). The program, "
         "not the exact physics, is what is differentiated.",
    wrong_answers=(
        [2.0, -2.0],      # the exact physics' -T²/2, not the Euler program's
        [2.0, -2.05],     # N(N + 1)/2: semi-implicit Euler's count
        [2.0, 1.95],      # sign error
        [0.05, -0.0025],  # one step only
    ),
))

# ---------------------------------------------------------------- many devices

register(Exercise(
    id="11.11",
    statement=r"A batch of 8 examples is split over two devices: 6 on the first, 2 on the second. "
              r"Each device computes the gradient of the *mean* loss over its own shard: 3.0 and "
              r"1.0. What is the gradient of the mean loss over the whole batch?",
    checker=Number(2.5, kind="a gradient value"),
    solution=2.5,
    hint="The full mean is a weighted mean of the shard means, weighted by the shard sizes.",
    wrong_answers=(2.0, 4.0, 20.0),  # unweighted mean; plain sum; weighted sum not divided by 8
))
