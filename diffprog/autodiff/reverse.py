"""Reverse mode: record the computation as a graph of nodes, then sweep backwards.

Running ``f`` on :class:`Node` inputs records every primitive call as a node that
remembers its primitive, its inputs and its parents (the tape). The backward sweep
visits the nodes in reverse topological order, from the output to the inputs, and
propagates adjoints ``v̄ = ∂y/∂v`` with one rule per primitive
(:data:`.vjp_rules.VJPS`):

    v̄_j = Σ_{i : j → i} v̄_i ∂v_i/∂v_j.

One backward sweep gives the whole gradient of a scalar ``f: Rⁿ → R``, for a small
constant times the cost of ``f``, whatever ``n`` is.

Two properties are on purpose (and tested): the topological order is computed with
an explicit stack, so a 100,000-node chain works (a recursive sort overflows
Python's stack); and adjoints live in a dictionary local to one sweep, never on the
nodes, so differentiating twice gives the same answer twice.

References:
    Baydin, Pearlmutter, Radul, Siskind (2018), Automatic differentiation in machine
    learning: a survey, JMLR 18(153), section 3.2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .primitives import Box, bind
from .vjp_rules import VJPS

__all__ = ["Node", "toposort", "backward", "vjp", "grad", "value_and_grad"]


class Node(Box):
    """One recorded value: the result of ``primitive`` applied to ``args``.

    ``parents`` holds ``(argument index, parent node)`` for the arguments that are
    themselves on the tape. An input (leaf) has ``primitive=None`` and no parents.
    """

    __slots__ = ("value", "primitive", "args", "parents")
    _priority = 2

    def __init__(self, value: Any, primitive: str | None = None, args: tuple = (),
                 parents: tuple = ()):
        self.value = value
        self.primitive = primitive
        self.args = args
        self.parents = parents

    def __repr__(self) -> str:
        return f"Node({self.value!r}, {self.primitive or 'input'})"

    @classmethod
    def _apply(cls, name: str, args: tuple) -> Node:
        if name not in VJPS:
            raise NotImplementedError(f"reverse mode has no VJP rule for primitive {name!r}")
        primals = tuple(a.value if isinstance(a, Node) else a for a in args)
        parents = tuple((i, a) for i, a in enumerate(args) if isinstance(a, Node))
        return Node(bind(name, *primals), name, primals, parents)


def toposort(end: Node) -> list[Node]:
    """The nodes ``end`` depends on, ``end`` first, every node before its parents.

    Iterative depth-first search (an explicit stack), so its depth is not limited
    by Python's recursion limit.
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


def vjp(f: Callable[..., Any], *args: Any) -> tuple[Any, Callable[[Any], tuple]]:
    """Run ``f`` once, recording it; return its value and a function ``ȳ ↦ ȳ · J_f``.

    Args:
        f: a function of scalars built from the engine's operations, returning a scalar.
        *args: the point.

    Returns:
        ``(value, vjp_fn)``; ``vjp_fn(ybar)`` returns one adjoint per argument
        (zero for an argument the output does not depend on). It can be called any
        number of times: each call is a fresh backward sweep.

    Example:
        >>> from diffprog.autodiff import vjp
        >>> y, pullback = vjp(lambda x, w: x * w + w, 3.0, 2.0)
        >>> y, pullback(1.0), pullback(1.0)
        (8.0, (2.0, 4.0), (2.0, 4.0))
    """
    inputs = tuple(Node(x) for x in args)
    out = f(*inputs)
    value = out.value if isinstance(out, Node) else out

    def vjp_fn(ybar: Any) -> tuple:
        if not isinstance(out, Node):
            return tuple(0.0 for _ in inputs)
        adjoints = backward(out, ybar)
        return tuple(adjoints.get(id(x), 0.0) for x in inputs)

    return value, vjp_fn


def _check_argnums(argnums: int | Sequence[int], n: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    bad = [i for i in nums if not -n <= i < n]
    if bad:
        raise ValueError(f"argnums {bad} out of range for a function called with {n} arguments")
    return nums


def value_and_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0
                   ) -> Callable[..., tuple[Any, Any]]:
    """``f`` and its gradient with respect to ``argnums``, in one forward and one backward pass.

    Raises:
        TypeError: (when called) if ``f`` does not return a scalar.

    Example:
        >>> from diffprog.autodiff import value_and_grad
        >>> value_and_grad(lambda x, y: x * y + x * x, argnums=(0, 1))(1.0, 2.0)
        (3.0, (4.0, 1.0))
    """

    def wrapped(*args: Any) -> tuple[Any, Any]:
        nums = _check_argnums(argnums, len(args))
        value, pullback = vjp(f, *args)
        if getattr(value, "shape", ()) != ():
            raise TypeError(
                f"grad needs a scalar-valued function, got output of shape {value.shape}; "
                "use vjp with an output adjoint instead"
            )
        grads = pullback(1.0)
        picked = tuple(grads[i] for i in nums)
        return value, picked[0] if isinstance(argnums, int) else picked

    return wrapped


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The gradient of a scalar function, by reverse mode (one backward sweep).

    Args:
        f: a scalar function of scalars built from the engine's operations.
        argnums: which argument(s) to differentiate with respect to; an ``int``
            gives one derivative, a tuple gives a tuple.

    Returns:
        A function with ``f``'s signature returning the derivative(s).

    Example:
        >>> from diffprog.autodiff import grad, log, sin
        >>> f = lambda x1, x2: log(x1) + x1 * x2 - sin(x2)
        >>> [round(float(g), 3) for g in grad(f, argnums=(0, 1))(2.0, 5.0)]
        [5.5, 1.716]
    """
    vg = value_and_grad(f, argnums)
    return lambda *args: vg(*args)[1]
