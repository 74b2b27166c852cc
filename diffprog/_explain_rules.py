"""The derivative rules of :func:`diffprog.explain.explain`: one per jax primitive, as data.

Each rule gives the definition as text, the local partial derivatives (numbers, from the
argument values and the result) and the same partials as text. Each is jax's own formula, with
jax's values at the edges (``pow`` at 0, ties of ``max``/``min``, ``select_n`` and ``clamp``
selecting): ``tests/test_explain.py`` checks every one against ``jax.jvp`` and ``jax.grad``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

__all__ = ["CUSTOM_ARITY", "CUSTOM_TEXT", "RULES"]


class _Rule(NamedTuple):
    primal: Callable[..., str]  # (arg names, params) -> the definition, e.g. "ln v₋₁"
    partials: Callable[..., tuple]  # (arg values, out value, params) -> ∂out/∂arg each (None: 0)
    partial_text: Callable[..., tuple]  # (arg names, out name, params) -> the same, as text
    jvp: Callable[..., Any] | None = None  # (arg values, arg tangents) -> out tangent, if direct
    vjp: Callable[..., tuple] | None = None  # (arg values, out adjoint) -> arg adjoints, if direct


def _where(c, a, b):
    return jnp.where(c, a, b)


def _f(x, v):
    """``v`` as an array of ``x``'s float dtype."""
    return jnp.asarray(v, jnp.result_type(x))


def _balanced(x, out, y):
    # jax's rule for max and min: the derivative goes to the argument equal to the result, half
    # each at a tie (and 0 where the result is NaN).
    return _f(x, _where(x == out, 1.0, 0.0) / _where(y == out, 2.0, 1.0))


def _unary(fmt: str, partial: Callable, text: str) -> _Rule:
    return _Rule(
        lambda a, p: fmt.format(*a),
        lambda v, o, p: (partial(v[0], o),),
        lambda a, o, p: (text.format(*a, out=o),),
    )


def _flat(fmt: str) -> _Rule:
    """A function whose derivative jax defines as 0 (floor, sign, stop_gradient, ...)."""
    return _Rule(
        lambda a, p: fmt.format(*a),
        lambda v, o, p: (None,) * len(v),
        lambda a, o, p: ("0",) * len(a),
    )


def _compare(symbol: str) -> _Rule:
    return _Rule(
        lambda a, p: f"{a[0]} {symbol} {a[1]}",
        lambda v, o, p: (None, None),
        lambda a, o, p: (None, None),
    )


def _pow_partials(v, o, p):
    # jax's pow rules: y x^(y-1) for x, and ln(x) x^y for y with ln(0) read as 0.
    x, y = v
    return y * x ** (y - 1), jnp.log(_where(x == 0, _f(x, 1.0), x)) * o


def _integer_pow_partial(x, y):
    return _f(x, 0.0) if y == 0 else _f(x, 1.0) if y == 1 else y * x ** (y - 1)


def _select_n(a, p):
    cases = ", ".join(f"{c} if {a[0]} = {k}" for k, c in enumerate(a[1:]))
    return f"{a[2]} if {a[0]} else {a[1]}" if len(a) == 3 else f"({cases})"


def _clamp_cases(v: list) -> tuple[bool, bool, bool]:
    # jax's clamp(lo, x, hi) rules: which of lo, x, hi the result follows.
    lo, x, hi = v
    return bool((lo > x) & (lo < hi)), bool((x > lo) & (x < hi)), bool(hi < x)


_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)

