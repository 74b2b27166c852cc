"""Forward mode: dual numbers.

A dual number :math:`x + \\dot x\\,\\xi` carries a value :math:`x` and a tangent
:math:`\\dot x`. The dual unit :math:`\\xi` is a new symbol with

.. math:: \\xi^2 = 0, \\quad \\xi \\ne 0

-- not a small real number, just a symbol whose square is dropped (tutorial 06's notation; the
course keeps :math:`\\varepsilon` for machine epsilon). Products of dual numbers then keep
exactly the first-order terms, :math:`(a + \\dot a\\xi)(b + \\dot b\\xi) = ab + (\\dot a b +
a \\dot b)\\xi`, and Taylor's formula stops after one term, so for every primitive

.. math:: f(x + \\dot x\\,\\xi) = f(x) + f'(x)\\,\\dot x\\,\\xi

(the rule :math:`f'(x)\\,\\dot x` comes from :data:`.jvp_rules.JVPS`, derived from the one table
of partial derivatives). Any program built from primitives, run on dual numbers, computes its
value *and* its directional derivative in one pass. One forward pass gives one Jacobian-vector
product, so a full gradient of :math:`f: \\mathbb{R}^n \\to \\mathbb{R}` costs :math:`n` passes.

Each call of :func:`jvp` (and :func:`deriv`, :func:`grad_fwd`) tags its dual numbers with a
fresh *level* (see :mod:`.primitives`), so derivative calls nest correctly: the :math:`\\xi` of
an inner call and the :math:`\\xi` of an outer call are different dual units (their product is
not dropped), and ``deriv(deriv(f))`` is the second derivative.

References:
    Baydin, Pearlmutter, Radul, Siskind (2018), Automatic differentiation in machine
    learning: a survey, JMLR 18(153), section 3.1.

    Siskind, Pearlmutter (2005), Perturbation confusion and referential transparency.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

from .._validate import check_arity, check_callable, fail
from .jvp_rules import JVPS
from .primitives import (
    Box,
    PrimitiveError,
    bind,
    check_input,
    check_output,
    new_level,
    quiet_numpy,
)

__all__ = ["Dual", "jvp", "deriv", "derivative", "grad_fwd"]


class Dual(Box):
    """A dual number :math:`v + \\dot v\\,\\xi` (:math:`\\xi^2 = 0`), tagged with its call's level.

    ``value`` is :math:`v`, ``tangent`` is :math:`\\dot v`. Every primitive applied to dual
    numbers returns :math:`f(v) + f'(v)\\,\\dot v\\,\\xi`. Built by hand, a dual number has
    level 0 (below every :func:`jvp` call).

    Example:
        >>> from diffprog.autodiff import Dual, sin
        >>> y = sin(Dual(0.0, 1.0)) * 3.0
        >>> float(y.value), float(y.tangent)
        (0.0, 3.0)
    """

    __slots__ = ("value", "tangent", "level")
    _priority = 1

    def __init__(self, value: Any, tangent: Any = 0.0, level: int = 0):
        self.value = value
        self.tangent = tangent
        self.level = level

    def __repr__(self) -> str:
        tag = f", level={self.level}" if self.level else ""
        return f"Dual({self.value!r}, {self.tangent!r}{tag})"

    @classmethod
    def _apply(cls, name: str, args: tuple, level: int) -> Dual:
        rules = JVPS.get(name)
        if rules is None:
            raise PrimitiveError(f"autodiff: forward mode has no JVP rule for primitive {name!r}")
        mine = [isinstance(a, Dual) and a.level == level for a in args]
        primals = tuple(a.value if m else a for a, m in zip(args, mine, strict=True))
        ans = bind(name, *primals)  # the primals may be boxes of outer levels: bind again
        tangent = None
        for i, a in enumerate(args):
            if mine[i]:
                contribution = rules[i](a.tangent, ans, *primals)
                tangent = contribution if tangent is None else tangent + contribution
        return Dual(ans, tangent, level)


def _jvp(
    func: str, f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]
) -> tuple[Any, Any]:
    check_callable(func, "f", f)
    for name, seq in (("primals", primals), ("tangents", tangents)):
        if not isinstance(seq, tuple | list):
            raise fail(
                func,
                f"{name} must be a tuple or list (one entry per argument of f), got "
                f"{type(seq).__name__}",
                f"Pass e.g. {name}=(1.0,)",
            )
    if len(primals) != len(tangents):
        raise fail(
            func,
            f"primals has {len(primals)} entries but tangents has {len(tangents)}",
            "Give one tangent per argument",
        )
    check_arity(func, "f", f, len(primals), ", ".join(f"x{i}" for i in range(len(primals))))
    xs = [check_input(func, f"primals[{i}]", x) for i, x in enumerate(primals)]
    ts = [check_input(func, f"tangents[{i}]", t) for i, t in enumerate(tangents)]
    with new_level() as level, quiet_numpy():
        out = f(*(Dual(x, t, level) for x, t in zip(xs, ts, strict=True)))
    check_output(func, out, scalar=False)
    if isinstance(out, Dual) and out.level == level:
        return out.value, out.tangent
    return out, 0.0  # the output does not depend on the inputs (it may be an outer level's box)


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """Value and directional derivative of ``f`` at ``primals`` along ``tangents``, one pass.

    Computes ``(f(x), J_f(x) · ẋ)`` for a function of scalar arguments. Calls nest: ``f``
    may itself call :func:`jvp`, :func:`deriv` or :func:`~.reverse.grad`.

    Args:
        f: a function of ``len(primals)`` floats built from the engine's operations.
        primals: the point ``x`` (a tuple or list of finite floats).
        tangents: the direction ``ẋ`` (same length).

    Returns:
        ``(value, tangent)``.

    Raises:
        InputError: if ``f`` is not callable, the lengths differ, an entry is not a finite
            float, or ``f`` returns something other than a number.
        DomainError: if ``f`` applies an operation outside its domain (``log(0.0)``...).

    Example:
        >>> from diffprog.autodiff import jvp, log, sin
        >>> f = lambda x1, x2: log(x1) + x1 * x2 - sin(x2)
        >>> y, dy = jvp(f, (2.0, 5.0), (1.0, 0.0))
        >>> round(float(y), 3), round(float(dy), 3)
        (11.652, 5.5)
    """
    return _jvp("autodiff.jvp", f, primals, tangents)


def deriv(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The derivative ``f'`` of a function of one float, by forward mode (autograd's ``deriv``).

    Returns the function :math:`f'`, as ``jax.grad`` does (``diffprog.derivative(f, x)``, the
    numerical one, evaluates at points instead):

    .. math:: f'(x) = \\text{the } \\xi \\text{ part of } f(x + 1 \\cdot \\xi), \\quad \\xi^2 = 0 .

    Nested calls give higher derivatives: ``deriv(deriv(f))`` is ``f''``.

    Args:
        f: a function of one float built from the engine's operations.

    Returns:
        The function ``x ↦ f'(x)``.

    Raises:
        InputError: if ``f`` is not callable (at once), or, when called, if ``x`` is not a
            finite float or ``f`` does not return a number.

    Example:
        >>> from diffprog.autodiff import deriv
        >>> deriv(lambda x: x ** 3)(2.0)
        12.0
        >>> deriv(deriv(lambda x: x ** 3))(2.0)
        12.0
    """
    return _deriv("autodiff.deriv", f)


