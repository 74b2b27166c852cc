"""The one table of primitive derivatives: each primitive's partials, written once.

An entry of :data:`TABLE` holds, for one primitive :math:`y = \\varphi(x_1, \\dots, x_n)`, its
local partial derivatives :math:`\\partial y / \\partial x_i`, one per argument, and the same
partials as text. Everything else is derived from it (as HIPS autograd derives from its one
``defvjp`` per primitive):

- the teaching engine's JVP rules (:data:`diffprog.autodiff.JVPS`): the tangent
  :math:`\\dot y = \\sum_i \\frac{\\partial y}{\\partial x_i} \\dot x_i`;
- its VJP rules (:data:`diffprog.autodiff.VJPS`): the adjoints
  :math:`\\bar x_i \\mathrel{+}= \\bar y \\, \\frac{\\partial y}{\\partial x_i}`;
- the rows of :func:`diffprog.explain.explain`, looked up by the jax primitive object
  (``jax.lax.sin_p``) in :data:`BY_JAX`;
- the elementary functions of :mod:`diffprog.rules` (``sin``, ``exp``, ``log`` ...).

**One formula, two number systems.** A partial is a function ``(ops, ans, *args)`` of the
primitive's output ``ans`` and inputs, written with the operations of a namespace ``ops``:
``jax.numpy`` for explain and the rules, :mod:`diffprog.autodiff.primitives` for the engine.
Run on the engine's boxes, a partial is recorded like any program, so the engine differentiates
it again (grad of grad). A partial may also be a number (``1.0``: no work) or ``None`` (no
derivative flows along that argument: a comparison, a selector). The formulas are jax's own, with
jax's values at the edges (``pow`` at 0, ties of ``max``/``min``, ``select_n`` selecting); where
a derivative is infinite jax returns inf, and the engine raises instead (its own operations raise
outside their domains, e.g. ``0.5 / 0`` in ``sqrt``'s partial at 0).

``tests/test_explain.py`` checks the jax side against ``jax.jvp``/``jax.grad`` and
``tests/test_autodiff.py`` the engine side.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax.numpy as jnp
from jax import lax

__all__ = ["BY_JAX", "BY_NAME", "CUSTOM_TEXT", "TABLE", "Entry", "for_jax", "render"]

#: A partial derivative: ``(ops, ans, *args, **params) -> ∂ans/∂arg``, a constant, or None.
Partial = Callable[..., Any] | float | None
#: A text: a ``str.format`` template (``{0}``, ``{1}`` the arguments, ``{out}`` the result, and
#: the primitive's parameters by name), or ``(arg names, out name, params) -> str``.
Text = str | Callable[[list, str, dict], str]


@dataclass(frozen=True)
class Entry:
    """The derivative of one primitive: its partials, written once, and their text.

    A frozen dataclass rather than a :func:`~diffprog._result.result`: it holds functions and
    strings (no arrays), so it is static data, never a pytree.

    Attributes:
        name: the primitive's name (the engine's and the rules' name when they have it).
        partials: one partial per argument (see the module docstring).
        text: the definition, in the notation of explain's tables (``"sin {0}"``).
        partial_texts: one text per argument (``"cos {0}"``); None for a non-differentiable one.
        jax: the jax primitives this entry differentiates (explain looks them up by object).
        engine: whether the teaching engine has this primitive (its JVP and VJP rules derive).
        code: for the rules' elementary functions, ``(function, derivative)`` as code in the
            argument (``{a}`` bare, ``{p}`` parenthesised), e.g. ``("sin({a})", "cos({a})")``.
        params: the jax parameters the partials and texts read (e.g. ``("y",)``).
        expand: for a primitive with a variable number of arguments, ``n -> partials``;
            ``expand_texts`` likewise, ``arg names -> partial texts``.
        jax_partials: jax's own partials, only where its value at an edge differs from the
            table's (``pow`` at :math:`x = y = 0`: jax computes
            :math:`y x^{y-1} = 0 \\cdot \\infty`, NaN; the table gives the limit 0). Explain
            follows jax there, to show what jax does.
        arg_names: the arguments' names in the engine's messages.
        vjp: a transpose that is not ``ȳ × partial`` (``(arg values, ȳ) -> adjoints``).
    """

    name: str
    partials: tuple[Partial, ...]
    text: Text
    partial_texts: tuple[Text | None, ...]
    jax: tuple[Any, ...] = ()
    engine: bool = False
    code: tuple[str, str] | None = None
    params: tuple[str, ...] = ()
    expand: Callable[[int], tuple[Partial, ...]] | None = None
    vjp: Callable[..., tuple] | None = None
    expand_texts: Callable[[list], tuple[Text | None, ...]] | None = None
    jax_partials: tuple[Partial, ...] | None = None
    arg_names: tuple[str, ...] = field(default=("x", "y"))

    def partials_for(self, n: int, jax: bool = False) -> tuple[Partial, ...]:
        """The partials for a call with ``n`` arguments (``jax``: with jax's edge values)."""
        if jax and self.jax_partials is not None:
            return self.jax_partials
        return self.expand(n) if self.expand is not None else self.partials

    def texts_for(self, names: list) -> tuple[Text | None, ...]:
        """The partials' texts for a call with arguments ``names``."""
        return self.expand_texts(names) if self.expand_texts is not None else self.partial_texts

    def partial_at(
        self, i: int, ops: Any, ans: Any, args: tuple, params: dict | None = None
    ) -> Any:
        """The partial :math:`\\partial y / \\partial x_i` at ``args`` (None: no derivative).

        ``ops`` is the namespace the partial computes with; with ``jax.numpy`` it follows jax's
        values at the edges (:attr:`jax_partials`).
        """
        p = self.partials_for(len(args), jax=ops is jnp)[i]
        if p is None or isinstance(p, float | int):
            return p
        kw = {k: params[k] for k in self.params} if params else {}
        return p(ops, ans, *args, **kw)


def render(text: Text | None, names: list, out: str, params: dict | None = None) -> str | None:
    """A text of the table, filled in with the argument names, the output name and params."""
    if text is None or not isinstance(text, str):
        return None if text is None else text(names, out, params or {})
    return text.format(*names, out=out, **(params or {}))


# --------------------------------------------------------------------------- helpers (jax side)


def _f(x: Any, v: Any) -> Any:
    """``v`` as an array of ``x``'s float dtype."""
    return jnp.asarray(v, jnp.result_type(x))


def _balanced(x: Any, out: Any, y: Any) -> Any:
    # jax's rule for max and min: the derivative goes to the argument equal to the result, half
    # each at a tie (and 0 where the result is NaN).
    return _f(x, jnp.where(x == out, 1.0, 0.0) / jnp.where(y == out, 2.0, 1.0))


def _integer_pow(o: Any, ans: Any, x: Any, *, y: int) -> Any:
    return _f(x, 0.0) if y == 0 else _f(x, 1.0) if y == 1 else y * x ** (y - 1)


def _convert(o: Any, ans: Any, x: Any, *, new_dtype: Any) -> Any:
    # a cast to an integer or a bool has no derivative
    return 1.0 if jnp.issubdtype(new_dtype, jnp.inexact) else None


def _select_partials(n: int) -> tuple[Partial, ...]:
    # jax selects the tangent: the other cases do not enter, even if infinite
    def case(k: int) -> Callable[..., Any]:
        return lambda o, ans, which, *cases: _f(ans, 1.0) if bool(which == k) else None

    return (None, *(case(k) for k in range(n - 1)))


def _select_vjp(v: list, g: Any) -> tuple:
    # its transpose sends the other cases a zero adjoint (not g × 0, which is NaN for g = inf)
    return (None, *(g if bool(v[0] == k) else jnp.zeros_like(g) for k in range(len(v) - 1)))


def _select_text(a: list, o: str, p: dict) -> str:
    cases = ", ".join(f"{c} if {a[0]} = {k}" for k, c in enumerate(a[1:]))
    return f"{a[2]} if {a[0]} else {a[1]}" if len(a) == 3 else f"({cases})"


def _select_partial_texts(a: list) -> tuple[str | None, ...]:
    def case(k: int) -> str:
        return f"[{a[0]} = {k}]" if len(a) > 3 else f"[not {a[0]}]" if k == 0 else f"[{a[0]}]"

    return (None, *(case(k) for k in range(len(a) - 1)))


def _clamp_cases(lo: Any, x: Any, hi: Any) -> tuple[bool, bool, bool]:
    # jax's clamp(lo, x, hi) rules: which of lo, x, hi the result follows.
    return bool((lo > x) & (lo < hi)), bool((x > lo) & (x < hi)), bool(hi < x)


def _clamp(i: int) -> Callable[..., Any]:
    return lambda o, ans, lo, x, hi: _f(ans, 1.0) if _clamp_cases(lo, x, hi)[i] else None


def _clamp_vjp(v: list, g: Any) -> tuple:
    return tuple(g if c else jnp.zeros_like(g) for c in _clamp_cases(*v))


_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


# --------------------------------------------------------------------------- the table


def _e(name: str, partials: tuple, text: Text, texts: tuple, *prims: Any, **kw: Any) -> Entry:
    return Entry(name, partials, text, texts, jax=prims, **kw)


def _flat(name: str, text: str, *prims: Any) -> Entry:
    """A function whose derivative jax defines as 0 (floor, sign, stop_gradient...)."""
    return _e(name, (None,), text, ("0",), *prims)


def _compare(name: str, symbol: str, *prims: Any) -> Entry:
    return _e(name, (None, None), f"{{0}} {symbol} {{1}}", (None, None), *prims)


#: Every primitive with its derivative. The first block is the teaching engine's primitives
#: (shared by the engine, explain and the rules); the rest are jax's, for explain.
TABLE: tuple[Entry, ...] = (
    # ---------------------------------------------------------------- the engine's primitives
    _e("add", (1.0, 1.0), "{0} + {1}", ("1", "1"), lax.add_p, "add_any", engine=True),
    _e("sub", (1.0, -1.0), "{0} − {1}", ("1", "−1"), lax.sub_p, engine=True),
    _e(
        "mul",
        (lambda o, ans, x, y: y, lambda o, ans, x, y: x),
        "{0} × {1}",
        ("{1}", "{0}"),
        lax.mul_p,
        engine=True,
    ),
    _e(
        "div",
        (lambda o, ans, x, y: 1.0 / y, lambda o, ans, x, y: -ans / y),
        "{0} / {1}",
        ("1/{1}", "−{0}/{1}²"),
        lax.div_p,
        engine=True,
    ),
    _e("neg", (-1.0,), "−{0}", ("−1",), lax.neg_p, engine=True, arg_names=("x",)),
    _e(
        "pow",
        (
            # y x^(y-1), and 0 at y = 0 (as jax: the exponent y - 1 + [y = 0] avoids 0 * inf)
            lambda o, ans, x, y: y * x ** (y - 1.0 + 1.0 * (y == 0)),
            # ln(x) x^y, with ln 0 read as 0 (the limit, as jax takes it)
            lambda o, ans, x, y: o.log(x + 1.0 * (x == 0)) * ans,
        ),
        "{0}^{1}",
        ("{1}·{0}^({1} − 1)", "ln {0} · {out}"),
        lax.pow_p,
        engine=True,
        jax_partials=(
            lambda o, ans, x, y: y * x ** (y - 1),
            lambda o, ans, x, y: o.log(x + 1.0 * (x == 0)) * ans,
        ),
    ),
    _e(
        "exp",
        (lambda o, ans, x: ans,),
        "exp {0}",
        ("{out}",),
        lax.exp_p,
        engine=True,
        code=("exp({a})", "exp({a})"),
        arg_names=("x",),
    ),
    _e(
        "log",
        (lambda o, ans, x: 1.0 / x,),
        "ln {0}",
        ("1/{0}",),
        lax.log_p,
        engine=True,
        code=("log({a})", "1/{p}"),
        arg_names=("x",),
    ),
    _e(
        "sin",
        (lambda o, ans, x: o.cos(x),),
        "sin {0}",
        ("cos {0}",),
        lax.sin_p,
        engine=True,
        code=("sin({a})", "cos({a})"),
        arg_names=("x",),
    ),
    _e(
        "cos",
        (lambda o, ans, x: -o.sin(x),),
        "cos {0}",
        ("−sin {0}",),
        lax.cos_p,
        engine=True,
        code=("cos({a})", "-sin({a})"),
        arg_names=("x",),
    ),
    _e(
        "tanh",
        (lambda o, ans, x: (1.0 + ans) * (1.0 - ans),),
        "tanh {0}",
        ("1 − {out}²",),
        lax.tanh_p,
        engine=True,
        code=("tanh({a})", "1 - tanh({a})**2"),
        arg_names=("x",),
    ),
    _e(
        "sqrt",
        (lambda o, ans, x: 0.5 / ans,),
        "√{0}",
        ("1/(2{out})",),
        lax.sqrt_p,
        engine=True,
        code=("sqrt({a})", "1/(2*sqrt({a}))"),
        arg_names=("x",),
    ),
    _e(
        "sigmoid",
        (lambda o, ans, x: ans * (1.0 - ans),),
        "σ({0})",
        ("{out}(1 − {out})",),
        lax.logistic_p,
        engine=True,
        code=("sigmoid({a})", "sigmoid({a})*(1 - sigmoid({a}))"),
        arg_names=("x",),
    ),
    _e(
        "abs",
        # sign x as a constant: +1 for x >= 0 (at the kink jax takes +1 too), -1 below
        (lambda o, ans, x: 1.0 - 2.0 * (x < 0),),
        "|{0}|",
        ("sign {0}",),
        lax.abs_p,
        engine=True,
        arg_names=("x",),
    ),
    # ---------------------------------------------------------------- jax's, for explain
    _e(
        "max",
        (lambda o, ans, x, y: _balanced(x, ans, y), lambda o, ans, x, y: _balanced(y, ans, x)),
        "max({0}, {1})",
        ("[{0} > {1}] + ½[{0} = {1}]", "[{1} > {0}] + ½[{0} = {1}]"),
        lax.max_p,
    ),
    _e(
        "min",
        (lambda o, ans, x, y: _balanced(x, ans, y), lambda o, ans, x, y: _balanced(y, ans, x)),
        "min({0}, {1})",
        ("[{0} < {1}] + ½[{0} = {1}]", "[{1} < {0}] + ½[{0} = {1}]"),
        lax.min_p,
    ),
    _e(
        "integer_pow",
        (_integer_pow,),
        "{0}^{y}",
        (lambda a, o, p: f"{p['y']}·{a[0]}^{p['y'] - 1}",),
        lax.integer_pow_p,
        params=("y",),
    ),
    _e(
        "atan2",
        (
            lambda o, ans, x, y: y / (x**2 + y**2),
            lambda o, ans, x, y: -x / (x**2 + y**2),
        ),
        "atan2({0}, {1})",
        ("{1}/({0}² + {1}²)", "−{0}/({0}² + {1}²)"),
        lax.atan2_p,
    ),
    _e("log1p", (lambda o, ans, x: 1 / (1 + x),), "ln(1 + {0})", ("1/(1 + {0})",), lax.log1p_p),
    _e("exp2", (lambda o, ans, x: math.log(2) * ans,), "2^{0}", ("ln 2 · {out}",), lax.exp2_p),
    _e("expm1", (lambda o, ans, x: ans + 1,), "exp({0}) − 1", ("{out} + 1",), lax.expm1_p),
    _e("tan", (lambda o, ans, x: 1 + ans * ans,), "tan {0}", ("1 + {out}²",), lax.tan_p),
    _e(
        "asin",
        (lambda o, ans, x: lax.rsqrt(1 - x * x),),
        "asin {0}",
        ("1/√(1 − {0}²)",),
        lax.asin_p,
    ),
    _e(
        "acos",
        (lambda o, ans, x: -lax.rsqrt(1 - x * x),),
        "acos {0}",
        ("−1/√(1 − {0}²)",),
        lax.acos_p,
    ),
    _e("atan", (lambda o, ans, x: 1 / (1 + x * x),), "atan {0}", ("1/(1 + {0}²)",), lax.atan_p),
    _e("sinh", (lambda o, ans, x: o.cosh(x),), "sinh {0}", ("cosh {0}",), lax.sinh_p),
    _e("cosh", (lambda o, ans, x: o.sinh(x),), "cosh {0}", ("sinh {0}",), lax.cosh_p),
    _e(
        "asinh",
        (lambda o, ans, x: lax.rsqrt(x * x + 1),),
        "asinh {0}",
        ("1/√({0}² + 1)",),
        lax.asinh_p,
    ),
    _e(
        "acosh",
        (lambda o, ans, x: lax.rsqrt(x * x - 1),),
        "acosh {0}",
        ("1/√({0}² − 1)",),
        lax.acosh_p,
    ),
    _e(
        "atanh",
        (lambda o, ans, x: 1 / (1 + x) / (1 - x),),
        "atanh {0}",
        ("1/(1 − {0}²)",),
        lax.atanh_p,
    ),
    _e(
        "erf",
        (lambda o, ans, x: _TWO_OVER_SQRT_PI * o.exp(-x * x),),
        "erf {0}",
        ("2/√π · exp(−{0}²)",),
        lax.erf_p,
    ),
    _e(
        "erfc",
        (lambda o, ans, x: -_TWO_OVER_SQRT_PI * o.exp(-x * x),),
        "erfc {0}",
        ("−2/√π · exp(−{0}²)",),
        lax.erfc_p,
    ),
    _e(
        "erf_inv",
        (lambda o, ans, x: math.sqrt(math.pi) / 2 * o.exp(ans * ans),),
        "erf⁻¹ {0}",
        ("√π/2 · exp({out}²)",),
        lax.erf_inv_p,
    ),
    _e("rsqrt", (lambda o, ans, x: -0.5 * (ans / x),), "1/√{0}", ("−{out}/(2{0})",), lax.rsqrt_p),
    _e(
        "cbrt",
        (lambda o, ans, x: (1 / 3) * lax.integer_pow(ans, -2),),
        "∛{0}",
        ("1/(3{out}²)",),
        lax.cbrt_p,
    ),
    _e("square", (lambda o, ans, x: 2 * x,), "{0}²", ("2{0}",), lax.square_p),
    _e("copy", (1.0,), "{0}", ("1",), lax.copy_p, "copy"),
    _e(
        "convert_element_type",
        (_convert,),
        lambda a, o, p: (
            a[0] if jnp.issubdtype(p["new_dtype"], jnp.inexact) else f"{p['new_dtype']}({a[0]})"
        ),
        ("1",),
        lax.convert_element_type_p,
        params=("new_dtype",),
    ),
    _e(
        "select_n",
        (),
        _select_text,
        (),
        lax.select_n_p,
        expand=_select_partials,
        expand_texts=_select_partial_texts,
        vjp=_select_vjp,
    ),
    _e(
        "clamp",
        (_clamp(0), _clamp(1), _clamp(2)),
        "clamp({1}, {0}, {2})",
        ("[{1} < {0} < {2}]", "[{0} < {1} < {2}]", "[{2} < {1}]"),
        lax.clamp_p,
        vjp=_clamp_vjp,
    ),
    _flat("sign", "sign {0}", lax.sign_p),
    _flat("floor", "⌊{0}⌋", lax.floor_p),
    _flat("ceil", "⌈{0}⌉", lax.ceil_p),
    _flat("round", "round({0})", lax.round_p),
    _flat("stop_gradient", "stop_gradient({0})", "stop_gradient"),
    _compare("gt", ">", lax.gt_p),
    _compare("ge", "≥", lax.ge_p),
    _compare("lt", "<", lax.lt_p),
    _compare("le", "≤", lax.le_p),
    _compare("eq", "=", lax.eq_p),
    _compare("ne", "≠", lax.ne_p),
    _compare("and", "and", lax.and_p),
    _compare("or", "or", lax.or_p),
    _e("not", (None,), "not {0}", (None,), lax.not_p),
    _e("is_finite", (None,), "isfinite({0})", (None,), lax.is_finite_p),
)

#: Entry by its name (``"sin"``).
BY_NAME: dict[str, Entry] = {e.name: e for e in TABLE}
#: Entry by jax primitive: the primitive object (``jax.lax.sin_p``) where jax exports it, else
#: its name (``"add_any"``, jax's internal sum of adjoints).
BY_JAX: dict[Any, Entry] = {p: e for e in TABLE for p in e.jax}


def for_jax(primitive: Any) -> Entry | None:
    """The entry of a jax primitive (by object, or by name for those jax does not export)."""
    entry = BY_JAX.get(primitive)
    return entry if entry is not None else BY_JAX.get(getattr(primitive, "name", None))


#: Partial derivatives, as text, of the custom_jvp functions people use most (jax.nn.relu,
#: jax.nn.softplus's logaddexp, jnp.logaddexp), by function name: their numbers come from their
#: own jvp rule, through jax.
CUSTOM_TEXT: dict[str, tuple[Text, ...]] = {
    "relu": ("[{0} > 0]",),
    "logaddexp": ("exp({0} − {out})", "exp({1} − {out})"),
}


def _check() -> None:  # pragma: no cover - a consistency check run at import
    for e in TABLE:
        if e.expand is None:
            assert len(e.partials) == len(e.partial_texts), e.name


_check()
del _check