#: Primitive name -> its rule: definition text, local partial derivatives, their text. Each rule
#: is jax's own (the same formula, the same values at the edges: tested against jax.jvp).
RULES: dict[str, _Rule] = {
    "add": _Rule(
        lambda a, p: f"{a[0]} + {a[1]}", lambda v, o, p: (1.0, 1.0), lambda a, o, p: ("1", "1")
    ),
    "add_any": _Rule(
        lambda a, p: f"{a[0]} + {a[1]}", lambda v, o, p: (1.0, 1.0), lambda a, o, p: ("1", "1")
    ),
    "sub": _Rule(
        lambda a, p: f"{a[0]} − {a[1]}", lambda v, o, p: (1.0, -1.0), lambda a, o, p: ("1", "−1")
    ),
    "mul": _Rule(
        lambda a, p: f"{a[0]} × {a[1]}", lambda v, o, p: (v[1], v[0]), lambda a, o, p: (a[1], a[0])
    ),
    "div": _Rule(
        lambda a, p: f"{a[0]} / {a[1]}",
        lambda v, o, p: (1 / v[1], -v[0] * jax.lax.integer_pow(v[1], -2)),
        lambda a, o, p: (f"1/{a[1]}", f"−{a[0]}/{a[1]}²"),
    ),
    "max": _Rule(
        lambda a, p: f"max({a[0]}, {a[1]})",
        lambda v, o, p: (_balanced(v[0], o, v[1]), _balanced(v[1], o, v[0])),
        lambda a, o, p: (
            f"[{a[0]} > {a[1]}] + ½[{a[0]} = {a[1]}]",
            f"[{a[1]} > {a[0]}] + ½[{a[0]} = {a[1]}]",
        ),
    ),
    "min": _Rule(
        lambda a, p: f"min({a[0]}, {a[1]})",
        lambda v, o, p: (_balanced(v[0], o, v[1]), _balanced(v[1], o, v[0])),
        lambda a, o, p: (
            f"[{a[0]} < {a[1]}] + ½[{a[0]} = {a[1]}]",
            f"[{a[1]} < {a[0]}] + ½[{a[0]} = {a[1]}]",
        ),
    ),
    "pow": _Rule(
        lambda a, p: f"{a[0]}^{a[1]}",
        _pow_partials,
        lambda a, o, p: (f"{a[1]}·{a[0]}^({a[1]} − 1)", f"ln {a[0]} · {o}"),
    ),
    "integer_pow": _Rule(
        lambda a, p: f"{a[0]}^{p['y']}",
        lambda v, o, p: (_integer_pow_partial(v[0], p["y"]),),
        lambda a, o, p: (f"{p['y']}·{a[0]}^{p['y'] - 1}",),
    ),
    "atan2": _Rule(
        lambda a, p: f"atan2({a[0]}, {a[1]})",
        lambda v, o, p: (v[1] / (v[0] ** 2 + v[1] ** 2), -v[0] / (v[0] ** 2 + v[1] ** 2)),
        lambda a, o, p: (f"{a[1]}/({a[0]}² + {a[1]}²)", f"−{a[0]}/({a[0]}² + {a[1]}²)"),
    ),
    "neg": _unary("−{0}", lambda x, o: -1.0, "−1"),
    "log": _unary("ln {0}", lambda x, o: 1 / x, "1/{0}"),
    "log1p": _unary("ln(1 + {0})", lambda x, o: 1 / (1 + x), "1/(1 + {0})"),
    "exp": _unary("exp {0}", lambda x, o: o, "{out}"),
    "exp2": _unary("2^{0}", lambda x, o: math.log(2) * o, "ln 2 · {out}"),
    "expm1": _unary("exp({0}) − 1", lambda x, o: o + 1, "{out} + 1"),
    "sin": _unary("sin {0}", lambda x, o: jnp.cos(x), "cos {0}"),
    "cos": _unary("cos {0}", lambda x, o: -jnp.sin(x), "−sin {0}"),
    "tan": _unary("tan {0}", lambda x, o: 1 + o * o, "1 + {out}²"),
    "asin": _unary("asin {0}", lambda x, o: jax.lax.rsqrt(1 - x * x), "1/√(1 − {0}²)"),
    "acos": _unary("acos {0}", lambda x, o: -jax.lax.rsqrt(1 - x * x), "−1/√(1 − {0}²)"),
    "atan": _unary("atan {0}", lambda x, o: 1 / (1 + x * x), "1/(1 + {0}²)"),
    "sinh": _unary("sinh {0}", lambda x, o: jnp.cosh(x), "cosh {0}"),
    "cosh": _unary("cosh {0}", lambda x, o: jnp.sinh(x), "sinh {0}"),
    "tanh": _unary("tanh {0}", lambda x, o: (1 + o) * (1 - o), "1 − {out}²"),
    "asinh": _unary("asinh {0}", lambda x, o: jax.lax.rsqrt(x * x + 1), "1/√({0}² + 1)"),
    "acosh": _unary("acosh {0}", lambda x, o: jax.lax.rsqrt(x * x - 1), "1/√({0}² − 1)"),
    "atanh": _unary("atanh {0}", lambda x, o: 1 / (1 + x) / (1 - x), "1/(1 − {0}²)"),
    "logistic": _unary("σ({0})", lambda x, o: o * (1 - o), "{out}(1 − {out})"),
    "erf": _unary("erf {0}", lambda x, o: _TWO_OVER_SQRT_PI * jnp.exp(-x * x), "2/√π · exp(−{0}²)"),
    "erfc": _unary(
        "erfc {0}", lambda x, o: -_TWO_OVER_SQRT_PI * jnp.exp(-x * x), "−2/√π · exp(−{0}²)"
    ),
    "erf_inv": _unary(
        "erf⁻¹ {0}", lambda x, o: math.sqrt(math.pi) / 2 * jnp.exp(o * o), "√π/2 · exp({out}²)"
    ),
    "sqrt": _unary("√{0}", lambda x, o: 0.5 / o, "1/(2{out})"),
    "rsqrt": _unary("1/√{0}", lambda x, o: -0.5 * (o / x), "−{out}/(2{0})"),
    "cbrt": _unary("∛{0}", lambda x, o: (1 / 3) * jax.lax.integer_pow(o, -2), "1/(3{out}²)"),
    "square": _unary("{0}²", lambda x, o: 2 * x, "2{0}"),
    "abs": _unary("|{0}|", lambda x, o: _f(x, _where(x >= 0, 1.0, -1.0)), "sign {0}"),
    "sign": _flat("sign {0}"),
    "floor": _flat("⌊{0}⌋"),
    "ceil": _flat("⌈{0}⌉"),
    "round": _flat("round({0})"),
    "stop_gradient": _flat("stop_gradient({0})"),
    "convert_element_type": _Rule(  # a cast to an integer or bool has no derivative
        lambda a, p: (
            f"{a[0]}"
            if jnp.issubdtype(p["new_dtype"], jnp.inexact)
            else f"{p['new_dtype']}({a[0]})"
        ),
        lambda v, o, p: (1.0 if jnp.issubdtype(p["new_dtype"], jnp.inexact) else None,),
        lambda a, o, p: ("1",),
    ),
    "copy": _unary("{0}", lambda x, o: 1.0, "1"),
    "copy_p": _unary("{0}", lambda x, o: 1.0, "1"),
    "select_n": _Rule(
        _select_n,
        # jax selects the tangent: the other cases do not enter, even if infinite;
        # its transpose sends them a zero adjoint (which is NaN times an infinity)
        lambda v, o, p: (
            None,
            *(_f(o, 1.0) if bool(v[0] == k) else None for k in range(len(v) - 1)),
        ),
        lambda a, o, p: (
            None,
            *(
                f"[{a[0]} = {k}]" if len(a) > 3 else f"[not {a[0]}]" if k == 0 else f"[{a[0]}]"
                for k in range(len(a) - 1)
            ),
        ),
        vjp=lambda v, g: (
            None,
            *(g if bool(v[0] == k) else jnp.zeros_like(g) for k in range(len(v) - 1)),
        ),
    ),
    "clamp": _Rule(
        lambda a, p: f"clamp({a[1]}, {a[0]}, {a[2]})",
        lambda v, o, p: tuple(_f(o, 1.0) if c else None for c in _clamp_cases(v)),
        lambda a, o, p: (
            f"[{a[1]} < {a[0]} < {a[2]}]",
            f"[{a[0]} < {a[1]} < {a[2]}]",
            f"[{a[2]} < {a[1]}]",
        ),
        vjp=lambda v, g: tuple(g if c else jnp.zeros_like(g) for c in _clamp_cases(v)),
    ),
    "gt": _compare(">"),
    "ge": _compare("≥"),
    "lt": _compare("<"),
    "le": _compare("≤"),
    "eq": _compare("="),
    "ne": _compare("≠"),
    "and": _compare("and"),
    "or": _compare("or"),
    "not": _Rule(lambda a, p: f"not {a[0]}", lambda v, o, p: (None,), lambda a, o, p: (None,)),
    "is_finite": _Rule(
        lambda a, p: f"isfinite({a[0]})", lambda v, o, p: (None,), lambda a, o, p: (None,)
    ),
}
#: Partial derivatives, as text, of the custom_jvp functions people use most (relu, logaddexp:
#: jax.nn.relu, jax.nn.softplus, jnp.logaddexp); the numbers come from their own jvp rule.
CUSTOM_TEXT: dict[str, Callable[[list, str], tuple]] = {
    "relu": lambda a, o: (f"[{a[0]} > 0]",),
    "logaddexp": lambda a, o: (f"exp({a[0]} − {o})", f"exp({a[1]} − {o})"),
}
CUSTOM_ARITY = {"relu": "x", "logaddexp": "xy"}
