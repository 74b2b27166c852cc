"""Differentiable simulation: integrators, rollouts through ``lax.scan``, physical systems.

Integrators are pure step functions ``step(f, state, t, dt)``
(:func:`euler`, :func:`semi_implicit_euler`, :func:`velocity_verlet`, :func:`rk4`);
:func:`make_step` binds a vector field to one; :func:`rollout` iterates it (with
optional √T checkpointing) so that ``jax.grad`` differentiates a whole simulation.
Systems are factories of vector fields: :func:`spring`, :func:`pendulum`,
:func:`double_pendulum`, :func:`projectile` (with :func:`launch` and a
differentiable :func:`landing_point`, a :class:`Landing` result).
Failures follow the package's convention: bad input raises ``InputError``; a non-finite
state or a missing landing is a verdict (:func:`first_nonfinite`, ``Landing.ok``) plus a
:class:`SimulationWarning` when values are concrete.
"""

from .diagnostics import CompiledMemory as CompiledMemory
from .diagnostics import compiled_memory as compiled_memory
from .diagnostics import gradient_norm_vs_horizon as gradient_norm_vs_horizon
from .integrators import INTEGRATORS as INTEGRATORS
from .integrators import METHODS as METHODS
from .integrators import euler as euler
from .integrators import make_step as make_step
from .integrators import rk4 as rk4
from .integrators import semi_implicit_euler as semi_implicit_euler
from .integrators import velocity_verlet as velocity_verlet
from .oscillators import double_pendulum as double_pendulum
from .oscillators import double_pendulum_energy as double_pendulum_energy
from .oscillators import pendulum as pendulum
from .oscillators import pendulum_energy as pendulum_energy
from .oscillators import spring as spring
from .oscillators import spring_energy as spring_energy
from .projectile import Landing as Landing
from .projectile import landing_point as landing_point
from .projectile import launch as launch
from .projectile import projectile as projectile
from .rollout import SimulationError as SimulationError
from .rollout import SimulationWarning as SimulationWarning
from .rollout import first_nonfinite as first_nonfinite
from .rollout import rollout as rollout

__all__ = [
    "INTEGRATORS",
    "METHODS",
    "CompiledMemory",
    "Landing",
    "SimulationError",
    "SimulationWarning",
    "compiled_memory",
    "double_pendulum",
    "double_pendulum_energy",
    "euler",
    "first_nonfinite",
    "gradient_norm_vs_horizon",
    "landing_point",
    "launch",
    "make_step",
    "pendulum",
    "pendulum_energy",
    "projectile",
    "rk4",
    "rollout",
    "semi_implicit_euler",
    "spring",
    "spring_energy",
    "velocity_verlet",
]
