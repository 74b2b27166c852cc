"""diffprog: differentiable programming, from limits to differentiable simulation.

A JAX tutorial course (``tutorials/``) and the small library it is built on. The
public API is re-exported here by name; each name lives in a module named after
its concept (see docs/ARCHITECTURE.md). Importing diffprog never imports
matplotlib, sympy, torch or tensorflow: plotting lives in ``diffprog.plotting``,
imported on demand.
"""

__version__ = "0.1.0"

# parallel
from .parallel import data_parallel_step as data_parallel_step
from .parallel import data_parallel_value_and_grad as data_parallel_value_and_grad
from .parallel import make_mesh as make_mesh
from .parallel import replicate as replicate
from .parallel import shard_batch as shard_batch
from .precision import default_float as default_float
from .precision import eps as eps
from .precision import float64 as float64

__all__ = [
    "__version__",
    "default_float",
    "eps",
    "float64",
    # parallel
    "data_parallel_step",
    "data_parallel_value_and_grad",
    "make_mesh",
    "replicate",
    "shard_batch",
]
