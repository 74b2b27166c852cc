"""diffprog: differentiable programming, from limits to differentiable simulation.

A JAX tutorial course (``tutorials/``) and the small library it is built on. The
public API is re-exported here by name; each name lives in a module named after
its concept (see docs/ARCHITECTURE.md). Importing diffprog never imports
matplotlib, sympy, torch or tensorflow: plotting lives in ``diffprog.plotting``,
imported on demand.
"""

__version__ = "0.1.0"

# autodiff (the from-scratch engine is the subpackage diffprog.autodiff)
from . import autodiff as autodiff
from .check import GradCheckReport as GradCheckReport
from .check import GradientCheckError as GradientCheckError
from .check import LeafCheck as LeafCheck
from .check import check_grads as check_grads
from .check import hvp as hvp
from .check import jacobian as jacobian
from .check import jacobian_mode as jacobian_mode
from .check import per_example_grads as per_example_grads
from .explain import Trace as Trace
from .explain import explain as explain
from .precision import default_float as default_float
from .precision import eps as eps
from .precision import float64 as float64

__all__ = [
    "__version__",
    "default_float",
    "eps",
    "float64",
    # autodiff
    "GradCheckReport",
    "GradientCheckError",
    "LeafCheck",
    "Trace",
    "autodiff",
    "check_grads",
    "explain",
    "hvp",
    "jacobian",
    "jacobian_mode",
    "per_example_grads",
]
