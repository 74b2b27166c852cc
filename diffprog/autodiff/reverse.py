"""Reverse mode: record the computation as a graph of nodes, then sweep backwards.

Running ``f`` on :class:`Node` inputs records every primitive call as a node that
remembers its primitive, its inputs and its parents (the tape). The backward sweep
visits the nodes in reverse topological order, from the output to the inputs, and
propagates adjoints ``v̄ = ∂y/∂v`` with one rule per primitive
(:data:`.vjp_rules.VJPS`):

.. math:: \\bar v_j = \\sum_{i : j \\to i} \\bar v_i \\frac{\\partial v_i}{\\partial v_j} .

One backward sweep gives the whole gradient of a scalar ``f: Rⁿ → R``, for a small
constant times the cost of ``f``, whatever ``n`` is.

Two properties are on purpose (and tested): the topological order is computed with
an explicit stack, so a 100,000-node chain works (a recursive sort overflows
Python's stack); and adjoints live in a dictionary local to one sweep, never on the
nodes, so differentiating twice gives the same answer twice.

Each call of :func:`vjp` (and :func:`grad`, :func:`value_and_grad`) records on a tape of
its own *level* (see :mod:`.primitives`). The backward sweep runs the VJP rules with the
engine's operations, so when the recorded values are boxes of an outer derivative call,
the sweep itself is differentiated: ``grad(grad(f))`` is the second derivative, and
forward over reverse (``deriv(grad(f))``) and reverse over forward work too.

References:
    Baydin, Pearlmutter, Radul, Siskind (2018), Automatic differentiation in machine
    learning: a survey, JMLR 18(153), section 3.2.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .._validate import check_arity, check_callable, fail
from .primitives import (
    Box,
    PrimitiveError,
    bind,
    check_input,
    check_output,
    new_level,
    quiet_numpy,
)
from .vjp_rules import VJPS

__all__ = ["Node", "toposort", "backward", "vjp", "grad", "value_and_grad"]


class Node(Box):
    """One recorded value: the result of ``primitive`` applied to ``args``, on tape ``level``.

    ``parents`` holds ``(argument index, parent node)`` for the arguments that are
    themselves on this tape (same level). An input (leaf) has ``primitive=None`` and no
    parents. Built by hand, a node has level 0 (below every :func:`vjp` call).
    """

    __slots__ = ("value", "primitive", "args", "parents", "level")
    _priority = 2

    def __init__(
        self,
        value: Any,
        primitive: str | None = None,
        args: tuple = (),
        parents: tuple = (),
        level: int = 0,
    ):
        self.value = value
        self.primitive = primitive
        self.args = args
        self.parents = parents
        self.level = level

    def __repr__(self) -> str:
        return f"Node({self.value!r}, {self.primitive or 'input'})"

    @classmethod
    def _apply(cls, name: str, args: tuple, level: int) -> Node:
        if name not in VJPS:
            raise PrimitiveError(f"autodiff: reverse mode has no VJP rule for primitive {name!r}")
        values: list[Any] = []
        parents: list[tuple[int, Node]] = []
        for i, a in enumerate(args):
            if isinstance(a, Node) and a.level == level:
                values.append(a.value)
                parents.append((i, a))
            else:
                values.append(a)  # a constant for this tape (maybe a box of an outer level)
        primals = tuple(values)
        return Node(bind(name, *primals), name, primals, tuple(parents), level)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a tape is recorded or swept.

    A tape is acyclic (nodes point to their parents only), so reference counting frees it;
    the cyclic collector would only rescan its growing number of live nodes again and again,
    which makes a 10⁵-node tape cost more per node than a 10⁴-node one. The collector is
    restored on exit (and collects whatever the user's function left behind then).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def toposort(end: Node) -> list[Node]:
    """The nodes ``end`` depends on, ``end`` first, every node before its parents.

    Iterative depth-first search (an explicit stack), so its depth is not limited
    by Python's recursion limit, and its cost is linear in the number of nodes and edges.

    Example:
        >>> from diffprog.autodiff import Node, sin
        >>> [n.primitive for n in toposort(sin(Node(1.0)) * 2.0)]
        ['mul', 'sin', None]
    """
    order: list[Node] = []
    seen: set[int] = set()
    stack: list[tuple[Node, bool]] = [(end, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)  # after all of its parents: post-order
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for _, p in node.parents if id(p) not in seen)
    order.reverse()
    return order


def backward(end: Node, seed: Any = 1.0) -> dict[int, Any]:
    """The backward sweep: adjoints of every node ``end`` depends on, by ``id(node)``.

    Starts from ``end``'s adjoint ``seed`` and applies each node's VJP rules in
    reverse topological order. The adjoints are returned in a fresh dictionary;
    nothing is stored on the nodes.

    Example:
        >>> from diffprog.autodiff import Node
        >>> x = Node(3.0)
        >>> backward(x * x)[id(x)]
        6.0
    """
    adjoints: dict[int, Any] = {id(end): seed}
    for node in toposort(end):
        g = adjoints.get(id(node))
        if g is None or node.primitive is None:
            continue
        rules = VJPS[node.primitive]
        for i, parent in node.parents:
            contribution = rules[i](g, node.value, *node.args)
            key = id(parent)
            adjoints[key] = contribution if key not in adjoints else adjoints[key] + contribution
    return adjoints


def _vjp(
    func: str, f: Callable[..., Any], args: tuple, scalar: bool
) -> tuple[Any, Callable[[Any], tuple]]:
    check_arity(func, "f", f, len(args), ", ".join(f"x{i}" for i in range(len(args))))
    xs = [check_input(func, f"argument {i}", x) for i, x in enumerate(args)]
    with new_level() as level, _gc_paused(), quiet_numpy():
        inputs = tuple(Node(x, level=level) for x in xs)
        out = f(*inputs)
    check_output(func, out, scalar=scalar)
    mine = isinstance(out, Node) and out.level == level
    value = out.value if mine else out

    def vjp_fn(ybar: Any) -> tuple:
        ybar = check_input(func, "the output adjoint ybar", ybar)
        if not mine:
            return tuple(0.0 for _ in inputs)  # the output does not depend on the inputs
        with _gc_paused(), quiet_numpy():
            adjoints = backward(out, ybar)
        return tuple(adjoints.get(id(x), 0.0) for x in inputs)

    return value, vjp_fn


def vjp(f: Callable[..., Any], *args: Any) -> tuple[Any, Callable[[Any], tuple]]:
    """Run ``f`` once, recording it; return its value and a function ``ȳ ↦ ȳ · J_f``.

    Args:
        f: a function of floats built from the engine's operations, returning a number.
        *args: the point (finite floats).

    Returns:
        ``(value, vjp_fn)``; ``vjp_fn(ybar)`` returns one adjoint per argument
        (zero for an argument the output does not depend on). It can be called any
        number of times: each call is a fresh backward sweep.

    Raises:
        InputError: if ``f`` is not callable, an argument is not a finite float, or ``f``
            returns something other than a number.
        DomainError: if ``f`` (or a derivative rule) leaves an operation's domain.

    Example:
        >>> from diffprog.autodiff import vjp
        >>> y, pullback = vjp(lambda x, w: x * w + w, 3.0, 2.0)
        >>> y, pullback(1.0), pullback(1.0)
        (8.0, (2.0, 4.0), (2.0, 4.0))
    """
    check_callable("autodiff.vjp", "f", f)
    return _vjp("autodiff.vjp", f, args, scalar=False)


def _check_argnums(func: str, argnums: Any) -> tuple[int, ...]:
    """``argnums``: an int or a non-empty tuple/list of ints (range checked at the call)."""
    nums = (argnums,) if isinstance(argnums, int) and not isinstance(argnums, bool) else argnums
    if (
        not isinstance(nums, tuple | list)
        or not nums
        or any(isinstance(i, bool) or not isinstance(i, int) for i in nums)
    ):
        raise fail(
            func,
            f"argnums must be an int or a non-empty tuple of ints, got "
            f"{type(argnums).__name__} {argnums!r}",
            "Pass e.g. argnums=0 or argnums=(0, 1)",
        )
    return tuple(nums)


def _pick(func: str, nums: tuple[int, ...], n: int) -> tuple[int, ...]:
    bad = [i for i in nums if not -n <= i < n]
    if bad:
        raise fail(
            func,
            f"argnums {bad} out of range for a function called with {n} argument(s)",
            f"Use indices in [{-n}, {n - 1}]" if n else "Call the function with its arguments",
        )
    return nums


def value_and_grad(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0
) -> Callable[..., tuple[Any, Any]]:
    """``f`` and its gradient with respect to ``argnums``, in one forward and one backward pass.

    .. math:: (f(x), \\nabla_{x_{argnums}} f(x)) \\text{ with } \\bar y = 1 .

    Args:
        f: a scalar function of floats built from the engine's operations.
        argnums: which argument(s) to differentiate with respect to; an ``int``
            gives one derivative, a tuple gives a tuple.

    Returns:
        A function with ``f``'s signature returning ``(value, gradient)``.

    Raises:
        InputError: (at once) if ``f`` is not callable or ``argnums`` is not an int or a
            tuple of ints; (when called) if an argument is not a finite float, ``argnums``
            is out of range, or ``f`` does not return one number (a tuple, an array...).
            ``InputError`` is a ``TypeError`` too.
        DomainError: if ``f`` (or a derivative rule) leaves an operation's domain.

    Example:
        >>> from diffprog.autodiff import value_and_grad
        >>> value_and_grad(lambda x, y: x * y + x * x, argnums=(0, 1))(1.0, 2.0)
        (3.0, (4.0, 1.0))
    """
    func = "autodiff.value_and_grad"
    return _value_and_grad(func, f, argnums)


def _value_and_grad(
    func: str, f: Callable[..., Any], argnums: Any
) -> Callable[..., tuple[Any, Any]]:
    check_callable(func, "f", f)
    nums = _check_argnums(func, argnums)

    def wrapped(*args: Any) -> tuple[Any, Any]:
        picked_nums = _pick(func, nums, len(args))
        value, pullback = _vjp(func, f, args, scalar=True)
        grads = pullback(1.0)
        picked = tuple(grads[i] for i in picked_nums)
        return value, picked[0] if isinstance(argnums, int) else picked

    return wrapped


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The gradient of a scalar function, by reverse mode (one backward sweep).

    .. math:: \\nabla f(x) = \\bar y \\, J_f(x) \\text{ with } \\bar y = 1 .

    Calls nest: ``grad(grad(f))`` is the second derivative, and ``f`` may call
    :func:`grad` or :func:`~.forward.deriv` inside, on its own argument.

    Args:
        f: a scalar function of floats built from the engine's operations.
        argnums: which argument(s) to differentiate with respect to; an ``int``
            gives one derivative, a tuple gives a tuple.

    Returns:
        A function with ``f``'s signature returning the derivative(s).

    Raises:
        InputError: as :func:`value_and_grad` (a non-scalar output, bad ``argnums``...).
        DomainError: if ``f`` (or a derivative rule) leaves an operation's domain.

    Example:
        >>> from diffprog.autodiff import grad, log, sin
        >>> f = lambda x1, x2: log(x1) + x1 * x2 - sin(x2)
        >>> [round(float(g), 3) for g in grad(f, argnums=(0, 1))(2.0, 5.0)]
        [5.5, 1.716]
        >>> grad(grad(lambda x: x ** 3))(2.0)
        12.0
    """
    vg = _value_and_grad("autodiff.grad", f, argnums)
    return lambda *args: vg(*args)[1]
