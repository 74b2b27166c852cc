"""diffprog: differentiable programming, from limits to differentiable simulation.

The library a JAX tutorial course (``tutorials/``) is built on. Every public name lives in a
module named after its concept (docs/ARCHITECTURE.md) and is re-exported here, by the one table
below: ``_PUBLIC`` maps each module to the names ``import diffprog`` gives, and ``__all__`` is
made from it. ``autodiff`` and ``simulate`` are public as namespaces (``diffprog.autodiff.grad``).

``import diffprog`` imports jax and numpy only: never matplotlib, sympy, torch, tensorflow, tqdm
or optax (each is imported by the call that needs it). The course's own helpers (exercises,
figures) are a separate package, ``diffprog_course``, installed with the library.
"""

from __future__ import annotations

import importlib as _importlib

__version__ = "0.1.0"

# module -> the names `import diffprog` re-exports from it, in course order.
_PUBLIC: dict[str, tuple[str, ...]] = {
    "precision": ("default_float", "eps", "float64"),
    "_validate": ("InputError",),
    "_progress": ("progress",),
    "limits": ("limit", "LimitResult"),
    "exhaustion": ("archimedes_bounds", "polygon_area", "riemann_sum"),
    "numdiff": (
        "backward_difference",
        "central_difference",
        "derivative",
        "DerivativeResult",
        "forward_difference",
        "InaccurateDerivativeWarning",
        "NonDifferentiableWarning",
        "numerical_gradient",
        "numerical_hessian",
        "numerical_jacobian",
        "NumericalResult",
        "secant",
    ),
    "rules": ("Diff",),
    "costs": (
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
    ),
    "models": ("linear", "logistic", "polynomial"),
    "optimize": ("DivergenceError", "fit", "gradient_descent", "least_squares", "OptResult"),
    "explain": ("explain", "Trace"),
    "check": (
        "check_grads",
        "GradCheckReport",
        "GradientCheckError",
        "hvp",
        "jacobian",
        "jacobian_mode",
        "LeafCheck",
        "per_example_grads",
    ),
    "simulate": ("make_step", "rollout", "SimulationError"),
    "parallel": (
        "data_parallel_step",
        "data_parallel_value_and_grad",
        "make_mesh",
        "replicate",
        "shard_batch",
    ),
}

# subpackages public as namespaces: diffprog.autodiff.grad, diffprog.simulate.pendulum
_NAMESPACES: tuple[str, ...] = ("autodiff", "simulate")


def _export() -> list[str]:
    """Import each module of ``_PUBLIC`` and bind its names here; the names, in table order."""
    names: list[str] = [*_NAMESPACES]
    for name in _NAMESPACES:
        globals()[name] = _importlib.import_module(f"{__name__}.{name}")
    for module, public in _PUBLIC.items():
        mod = _importlib.import_module(f"{__name__}.{module}")
        for name in public:
            globals()[name] = getattr(mod, name)
        names += public
    return names


__all__ = ["__version__", *_export()]
