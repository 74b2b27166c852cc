"""Forward mode: dual numbers.

A dual number ``x + ẋ ε`` with ``ε² = 0`` carries a value and a tangent. Any
program built from primitives, run on dual numbers, computes its value *and* its
directional derivative in one pass, because for every primitive

    f(x + ẋ ε) = f(x) + f'(x) ẋ ε

(the rule ``f'(x) ẋ`` comes from :data:`.jvp_rules.JVPS`). One forward pass gives one
Jacobian-vector product, so a full gradient of ``f: Rⁿ → R`` costs ``n`` passes.

References:
    Baydin, Pearlmutter, Radul, Siskind (2018), Automatic differentiation in machine
    learning: a survey, JMLR 18(153), section 3.1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .jvp_rules import JVPS
from .primitives import Box, bind

__all__ = ["Dual", "jvp", "derivative", "grad_fwd"]


class Dual(Box):
    """A dual number: ``value`` plus ``tangent`` ε.

    Example:
        >>> from diffprog.autodiff import Dual, sin
        >>> y = sin(Dual(0.0, 1.0)) * 3.0
        >>> float(y.value), float(y.tangent)
        (0.0, 3.0)
    """

    __slots__ = ("value", "tangent")
    _priority = 1

    def __init__(self, value: Any, tangent: Any = 0.0):
        self.value = value
        self.tangent = tangent

    def __repr__(self) -> str:
        return f"Dual({self.value!r}, {self.tangent!r})"

    @classmethod
    def _apply(cls, name: str, args: tuple) -> Dual:
        if name not in JVPS:
            raise NotImplementedError(f"forward mode has no JVP rule for primitive {name!r}")
        primals = tuple(a.value if isinstance(a, Dual) else a for a in args)
        ans = bind(name, *primals)
        tangent = 0.0
        for i, a in enumerate(args):
            if isinstance(a, Dual):
                tangent = tangent + JVPS[name][i](a.tangent, ans, *primals)
        return Dual(ans, tangent)


def _unpack(out: Any) -> tuple[Any, Any]:
    if isinstance(out, Dual):
        return out.value, out.tangent
    return out, 0.0  # the output does not depend on the inputs


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """Value and directional derivative of ``f`` at ``primals`` along ``tangents``, one pass.

    Computes ``(f(x), J_f(x) · ẋ)`` for a function of scalar arguments.

    Args:
        f: a function of ``len(primals)`` scalars built from the engine's operations.
        primals: the point ``x``.
        tangents: the direction ``ẋ`` (same length).

    Returns:
        ``(value, tangent)``.

    Raises:
        ValueError: if ``primals`` and ``tangents`` differ in length.

    Example:
        >>> from diffprog.autodiff import jvp, log, sin
        >>> f = lambda x1, x2: log(x1) + x1 * x2 - sin(x2)
        >>> y, dy = jvp(f, (2.0, 5.0), (1.0, 0.0))
        >>> round(float(y), 3), round(float(dy), 3)
        (11.652, 5.5)
    """
    if len(primals) != len(tangents):
        raise ValueError(
            f"jvp: primals has {len(primals)} entries but tangents has {len(tangents)}; "
            "give one tangent per argument"
        )
    return _unpack(f(*(Dual(x, t) for x, t in zip(primals, tangents, strict=True))))


def derivative(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The derivative ``f'`` of a function of one scalar, by forward mode.

    Example:
        >>> from diffprog.autodiff import derivative
        >>> derivative(lambda x: x ** 3)(2.0)
        12.0
    """
    return lambda x: jvp(f, (x,), (1.0,))[1]


def grad_fwd(f: Callable[..., Any]) -> Callable[..., tuple]:
    """The gradient of a scalar function of ``n`` scalars by forward mode: ``n`` passes.

    Pass ``i`` seeds ``ẋ = e_i`` and reads off ``∂f/∂x_i``. Used in the tutorial to
    compare with reverse mode, which needs one pass.

    Example:
        >>> from diffprog.autodiff import grad_fwd
        >>> grad_fwd(lambda x, y: x * y)(3.0, 4.0)
        (4.0, 3.0)
    """

    def gradient(*args: Any) -> tuple:
        n = len(args)
        return tuple(
            jvp(f, args, tuple(1.0 if j == i else 0.0 for j in range(n)))[1] for i in range(n)
        )

    return gradient
