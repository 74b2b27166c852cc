"""Forward-mode derivative rules, derived from the one table of partials: one per primitive.

``JVPS[name]`` is a tuple with one rule per argument of the primitive. The rule for argument
``i`` maps ``(t, ans, *args)`` -- the tangent ``t`` of that argument, the primitive's output
``ans`` and its inputs -- to that argument's contribution to the output tangent,
``t`` times the partial :math:`\\partial y / \\partial x_i` of the table
(:mod:`diffprog._derivative_table`). Forward mode sums the contributions of the arguments that
carry a tangent:

.. math:: \\dot y = \\sum_i \\frac{\\partial y}{\\partial x_i} \\dot x_i .

The partials are written with the engine's own operations, so the rules are ordinary programs
too: run on boxes of an outer level, they are differentiated again, which is how second and
higher derivatives come out (grad of grad, derivative of derivative). Where a derivative is
infinite (``sqrt`` at 0, ``x ** y`` at ``x = 0`` for ``0 < y < 1``) the rule raises
:class:`~.primitives.DomainError` instead of returning inf.
"""

from __future__ import annotations

from collections.abc import Callable

from .primitives import ENGINE_ENTRIES, times_partial

__all__ = ["JVPS"]


#: Primitive name -> one tangent rule per argument (derived from the table).
JVPS: dict[str, tuple[Callable, ...]] = {e.name: times_partial(e) for e in ENGINE_ENTRIES}