def _deriv(func: str, f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    check_arity(func, "f", f, 1)
    return lambda x: _jvp(func, f, (x,), (1.0,))[1]


def derivative(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Deprecated name of :func:`deriv` (``diffprog.derivative`` evaluates at points instead).

    Raises:
        DeprecationWarning: (a warning) always; use :func:`deriv`.
    """
    warnings.warn(
        "diffprog.autodiff.derivative is deprecated: use diffprog.autodiff.deriv (the same "
        "function; diffprog.derivative is the numerical derivative at points)",
        DeprecationWarning,
        stacklevel=2,
    )
    return _deriv("autodiff.derivative", f)


derivative.__deprecated__ = "use diffprog.autodiff.deriv"  # type: ignore[attr-defined]


def grad_fwd(f: Callable[..., Any]) -> Callable[..., tuple]:
    """The gradient of a scalar function of ``n`` floats by forward mode: ``n`` passes.

    Pass ``i`` seeds ``ẋ = e_i`` and reads off ``∂f/∂x_i``. Used in the tutorial to
    compare with reverse mode, which needs one pass.

    Args:
        f: a scalar function of floats built from the engine's operations.

    Returns:
        A function with ``f``'s signature returning the tuple of partial derivatives.

    Raises:
        InputError: if ``f`` is not callable (at once), or, when called, as :func:`jvp`.

    Example:
        >>> from diffprog.autodiff import grad_fwd
        >>> grad_fwd(lambda x, y: x * y)(3.0, 4.0)
        (4.0, 3.0)
    """
    check_callable("autodiff.grad_fwd", "f", f)

    def gradient(*args: Any) -> tuple:
        n = len(args)
        if n == 0:
            raise fail(
                "autodiff.grad_fwd",
                "the gradient needs at least one argument, got none",
                "Call it with the point, e.g. grad_fwd(f)(1.0, 2.0)",
            )
        return tuple(
            _jvp("autodiff.grad_fwd", f, args, tuple(1.0 if j == i else 0.0 for j in range(n)))[1]
            for i in range(n)
        )

    return gradient
