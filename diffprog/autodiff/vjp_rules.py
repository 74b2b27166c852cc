"""Reverse-mode derivative rules, derived from the one table of partials: one per primitive.

``VJPS[name]`` is a tuple with one rule per argument of the primitive. The rule for argument
``i`` maps ``(g, ans, *args)`` -- the adjoint ``g = ∂L/∂y`` of the primitive's output ``y``, the
output ``ans`` and the inputs -- to that argument's contribution to its adjoint, ``g`` times the
same partial of the table (:mod:`diffprog._derivative_table`) that forward mode uses:

.. math:: \\bar x_i \\mathrel{+}= \\bar y \\, \\frac{\\partial y}{\\partial x_i} .

Only arguments that are on the tape get their rule called (so ``x ** 2.0`` never evaluates
``log(x)``). Like the JVP rules, they compute with the engine's own operations, so a backward
sweep run inside an outer derivative is differentiated too (grad of grad, forward over reverse).
"""

from __future__ import annotations

from collections.abc import Callable

from .primitives import ENGINE_ENTRIES, times_partial

__all__ = ["VJPS"]


#: Primitive name -> one adjoint rule per argument (derived from the table).
VJPS: dict[str, tuple[Callable, ...]] = {e.name: times_partial(e) for e in ENGINE_ENTRIES}
