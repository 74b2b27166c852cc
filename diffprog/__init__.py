"""diffprog: differentiable programming, from limits to differentiable simulation.

A JAX tutorial course (``tutorials/``) and the small library it is built on. The
public API is re-exported here by name; each name lives in a module named after
its concept (see docs/ARCHITECTURE.md). Importing diffprog never imports
matplotlib, sympy, torch or tensorflow: plotting lives in ``diffprog.plotting``,
imported on demand.
"""

__version__ = "0.1.0"

# exhaustion
from .exhaustion import archimedes_bounds as archimedes_bounds
from .exhaustion import polygon_area as polygon_area
from .exhaustion import riemann_sum as riemann_sum

# limits
from .limits import LimitResult as LimitResult
from .limits import limit as limit

# precision
from .precision import default_float as default_float
from .precision import eps as eps
from .precision import float64 as float64

__all__ = [
    "__version__",
    "LimitResult",
    "archimedes_bounds",
    "limit",
    "polygon_area",
    "riemann_sum",
    "default_float",
    "eps",
    "float64",
]
