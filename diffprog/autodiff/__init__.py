"""A from-scratch automatic differentiation engine, for teaching.

Split by concept, as HIPS autograd is:

- :mod:`.primitives` -- the operations, their values, and dispatch (:func:`bind`);
- :mod:`.jvp_rules` / :mod:`.vjp_rules` -- the derivative rules, as data, one per primitive;
- :mod:`.forward` -- forward mode with dual numbers (:class:`Dual`, :func:`jvp`);
- :mod:`.reverse` -- reverse mode with a recorded graph and a backward sweep
  (:class:`Node`, :func:`vjp`, :func:`grad`).

It differentiates scalar functions of scalar arguments (Python or numpy floats)
built from ``+ - * / **`` and :func:`exp`, :func:`log`, :func:`sin`, :func:`cos`,
:func:`tanh`, :func:`sqrt`, :func:`sigmoid`, :func:`abs`. It is tested against
``jax.grad``; for real work, use jax.

Derivative calls nest, in any combination (``grad(grad(f))``, ``deriv(grad(f))``,
a derivative taken inside the function being differentiated): every call tags its boxes
with a level of its own, so the perturbations of different calls are never confused.
Operations outside their domain (``log(0.0)``, ``1.0 / 0.0``, ``sqrt(-1.0)``) raise
:class:`DomainError`, and bad arguments raise :class:`~diffprog._validate.InputError`.

Example:
    >>> from diffprog import autodiff as ad
    >>> f = lambda x1, x2: ad.log(x1) + x1 * x2 - ad.sin(x2)
    >>> [round(float(g), 3) for g in ad.grad(f, argnums=(0, 1))(2.0, 5.0)]
    [5.5, 1.716]
    >>> ad.deriv(lambda x: x * ad.deriv(lambda y: x * y)(2.0))(1.0)  # d(x^2)/dx
    2.0
"""

from .forward import Dual as Dual
from .forward import deriv as deriv
from .forward import derivative as derivative
from .forward import grad_fwd as grad_fwd
from .forward import jvp as jvp
from .jvp_rules import JVPS as JVPS
from .primitives import DOMAINS as DOMAINS
from .primitives import IMPLS as IMPLS
from .primitives import DomainError as DomainError
from .primitives import abs as abs
from .primitives import bind as bind
from .primitives import cos as cos
from .primitives import exp as exp
from .primitives import log as log
from .primitives import pow as pow
from .primitives import sigmoid as sigmoid
from .primitives import sin as sin
from .primitives import sqrt as sqrt
from .primitives import tanh as tanh
from .reverse import Node as Node
from .reverse import backward as backward
from .reverse import grad as grad
from .reverse import toposort as toposort
from .reverse import value_and_grad as value_and_grad
from .reverse import vjp as vjp
from .vjp_rules import VJPS as VJPS

__all__ = [
    "DOMAINS",
    "IMPLS",
    "JVPS",
    "VJPS",
    "DomainError",
    "Dual",
    "Node",
    "abs",
    "backward",
    "bind",
    "cos",
    "deriv",
    "derivative",
    "exp",
    "grad",
    "grad_fwd",
    "jvp",
    "log",
    "pow",
    "sigmoid",
    "sin",
    "sqrt",
    "tanh",
    "toposort",
    "value_and_grad",
    "vjp",
]
