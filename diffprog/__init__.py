"""diffprog: differentiable programming, from limits to differentiable simulation.

The library a JAX tutorial course (``tutorials/``) is built on. Every public name lives in a
module named after its concept (docs/ARCHITECTURE.md) and is re-exported here by the import
lines below, the one list of the public API: ``__all__`` is made from what they bind (every
name here not starting with ``_``, and the subpackages ``autodiff`` and ``simulate``, public as
namespaces: ``diffprog.autodiff.grad``). tests/test_api.py checks that the two agree.

``import diffprog`` imports jax and numpy only: never matplotlib, sympy, torch, tensorflow, tqdm
or optax (each is imported by the call that needs it). The course's own helpers (exercises,
figures) are a separate package, ``diffprog_course``, installed with the library.
"""

import types as _types

from . import autodiff, simulate
from ._progress import progress
from ._validate import InputError
from .costs import (
    bce_with_logits,
    bce_with_logits_grad,
    huber,
    huber_grad,
    linear_mse_value_and_grad,
    mae,
    mae_grad,
    mse,
    mse_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)
from .exhaustion import archimedes_bounds, polygon_area, riemann_sum
from .explain import Trace, explain
from .gradcheck import (
    GradCheckReport,
    GradientCheckError,
    LeafCheck,
    check_grads,
    hvp,
    jacobian,
    jacobian_mode,
    per_example_grads,
)
from .limits import LimitError, LimitResult, limit
from .models import linear, logistic, polynomial
from .numdiff import (
    DerivativeError,
    DerivativeResult,
    InaccurateDerivativeWarning,
    NonDifferentiableWarning,
    NumericalResult,
    Secant,
    backward_difference,
    central_difference,
    derivative,
    forward_difference,
    numerical_gradient,
    numerical_hessian,
    numerical_jacobian,
    secant,
)
from .optimize import (
    DivergenceError,
    DivergenceWarning,
    LeastSquares,
    OptResult,
    fit,
    gradient_descent,
    least_squares,
)
from .parallel import (
    data_parallel_step,
    data_parallel_value_and_grad,
    make_mesh,
    replicate,
    shard_batch,
)
from .precision import default_float, eps, float64
from .rules import Diff
from .simulate import SimulationError, SimulationWarning, make_step, rollout

__version__ = "0.1.0"


_NAMESPACES = ("autodiff", "simulate")  # the subpackages public as namespaces


def _public_names(namespace: dict[str, object]) -> list[str]:
    """The names this module binds for users: not ``_``-prefixed, and modules only when they
    are the public namespaces (``limits`` or ``rules``, bound as a side effect of importing from
    them, are not)."""
    return [
        name
        for name, value in namespace.items()
        if not name.startswith("_")
        and (not isinstance(value, _types.ModuleType) or name in _NAMESPACES)
    ]


__all__ = ["__version__", *_public_names(globals())]
