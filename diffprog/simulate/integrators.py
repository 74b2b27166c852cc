"""Integrators as pure step functions: ``step(f, state, t, dt) -> next state``.

A vector field ``f(t, state) -> dstate/dt`` returns a pytree shaped like ``state``.
Euler and RK4 accept any pytree state. The symplectic integrators (semi-implicit
Euler, velocity Verlet) need a mechanical state ``(q, v)`` whose field is
``f(t, (q, v)) = (dq/dt, dv/dt)`` with ``dq/dt = v``: they update velocity and
position in turn, which is what keeps the energy of a conservative system bounded.

Bind a field to an integrator with :func:`make_step` (or ``functools.partial``) to
get the ``step(state, t, dt)`` that :func:`diffprog.simulate.rollout` iterates.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax

from .. import _validate as v
from .._typing import ArrayLike, PyTree

__all__ = [
    "INTEGRATORS",
    "METHODS",
    "euler",
    "make_step",
    "rk4",
    "semi_implicit_euler",
    "velocity_verlet",
]

VectorField = Callable[[Any, PyTree], PyTree]


def _axpy(a, x: PyTree, y: PyTree) -> PyTree:
    """``y + a * x`` leaf by leaf."""
    return jax.tree_util.tree_map(lambda xi, yi: yi + a * xi, x, y)


def _split(state: PyTree, name: str) -> tuple:
    if not (isinstance(state, tuple | list) and len(state) == 2):
        raise v.fail(
            name,
            "needs a mechanical state (q, v): a pair of position and velocity arrays, "
            f"got {type(state).__name__}",
            "Pass state=(q, v), or use euler or rk4 for other states",
        )
    return state[0], state[1]


def euler(f: VectorField, state: PyTree, t: ArrayLike, dt: ArrayLike) -> PyTree:
    r"""One explicit (forward) Euler step: first order.

    .. math:: s_{n+1} = s_n + \Delta t\, f(t_n, s_n)

    Args:
        f: the vector field ``f(t, state) -> dstate/dt`` (a pytree like ``state``).
        state: the state at time ``t`` (any pytree of arrays).
        t: the current time.
        dt: the step size.

    Returns:
        The state at ``t + dt``.

    Example:
        >>> from diffprog.simulate import euler
        >>> float(euler(lambda t, y: -y, 1.0, 0.0, 0.1))
        0.9
    """
    return _axpy(dt, f(t, state), state)


def semi_implicit_euler(f: VectorField, state: PyTree, t: ArrayLike, dt: ArrayLike) -> PyTree:
    r"""One semi-implicit (symplectic) Euler step: first order, energy stays bounded.

    The velocity moves first and the position then uses the *new* velocity:

    .. math:: v_{n+1} = v_n + \Delta t\, a(t_n, q_n, v_n), \qquad
              q_{n+1} = q_n + \Delta t\, v_{n+1}

    On a conservative system this map is symplectic: it exactly conserves a
    slightly perturbed energy, so the true energy oscillates but never drifts.

    Args:
        f: the vector field ``f(t, (q, v)) -> (dq/dt, dv/dt)``, with ``dq/dt = v``.
        state: the pair ``(q, v)``.
        t: the current time.
        dt: the step size.

    Returns:
        The pair ``(q, v)`` at ``t + dt``.

    Raises:
        InputError: if ``state`` is not a pair ``(q, v)``.

    Example:
        >>> from diffprog.simulate import semi_implicit_euler
        >>> q, v = semi_implicit_euler(lambda t, s: (s[1], -s[0]), (1.0, 0.0), 0.0, 0.1)
        >>> round(float(q), 4), round(float(v), 4)
        (0.99, -0.1)

    References:
        Hairer, Lubich, Wanner, *Geometric Numerical Integration*, 2nd ed., Springer 2006, §I.1.
    """
    q, v = _split(state, "semi_implicit_euler")
    a = f(t, (q, v))[1]
    v1 = _axpy(dt, a, v)
    dq = f(t, (q, v1))[0]  # = v1 for a mechanical system; XLA drops the unused acceleration
    return (_axpy(dt, dq, q), v1)


def velocity_verlet(f: VectorField, state: PyTree, t: ArrayLike, dt: ArrayLike) -> PyTree:
    r"""One velocity Verlet (leapfrog) step: second order and symplectic.

    .. math:: v_{n+1/2} = v_n + \tfrac{\Delta t}{2} a(q_n), \quad
              q_{n+1} = q_n + \Delta t\, v_{n+1/2}, \quad
              v_{n+1} = v_{n+1/2} + \tfrac{\Delta t}{2} a(q_{n+1})

    Second order when the acceleration depends on position only. With
    velocity-dependent forces (damping, drag) the second kick evaluates the force
    at the half-step velocity, and the method drops to first order: use RK4 there.

    Args:
        f: the vector field ``f(t, (q, v)) -> (dq/dt, dv/dt)``, with ``dq/dt = v``.
        state: the pair ``(q, v)``.
        t: the current time.
        dt: the step size.

    Returns:
        The pair ``(q, v)`` at ``t + dt``.

    Raises:
        InputError: if ``state`` is not a pair ``(q, v)``.

    Example:
        >>> from diffprog.simulate import velocity_verlet
        >>> q, v = velocity_verlet(lambda t, s: (s[1], -s[0]), (1.0, 0.0), 0.0, 0.1)
        >>> round(float(q), 4), round(float(v), 4)
        (0.995, -0.0998)

    References:
        Verlet, Phys. Rev. 159, 98 (1967); Hairer, Lubich, Wanner, *Geometric Numerical
        Integration*, §I.1.4.
    """
    q, v = _split(state, "velocity_verlet")
    half = 0.5 * dt
    v_half = _axpy(half, f(t, (q, v))[1], v)
    q1 = _axpy(dt, v_half, q)
    v1 = _axpy(half, f(t + dt, (q1, v_half))[1], v_half)
    return (q1, v1)


def rk4(f: VectorField, state: PyTree, t: ArrayLike, dt: ArrayLike) -> PyTree:
    r"""One classical Runge–Kutta step: fourth order.

    .. math:: k_1 = f(t, s),\; k_2 = f(t + \tfrac{h}{2}, s + \tfrac{h}{2} k_1),\;
              k_3 = f(t + \tfrac{h}{2}, s + \tfrac{h}{2} k_2),\; k_4 = f(t + h, s + h k_3),
    .. math:: s_{n+1} = s_n + \tfrac{h}{6}(k_1 + 2k_2 + 2k_3 + k_4)

    Args:
        f: the vector field ``f(t, state) -> dstate/dt`` (a pytree like ``state``).
        state: the state at time ``t`` (any pytree of arrays).
        t: the current time.
        dt: the step size ``h``.

    Returns:
        The state at ``t + dt``.

    Example:
        >>> from diffprog.simulate import rk4
        >>> round(float(rk4(lambda t, y: -y, 1.0, 0.0, 0.1)), 6)  # exp(-0.1) = 0.904837...
        0.904837

    References:
        Hairer, Nørsett, Wanner, *Solving Ordinary Differential Equations I*, §II.1.
    """
    half = 0.5 * dt
    k1 = f(t, state)
    k2 = f(t + half, _axpy(half, k1, state))
    k3 = f(t + half, _axpy(half, k2, state))
    k4 = f(t + dt, _axpy(dt, k3, state))
    incr = jax.tree_util.tree_map(lambda a, b, c, d: (a + 2 * b + 2 * c + d) / 6, k1, k2, k3, k4)
    return _axpy(dt, incr, state)


#: The integrators by name: what ``make_step(f, method)`` binds ``f`` to.
INTEGRATORS: dict[str, Callable] = {
    "euler": euler,
    "semi_implicit_euler": semi_implicit_euler,
    "velocity_verlet": velocity_verlet,
    "rk4": rk4,
}
#: The ``method=`` strings :func:`make_step` accepts.
METHODS: tuple[str, ...] = tuple(INTEGRATORS)


def make_step(f: VectorField, method: str = "rk4") -> Callable[[PyTree, Any, Any], PyTree]:
    """Bind the vector field ``f`` to an integrator: ``step(state, t, dt) -> next state``.

    Args:
        f: the vector field ``f(t, state) -> dstate/dt``.
        method: one of ``METHODS``: ``"euler"``, ``"semi_implicit_euler"``,
            ``"velocity_verlet"``, ``"rk4"``.

    Returns:
        The step function that :func:`diffprog.simulate.rollout` iterates.

    Raises:
        InputError: if ``method`` is not one of those, or ``f`` is not a function of
            ``(t, state)``.

    Example:
        >>> from diffprog.simulate import make_step
        >>> step = make_step(lambda t, y: -y, "euler")
        >>> float(step(1.0, 0.0, 0.5))
        0.5
    """
    v.check_choice("make_step", "method", method, METHODS)
    v.check_arity("make_step", "f", f, 2, "t, state")
    return functools.partial(INTEGRATORS[method], f)
