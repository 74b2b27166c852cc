"""diffprog: differentiable programming, from limits to differentiable simulation.

A JAX tutorial course (``tutorials/``) and the small library it is built on. The
public API is re-exported here by name; each name lives in a module named after
its concept (see docs/ARCHITECTURE.md). Importing diffprog never imports
matplotlib, sympy, torch or tensorflow: plotting lives in ``diffprog.plotting``,
imported on demand.
"""

__version__ = "0.1.0"

# autodiff
from . import autodiff as autodiff

# simulate
from . import simulate as simulate

# progress
from ._progress import progress as progress

# errors: bad input, one type everywhere
from ._validate import InputError as InputError
from .check import GradCheckReport as GradCheckReport
from .check import GradientCheckError as GradientCheckError
from .check import LeafCheck as LeafCheck

# check
from .check import check_grads as check_grads
from .check import hvp as hvp
from .check import jacobian as jacobian
from .check import jacobian_mode as jacobian_mode
from .check import per_example_grads as per_example_grads

# costs
from .costs import bce_with_logits as bce_with_logits
from .costs import bce_with_logits_grad as bce_with_logits_grad
from .costs import huber as huber
from .costs import huber_grad as huber_grad
from .costs import linear_mse_value_and_grad as linear_mse_value_and_grad
from .costs import mae as mae
from .costs import mae_grad as mae_grad
from .costs import mse as mse
from .costs import mse_grad as mse_grad
from .costs import softmax_cross_entropy as softmax_cross_entropy
from .costs import softmax_cross_entropy_grad as softmax_cross_entropy_grad

# exhaustion
from .exhaustion import archimedes_bounds as archimedes_bounds
from .exhaustion import polygon_area as polygon_area
from .exhaustion import riemann_sum as riemann_sum
from .explain import Trace as Trace

# explain
from .explain import explain as explain
from .limits import LimitResult as LimitResult

# limits
from .limits import limit as limit

# models
from .models import linear as linear
from .models import logistic as logistic
from .models import polynomial as polynomial
from .numdiff import DerivativeResult as DerivativeResult
from .numdiff import InaccurateDerivativeWarning as InaccurateDerivativeWarning
from .numdiff import NonDifferentiableWarning as NonDifferentiableWarning
from .numdiff import NumericalResult as NumericalResult

# numdiff
from .numdiff import backward_difference as backward_difference
from .numdiff import central_difference as central_difference
from .numdiff import derivative as derivative
from .numdiff import forward_difference as forward_difference
from .numdiff import numerical_gradient as numerical_gradient
from .numdiff import numerical_hessian as numerical_hessian
from .numdiff import numerical_jacobian as numerical_jacobian
from .numdiff import secant as secant

# optimize
from .optimize import DivergenceError as DivergenceError
from .optimize import DivergenceWarning as DivergenceWarning
from .optimize import LeastSquares as LeastSquares
from .optimize import OptResult as OptResult
from .optimize import fit as fit
from .optimize import gradient_descent as gradient_descent
from .optimize import least_squares as least_squares

# parallel
from .parallel import data_parallel_step as data_parallel_step
from .parallel import data_parallel_value_and_grad as data_parallel_value_and_grad
from .parallel import make_mesh as make_mesh
from .parallel import replicate as replicate
from .parallel import shard_batch as shard_batch

# precision
from .precision import default_float as default_float
from .precision import eps as eps
from .precision import float64 as float64

# rules
from .rules import Diff as Diff
from .simulate import SimulationError as SimulationError
from .simulate import SimulationWarning as SimulationWarning
from .simulate import make_step as make_step
from .simulate import rollout as rollout

__all__ = [
    "__version__",
    # autodiff
    "autodiff",
    # check
    "check_grads",
    "GradCheckReport",
    "GradientCheckError",
    "hvp",
    "jacobian",
    "jacobian_mode",
    "LeafCheck",
    "per_example_grads",
    # costs
    "bce_with_logits",
    "bce_with_logits_grad",
    "huber",
    "huber_grad",
    "linear_mse_value_and_grad",
    "mae",
    "mae_grad",
    "mse",
    "mse_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    # exhaustion
    "archimedes_bounds",
    "polygon_area",
    "riemann_sum",
    # explain
    "explain",
    "Trace",
    # limits
    "limit",
    "LimitResult",
    # models
    "linear",
    "logistic",
    "polynomial",
    # numdiff
    "backward_difference",
    "central_difference",
    "derivative",
    "DerivativeResult",
    "forward_difference",
    "InaccurateDerivativeWarning",
    "numerical_gradient",
    "numerical_hessian",
    "numerical_jacobian",
    "NonDifferentiableWarning",
    "NumericalResult",
    "secant",
    # optimize
    "DivergenceError",
    "DivergenceWarning",
    "fit",
    "gradient_descent",
    "least_squares",
    "LeastSquares",
    "OptResult",
    # parallel
    "data_parallel_step",
    "data_parallel_value_and_grad",
    "make_mesh",
    "replicate",
    "shard_batch",
    # errors
    "InputError",
    # precision
    "default_float",
    "eps",
    "float64",
    # progress
    "progress",
    # rules
    "Diff",
    # simulate
    "simulate",
    "make_step",
    "rollout",
    "SimulationError",
    "SimulationWarning",
]
