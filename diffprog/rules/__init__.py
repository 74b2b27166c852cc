"""The differentiation rules as pure combinators over a graph of (function, derivative) nodes.

A :class:`Diff` is a node of an expression graph in one variable :math:`x`; each node knows the
rule that gives its derivative from its parts:

==================  =================================  ======================================
rule                function                           derivative
==================  =================================  ======================================
constant            :math:`c`                          :math:`0`
identity            :math:`x`                          :math:`1`
power               :math:`x^n`                        :math:`n x^{n-1}`
constant multiple   :math:`c\\,u`                       :math:`c\\,u'`
sum / difference    :math:`u \\pm v`                    :math:`u' \\pm v'`
product             :math:`u v`                        :math:`u' v + u v'`
quotient            :math:`u / v`                      :math:`(u' v - u v') / v^2`
chain               :math:`g(u(x))`                    :math:`g'(u(x))\\, u'(x)`
==================  =================================  ======================================

with the elementary functions (``exp``, ``log``, ``sin``, ``cos``, ``tanh``,
``sigmoid``, ``sqrt``) as building blocks whose derivatives are known. Operators
are overloaded, so a learner writes the function and gets its derivative::

    from diffprog.rules import x
    f = (x**2 + 1) / (x - 3)
    f(2.0), f.d(2.0)            # value and derivative, by the quotient rule
    print(f.derivation())       # which rule produced each part

The expression is a graph, not a tree: a sub-expression used twice (``u = x*x; u*u``) is one
node, so its value and derivative are computed once per evaluation, in one pass over the nodes in
topological order (forward mode, as autodiff does it). Everything is iterative, so there is no
recursion limit, and linear in the number of nodes: twenty squarings ``e = e*e`` are 21 nodes
(an expression of :math:`2^{20}` factors), differentiated in milliseconds.

A sub-expression without :math:`x` is a constant: its derivative is exactly 0 and its terms are
dropped (never multiplied by a partial that may be infinite, as :math:`\\sqrt{u}` at 0 is).

Every rule is checked against ``jax.grad`` and sympy in ``tests/test_rules.py``.
"""

from ._combinators import add as add
from ._combinators import chain as chain
from ._combinators import constant as constant
from ._combinators import cos as cos
from ._combinators import exp as exp
from ._combinators import identity as identity
from ._combinators import log as log
from ._combinators import mul as mul
from ._combinators import power as power
from ._combinators import scale as scale
from ._combinators import sigmoid as sigmoid
from ._combinators import sin as sin
from ._combinators import sqrt as sqrt
from ._combinators import sub as sub
from ._combinators import tanh as tanh
from ._combinators import truediv as truediv
from ._combinators import x as x
from ._graph import Diff as Diff
from ._text import INLINE_LIMIT as INLINE_LIMIT
from ._text import NAME_WIDTH as NAME_WIDTH

__all__ = [
    "Diff",
    "add",
    "chain",
    "constant",
    "cos",
    "exp",
    "identity",
    "log",
    "mul",
    "power",
    "scale",
    "sigmoid",
    "sin",
    "sqrt",
    "sub",
    "tanh",
    "truediv",
    "x",
]
