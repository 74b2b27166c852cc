"""Oscillators: a mass–spring–damper, a pendulum and a (chaotic) double pendulum.

Each system is a factory: ``spring(stiffness, damping)`` returns the vector field
``f(t, (q, v)) -> (dq/dt, dv/dt)`` with its parameters closed over, so that a loss
written as a function of the parameters differentiates through them. Energies are
given for checking integrators (a symplectic one keeps them bounded).
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from .._typing import ArrayLike, PyTree
from ._state import mechanical

__all__ = [
    "double_pendulum",
    "double_pendulum_energy",
    "pendulum",
    "pendulum_energy",
    "spring",
    "spring_energy",
]

VectorField = Callable[[ArrayLike, PyTree], PyTree]


def _positive(system: str, **values: ArrayLike) -> None:
    """Concrete physical constants that must be > 0 (a mass, a length): a clear error if not."""
    from .._validate import fail, is_tracer

    for name, value in values.items():
        if is_tracer(value):
            continue
        arr = np.asarray(value)
        if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
            raise fail(system, f"{name} must be a real number, got {type(value).__name__}")
        if not np.all(np.isfinite(arr) & (arr > 0)):
            raise fail(
                system,
                f"{name} must be finite and > 0, got {value!r}",
                f"Pass a positive {name}, e.g. {name}=1.0",
            )


def spring(stiffness: ArrayLike, damping: ArrayLike = 0.0, mass: ArrayLike = 1.0) -> VectorField:
    r"""A mass–spring–damper: :math:`m\ddot x = -k x - c\dot x`.

    Works for any shape of ``x`` (independent springs, one per entry).

    Args:
        stiffness: the spring constant :math:`k > 0`.
        damping: the damping coefficient :math:`c \ge 0`.
        mass: the mass :math:`m > 0`.

    Returns:
        The vector field ``f(t, (x, v)) = (v, -(k x + c v) / m)``.

    Example:
        >>> from diffprog.simulate import spring
        >>> f = spring(4.0, 0.5)
        >>> [float(a) for a in f(0.0, (1.0, 2.0))]
        [2.0, -5.0]
    """
    _positive("spring", mass=mass)

    def f(t, state):
        x, v = mechanical(state, "spring")
        return (v, -(stiffness * x + damping * v) / mass)

    return f


def spring_energy(state: PyTree, stiffness: ArrayLike, mass: ArrayLike = 1.0) -> jax.Array:
    r"""The spring's energy :math:`\tfrac12 m v^2 + \tfrac12 k x^2` (summed over entries).

    For a trajectory, map it over time: ``jax.vmap(lambda s: spring_energy(s, k))(traj)``.

    Example:
        >>> from diffprog.simulate import spring_energy
        >>> float(spring_energy((1.0, 2.0), stiffness=4.0))
        4.0
    """
    x, v = mechanical(state, "spring_energy")
    return jnp.sum(0.5 * mass * jnp.square(v) + 0.5 * stiffness * jnp.square(x))


def pendulum(
    length: ArrayLike = 1.0, gravity: ArrayLike = 9.81, damping: ArrayLike = 0.0
) -> VectorField:
    r"""A simple pendulum: :math:`\ddot\theta = -\tfrac{g}{L}\sin\theta - c\,\dot\theta`.

    Args:
        length: the rod's length :math:`L`.
        gravity: :math:`g`.
        damping: the damping rate :math:`c \ge 0` (per second).

    Returns:
        The vector field ``f(t, (theta, omega))``.

    Example:
        >>> import math
        >>> from diffprog.simulate import pendulum
        >>> f = pendulum(length=1.0, gravity=9.81)
        >>> round(float(f(0.0, (math.pi / 2, 0.0))[1]), 2)
        -9.81
    """
    _positive("pendulum", length=length)

    def f(t, state):
        theta, omega = mechanical(state, "pendulum")
        return (omega, -(gravity / length) * jnp.sin(theta) - damping * omega)

    return f


def pendulum_energy(state: PyTree, length: ArrayLike = 1.0, gravity: ArrayLike = 9.81) -> jax.Array:
    r"""The pendulum's energy per unit mass: :math:`\tfrac12 L^2\omega^2 + gL(1 - \cos\theta)`.

    Example:
        >>> from diffprog.simulate import pendulum_energy
        >>> float(pendulum_energy((0.0, 2.0), length=1.0))
        2.0
    """
    theta, omega = mechanical(state, "pendulum_energy")
    length, gravity = jnp.asarray(length), jnp.asarray(gravity)
    return 0.5 * length**2 * jnp.square(omega) + gravity * length * (1.0 - jnp.cos(theta))


def double_pendulum(
    m1: ArrayLike = 1.0,
    m2: ArrayLike = 1.0,
    l1: ArrayLike = 1.0,
    l2: ArrayLike = 1.0,
    gravity: ArrayLike = 9.81,
    damping: ArrayLike = 0.0,
) -> VectorField:
    r"""A double pendulum (two point masses on rigid massless rods): chaotic.

    With :math:`\delta = \theta_1 - \theta_2` and
    :math:`D = 2m_1 + m_2 - m_2\cos 2\delta`, the Euler–Lagrange equations give

    .. math::
        \ddot\theta_1 = \frac{-g(2m_1+m_2)\sin\theta_1 - m_2 g\sin(\theta_1 - 2\theta_2)
            - 2\sin\delta\, m_2(\omega_2^2 l_2 + \omega_1^2 l_1\cos\delta)}{l_1 D}

        \ddot\theta_2 = \frac{2\sin\delta\,(\omega_1^2 l_1(m_1+m_2) + g(m_1+m_2)\cos\theta_1
            + \omega_2^2 l_2 m_2\cos\delta)}{l_2 D}

    minus ``damping * omega`` on each angle.

    Args:
        m1, m2: the masses.
        l1, l2: the rods' lengths.
        gravity: :math:`g`.
        damping: a damping rate on each angle (per second).

    Returns:
        The vector field ``f(t, (theta, omega))`` with ``theta, omega`` of shape ``(2,)``.

    Raises:
        InputError: (when called) if the state's arrays are not of shape ``(2,)``.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog.simulate import double_pendulum
        >>> f = double_pendulum()
        >>> omega, alpha = f(0.0, (jnp.zeros(2), jnp.zeros(2)))  # hanging at rest stays at rest
        >>> [float(a) for a in alpha]
        [0.0, 0.0]
    """
    _positive("double_pendulum", m1=m1, m2=m2, l1=l1, l2=l2)

    def f(t, state):
        theta, omega = mechanical(state, "double_pendulum", shape=(2,))
        t1, t2 = theta[0], theta[1]
        w1, w2 = omega[0], omega[1]
        d = t1 - t2
        den = 2 * m1 + m2 - m2 * jnp.cos(2 * d)
        a1 = (
            jnp.negative(gravity) * (2 * m1 + m2) * jnp.sin(t1)
            - m2 * gravity * jnp.sin(t1 - 2 * t2)
            - 2 * jnp.sin(d) * m2 * (w2**2 * l2 + w1**2 * l1 * jnp.cos(d))
        ) / (l1 * den)
        a2 = (
            2
            * jnp.sin(d)
            * (
                w1**2 * l1 * (m1 + m2)
                + gravity * (m1 + m2) * jnp.cos(t1)
                + w2**2 * l2 * m2 * jnp.cos(d)
            )
        ) / (l2 * den)
        return (omega, jnp.stack([a1, a2]) - damping * omega)

    return f


def double_pendulum_energy(
    state: PyTree,
    m1: ArrayLike = 1.0,
    m2: ArrayLike = 1.0,
    l1: ArrayLike = 1.0,
    l2: ArrayLike = 1.0,
    gravity: ArrayLike = 9.81,
) -> jax.Array:
    r"""The double pendulum's energy :math:`T + V`.

    .. math:: T = \tfrac12 (m_1 + m_2) l_1^2\omega_1^2 + \tfrac12 m_2 l_2^2\omega_2^2
              + m_2 l_1 l_2\omega_1\omega_2\cos(\theta_1 - \theta_2),
    .. math:: V = -(m_1 + m_2) g l_1\cos\theta_1 - m_2 g l_2\cos\theta_2

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog.simulate import double_pendulum_energy
        >>> round(float(double_pendulum_energy((jnp.zeros(2), jnp.zeros(2)))), 2)  # -3 g
        -29.43
    """
    theta, omega = mechanical(state, "double_pendulum_energy", shape=(2,))
    t1, t2 = theta[0], theta[1]
    w1, w2 = omega[0], omega[1]
    kinetic = (
        0.5 * (m1 + m2) * l1**2 * w1**2
        + 0.5 * m2 * l2**2 * w2**2
        + m2 * l1 * l2 * w1 * w2 * jnp.cos(t1 - t2)
    )
    potential = jnp.negative(m1 + m2) * gravity * l1 * jnp.cos(t1) - m2 * gravity * l2 * jnp.cos(t2)
    return kinetic + potential
