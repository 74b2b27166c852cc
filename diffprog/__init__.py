"""diffprog: differentiable programming, from limits to differentiable simulation.

A JAX tutorial course (``tutorials/``) and the small library it is built on. The
public API is re-exported here by name; each name lives in a module named after
its concept (see docs/ARCHITECTURE.md). Importing diffprog never imports
matplotlib, sympy, torch or tensorflow: plotting lives in ``diffprog.plotting``,
imported on demand.
"""

__version__ = "0.1.0"

# numdiff
from .numdiff import DerivativeResult as DerivativeResult
from .numdiff import NonDifferentiableWarning as NonDifferentiableWarning
from .numdiff import backward_difference as backward_difference
from .numdiff import central_difference as central_difference
from .numdiff import derivative as derivative
from .numdiff import forward_difference as forward_difference
from .numdiff import gradient as numerical_gradient
from .numdiff import jacobian as numerical_jacobian
from .numdiff import secant as secant
from .precision import default_float as default_float
from .precision import eps as eps
from .precision import float64 as float64

# rules
from .rules import Diff as Diff

__all__ = [
    "__version__",
    "default_float",
    "eps",
    "float64",
    # numdiff
    "DerivativeResult",
    "NonDifferentiableWarning",
    "backward_difference",
    "central_difference",
    "derivative",
    "forward_difference",
    "numerical_gradient",
    "numerical_jacobian",
    "secant",
    # rules
    "Diff",
]
