"""diffprog: differentiable programming, from limits to differentiable simulation.

A JAX tutorial course (``tutorials/``) and the small library it is built on. The
public API is re-exported here by name; each name lives in a module named after
its concept (see docs/ARCHITECTURE.md). Importing diffprog never imports
matplotlib, sympy, torch or tensorflow: plotting lives in ``diffprog.plotting``,
imported on demand.
"""

__version__ = "0.1.0"

# simulate
from . import simulate as simulate
from .precision import default_float as default_float
from .precision import eps as eps
from .precision import float64 as float64
from .simulate import SimulationError as SimulationError
from .simulate import make_step as make_step
from .simulate import rollout as rollout

__all__ = [
    "__version__",
    "default_float",
    "eps",
    "float64",
    # simulate
    "SimulationError",
    "make_step",
    "rollout",
    "simulate",
]
