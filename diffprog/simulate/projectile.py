"""A projectile with quadratic air drag, and a landing point that stays differentiable.

The simulation advances in fixed steps, so the ground is crossed *between* two
steps. Taking the first step below ground as the landing point would make it a
step function of the launch parameters (derivative zero almost everywhere).
Interpolating between the last state above ground and the first below (a cubic
Hermite interpolant through both positions and velocities) makes it continuous
and differentiable, with an O(dt⁴) error in the point and O(dt³) in its derivative.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .. import _validate as v
from .._result import result
from .._typing import ArrayLike
from ._state import as_float, mechanical
from .rollout import SimulationError, SimulationWarning

__all__ = ["Landing", "landing_point", "launch", "projectile"]


@result(static=("num_steps",))
class Landing:
    """Where and when a trajectory first crosses the ground, and whether it does.

    Attributes:
        x: the landing abscissa (NaN when ``landed`` is False).
        t: the landing time (NaN when ``landed`` is False).
        landed: the verdict: whether the trajectory crosses the ground (a bool array,
            readable under ``jax.jit``/``jax.vmap``).
        num_steps: the number of steps of the trajectory (for messages).
    """

    x: jax.Array
    t: jax.Array
    landed: jax.Array
    num_steps: int = 0

    @property
    def ok(self) -> jax.Array:
        """Whether the projectile landed (a bool array: ``bool(result.ok)`` outside jit)."""
        return jnp.asarray(self.landed)

    def raise_if_failed(self) -> Landing:
        """Raise :class:`SimulationError` if the projectile never landed; else return self.

        Raises:
            SimulationError: the trajectory never crosses the ground: simulate more steps.
            InputError: called on traced values (inside ``jax.jit``): read ``landed``.
        """
        if v.is_tracer(self.landed):
            raise v.fail(
                "landing_point result.raise_if_failed",
                "needs concrete values, but the result is traced (inside jit or vmap)",
                "Read result.landed instead",
            )
        if not bool(jnp.all(self.landed)):
            raise SimulationError(_never_landed(self.num_steps))
        return self


def _never_landed(num_steps: int) -> str:
    return (
        f"landing_point: the projectile never reached the ground in {num_steps} steps "
        "(x and t are NaN): simulate more steps"
    )


def projectile(drag: ArrayLike = 0.0, gravity: ArrayLike = 9.81) -> Callable:
    r"""A point mass in 2-D under gravity and quadratic air drag.

    .. math:: \ddot{\mathbf r} = -g\,\hat{\mathbf y}
        - k\,\lVert\dot{\mathbf r}\rVert\,\dot{\mathbf r},
        \qquad k = \frac{\rho\, C_d A}{2m}\ \text{(per metre)}

    Args:
        drag: the drag coefficient :math:`k \ge 0` (1/m); 0 is the vacuum parabola.
        gravity: :math:`g`.

    Returns:
        The vector field ``f(t, (position, velocity))``, both of shape ``(2,)`` (x, height).

    Raises:
        InputError: (when called) if position or velocity is not of shape ``(2,)``.

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog.simulate import projectile
        >>> f = projectile(drag=0.1)
        >>> vel, acc = f(0.0, (jnp.zeros(2), jnp.array([3.0, 4.0])))  # speed 5
        >>> [round(float(a), 2) for a in acc]
        [-1.5, -11.81]
    """

    def f(t, state):
        pos, vel = mechanical(state, "projectile", shape=(2,))
        # sqrt(|v|^2 + tiny): the same speed, but a finite gradient at v = 0.
        speed = jnp.sqrt(jnp.sum(jnp.square(vel)) + jnp.finfo(vel.dtype).tiny)
        acc = jnp.negative(drag) * speed * vel + jnp.array([0.0, -1.0], vel.dtype) * gravity
        return (vel, acc)

    return f


def launch(
    speed: Float[ArrayLike, "*batch"],
    angle: Float[ArrayLike, "*batch"],
    height: Float[ArrayLike, ""] = 0.0,
) -> tuple[Float[Array, " 2 *batch"], Float[Array, " 2 *batch"]]:
    r"""The state of a projectile launched from ``(0, height)`` at ``speed`` and ``angle``.

    Args:
        speed: the launch speed (m/s).
        angle: the elevation above the horizontal, in radians.
        height: the launch height (m).

    Returns:
        ``(position, velocity)`` = ``((0, h), (s cos a, s sin a))``.

    Example:
        >>> import math
        >>> from diffprog.simulate import launch
        >>> pos, vel = launch(2.0, math.pi / 6)
        >>> [round(float(v), 3) for v in vel]
        [1.732, 1.0]
    """
    speed, angle = jnp.broadcast_arrays(as_float(speed), as_float(angle))
    pos = jnp.stack(
        [jnp.zeros_like(speed), jnp.broadcast_to(jnp.asarray(height, speed.dtype), speed.shape)]
    )
    return (pos, jnp.stack([speed * jnp.cos(angle), speed * jnp.sin(angle)]))


def landing_point(
    trajectory: tuple[Float[ArrayLike, "T+1 2"], Float[ArrayLike, "T+1 2"]],
    dt: Float[ArrayLike, ""],
    t0: Float[ArrayLike, ""] = 0.0,
) -> Landing:
    r"""Where and when a projectile's trajectory first crosses the ground (height 0).

    With :math:`k` the last step at or above ground (:math:`y_k \ge 0 > y_{k+1}`),
    the path on :math:`[t_k, t_{k+1}]` is the cubic Hermite interpolant
    :math:`\mathbf p(s)` through both positions with both velocities
    (:math:`s \in [0, 1]`); :math:`s^*` solves :math:`p_y(s^*) = 0` (Newton from the
    linear guess :math:`y_k / (y_k - y_{k+1})`), and

    .. math:: x^* = p_x(s^*), \qquad t^* = t_0 + (k + s^*)\,\Delta t

    :math:`x^*` is a continuous, differentiable function of the launch parameters
    (when :math:`k` changes, :math:`s^*` passes from 1 to 0 of the next step, the same
    point), so ``jax.grad`` of a loss on the landing point is meaningful.

    Args:
        trajectory: ``(positions (T+1, 2), velocities (T+1, 2))`` from
            ``rollout(..., trajectory=True)``.
        dt: the step size of the rollout.
        t0: the rollout's initial time.

    Returns:
        :class:`Landing`: ``x`` and ``t``, the landing abscissa and time, and the verdict
        ``landed`` (``result.ok``). A trajectory that never crosses the ground gives
        ``landed`` False and NaN for ``x`` and ``t``, inside ``jit`` and out;
        ``result.raise_if_failed()`` raises :class:`SimulationError` then.

    Raises:
        InputError: if ``trajectory`` is not a projectile trajectory.

    Warns:
        SimulationWarning: (concrete values) the trajectory never crosses the ground:
            simulate longer (more steps).

    Example:
        >>> import jax.numpy as jnp
        >>> from diffprog.simulate import landing_point
        >>> t = jnp.linspace(0.0, 2.5, 6)                 # y = t (2 - t) lands at t = 2
        >>> traj = (jnp.stack([t, t * (2 - t)], 1), jnp.stack([jnp.ones(6), 2 - 2 * t], 1))
        >>> land = landing_point(traj, dt=0.5)
        >>> round(float(land.x), 4), round(float(land.t), 4), bool(land.ok)
        (2.0, 2.0, True)
    """
    pos, _ = mechanical(trajectory, "landing_point")
    if pos.ndim != 2 or pos.shape[1] != 2 or pos.shape[0] < 2:
        raise v.fail(
            "landing_point",
            f"needs a projectile trajectory with positions of shape (T+1, 2), T >= 1; "
            f"got {pos.shape}",
            "Roll out with trajectory=True",
        )
    vel = jnp.asarray(trajectory[1])
    y = pos[:, 1]
    crossing = (y[:-1] >= 0) & (y[1:] < 0)
    landed = jnp.any(crossing)
    k = jnp.argmax(crossing)
    p0, p1, v0, v1 = pos[k], pos[k + 1], vel[k] * dt, vel[k + 1] * dt
    # The linear guess, then Newton on the cubic Hermite interpolant of the height.
    s = jnp.clip(p0[1] / jnp.where(landed, p0[1] - p1[1], 1.0), 0.0, 1.0)
    for _ in range(4):
        value, slope = _hermite(s, p0[1], v0[1], p1[1], v1[1])
        s = jnp.clip(s - value / jnp.where(slope == 0, -1.0, slope), 0.0, 1.0)
    x_land = _hermite(s, p0[0], v0[0], p1[0], v1[0])[0]
    t_land = t0 + (k + s) * dt
    nan = jnp.full_like(x_land, jnp.nan)
    num_steps = pos.shape[0] - 1
    out = Landing(jnp.where(landed, x_land, nan), jnp.where(landed, t_land, nan), landed, num_steps)
    if not v.is_tracer(landed) and not bool(landed):
        warnings.warn(
            f"{_never_landed(num_steps)} (final height {float(y[-1]):.4g}; result.ok is False)",
            SimulationWarning,
            stacklevel=2,
        )
    return out


def _hermite(s, y0, m0, y1, m1):
    """The cubic Hermite interpolant on [0, 1] (values y, slopes m) and its derivative at s."""
    s2, s3 = s * s, s * s * s
    value = (
        (2 * s3 - 3 * s2 + 1) * y0
        + (s3 - 2 * s2 + s) * m0
        + (-2 * s3 + 3 * s2) * y1
        + (s3 - s2) * m1
    )
    slope = (
        (6 * s2 - 6 * s) * y0
        + (3 * s2 - 4 * s + 1) * m0
        + (-6 * s2 + 6 * s) * y1
        + (3 * s2 - 2 * s) * m1
    )
    return value, slope
