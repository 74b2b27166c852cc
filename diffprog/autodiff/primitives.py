"""The primitives of the teaching engine: their values, their domains, and how a call is dispatched.

Every differentiable operation is a *primitive* with a name (``"sin"``, ``"mul"``...)
and a numpy implementation in :data:`IMPLS`. A program is built from primitives
only, through :func:`bind`: when an argument is a *box* (a :class:`~.forward.Dual`
number, or a :class:`~.reverse.Node` on a tape), the box decides what happens (carry
a tangent, record a node); on plain numbers the primitive is just evaluated. The
derivative rules are derived from the one table of partial derivatives
(:mod:`diffprog._derivative_table`, shared with :func:`diffprog.explain` and
:mod:`diffprog.rules`): one JVP rule per primitive in :mod:`.jvp_rules`, one VJP rule per
primitive in :mod:`.vjp_rules`, both ``incoming × partial`` (:func:`times_partial`).

**Levels.** Each box carries the *level* of the derivative call that created it: every
call of :func:`~.forward.jvp`, :func:`~.forward.deriv`, :func:`~.reverse.vjp` or
:func:`~.reverse.grad` opens a fresh level, larger than every level before it, and
closes it when it returns. :func:`bind` hands an operation to the box of the *highest*
level among its arguments (the innermost derivative now running); that box unwraps
only the boxes of its own level and treats every other argument -- including boxes of
outer levels -- as a constant, which is itself a box of the outer level, so the outer
derivative sees the inner computation. This is the classic cure for *perturbation
confusion* (Siskind & Pearlmutter 2005; jax's tracers carry their level the same way):
without it, ``deriv(lambda x: x * deriv(lambda y: x * y)(2.0))(1.0)`` mixes
the two perturbations and gives 3 instead of 2. With it, derivatives nest in any
combination (forward over forward, reverse over reverse, and mixed). Boxes built by
hand (``Dual(2.0, 1.0)``, ``Node(2.0)``) have level 0, below every call.

**Domains.** Evaluated on plain numbers, an operation outside its domain raises
:class:`DomainError` naming the operation and the value -- ``x / 0``, ``log`` of
``x <= 0``, ``sqrt`` of ``x < 0``, ``0 ** y`` with ``y < 0``, a negative base with a
non-integer exponent, and any other operation whose result would be NaN -- as do the
derivative rules where the derivative is infinite (``sqrt`` at 0). jax returns inf/nan
there instead; the engine stops at the first such operation, so a NaN never travels
silently to the result. Overflow (``exp(1000.0)``) gives inf, as in numpy and jax.

The operations work on Python floats and numpy scalars (and elementwise on numpy
arrays of one shape; broadcasting is not differentiated).

References:
    Siskind, Pearlmutter (2005), Perturbation confusion and referential transparency:
    correct functional implementation of forward-mode AD, IFL 2005.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .._derivative_table import BY_NAME, TABLE, Entry, render
from .._validate import InputError, fail, is_tracer

__all__ = [
    "IMPLS",
    "DOMAINS",
    "ENGINE_ENTRIES",
    "Box",
    "DomainError",
    "bind",
    "base_value",
    "new_level",
    "quiet_numpy",
    "abs",
    "cos",
    "exp",
    "log",
    "pow",
    "sigmoid",
    "sin",
    "sqrt",
    "tanh",
]


class DomainError(InputError, ArithmeticError):
    """An engine operation applied outside its domain (``log(0.0)``, ``1.0 / 0.0``...).

    Also an ``ArithmeticError`` (the base of ``ZeroDivisionError``) and, as every diffprog
    input error, a ``ValueError`` and a ``TypeError``.
    """


class PrimitiveError(InputError, NotImplementedError):
    """A name that is not a primitive, or a primitive without a derivative rule."""


def _sigmoid(x):
    # 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below: e^-|x| never overflows, and both
    # branches are accurate to a few ulps.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))[()]


#: Primitive name -> numpy implementation.
IMPLS: dict[str, Callable[..., Any]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
    "neg": lambda x: -x,
    "pow": lambda x, y: x**y,
    "exp": np.exp,
    "log": np.log,
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "sqrt": np.sqrt,
    "sigmoid": _sigmoid,
    "abs": np.abs,
}


# ------------------------------------------------------------------ domains


def _any(cond: Any) -> bool:
    return bool(cond) if isinstance(cond, bool) else bool(np.any(cond))


def _show(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def domain_error(name: str, message: str, fix: str) -> DomainError:
    """The error for primitive ``name`` applied outside its domain: ``"name: message. fix"``."""
    return DomainError(f"autodiff.{name}: {message}. {fix}")


def _div_domain(x, y):
    if _any(y == 0):
        raise domain_error(
            "div",
            f"division by zero ({_show(x)} / {_show(y)})",
            "Keep the denominator away from 0 (jax would return inf or nan)",
        )


def _log_domain(x):
    if _any(x <= 0):
        raise domain_error(
            "log",
            f"the logarithm needs x > 0, got x = {_show(x)}",
            "Keep the argument positive, e.g. log(1.0 + x * x) "
            "(jax would return -inf at 0 and nan below)",
        )


def _sqrt_domain(x):
    if _any(x < 0):
        raise domain_error(
            "sqrt",
            f"the square root needs x >= 0, got x = {_show(x)}",
            "Keep the argument non-negative, e.g. sqrt(x * x) (jax would return nan)",
        )


def _pow_domain(x, y):
    if _any((x == 0) & (y < 0)):
        raise domain_error(
            "pow",
            f"0 ** y with y < 0 is a division by zero, got {_show(x)} ** {_show(y)}",
            "Keep the base away from 0",
        )
    if _any((x < 0) & (np.floor(y) != y)):
        raise domain_error(
            "pow",
            f"a negative base needs a whole exponent, got {_show(x)} ** {_show(y)}",
            "Use a positive base, e.g. abs(x) ** y, or a whole exponent",
        )


#: Primitive name -> a check of its arguments (plain numbers) that raises DomainError.
DOMAINS: dict[str, Callable[..., None]] = {
    "div": _div_domain,
    "log": _log_domain,
    "sqrt": _sqrt_domain,
    "pow": _pow_domain,
}


def _check_result(name: str, args: tuple, out: Any) -> None:
    """Raise if ``out`` is NaN though no argument is (an operation outside its domain)."""
    nan = out != out if isinstance(out, float) else _any(np.isnan(out))
    if nan and not any(_any(np.isnan(a)) for a in args):
        shown = ", ".join(_show(a) for a in args)
        raise domain_error(
            name,
            f"the result is NaN for the argument(s) {shown}",
            "Keep the arguments inside the operation's domain (e.g. no inf - inf, "
            "no 0 * inf, no sin of inf)",
        )


# ------------------------------------------------------------------ derivatives, from the table

#: The table's entries of the engine's primitives (their JVP and VJP rules derive from them).
ENGINE_ENTRIES: tuple[Entry, ...] = tuple(e for e in TABLE if e.engine)


def local_partial(name: str, i: int, ans: Any, args: tuple) -> Any:
    """The partial :math:`\\partial y / \\partial x_i` of primitive ``name``, in the engine's ops.

    Computed with the engine's own operations (this module), so on boxes of an outer level it is
    recorded and differentiated again. Where it is not finite (``sqrt`` at 0) an operation in it
    leaves its domain; the error then names the derivative.
    """
    entry = BY_NAME[name]
    partial = entry.partials[i]
    if not callable(partial):  # a constant (the rules of times_partial skip 1 and -1)
        return partial
    try:
        out = partial(_OPS, ans, *args)
    except DomainError as err:
        if "the derivative" in str(err):
            raise
        raise _partial_error(entry, i, args, f" ({err})") from err
    except (ZeroDivisionError, OverflowError) as err:  # Python floats: 0.0 ** -0.5, 0.5 / 0.0
        raise _partial_error(entry, i, args, "") from err
    if not _finite(out) and _finite(ans) and all(_finite(a) for a in args):
        raise _partial_error(entry, i, args, "")  # numpy floats: 0.5 / np.float64(0.0) is inf
    return out


def _finite(x: Any) -> bool:
    while isinstance(x, Box):
        x = x.value
    if isinstance(x, float):  # Python and numpy float64 scalars: the fast path
        return math.isfinite(x)
    return x is None or isinstance(x, bool) or bool(np.all(np.isfinite(x)))


@contextmanager
def quiet_numpy() -> Iterator[None]:
    """numpy's divide/overflow/invalid warnings off while a derivative call runs.

    The engine reports an operation outside its domain, or an infinite partial, as a
    :class:`DomainError` itself; numpy's RuntimeWarning before it would only repeat it.
    """
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        yield


def _partial_error(entry: Entry, i: int, args: tuple, why: str) -> DomainError:
    names = list(entry.arg_names[: len(args)])
    formula = render(entry.partial_texts[i], names, str(render(entry.text, names, "")))
    at = ", ".join(f"{n} = {_show(base_value(a))}" for n, a in zip(names, args, strict=True))
    return domain_error(
        entry.name,
        f"the derivative with respect to {names[i]}, {formula}, is infinite or undefined "
        f"at {at}{why}",
        "Differentiate inside the domain (jax would return inf or nan there)",
    )


def times_partial(entry: Entry) -> tuple[Callable[..., Any], ...]:
    """One rule per argument, ``(s, ans, *args) -> s · ∂y/∂x_i``, for a tangent or an adjoint.

    For these scalar, elementwise primitives the JVP rule (``s`` a tangent) and the VJP rule
    (``s`` an adjoint) are the same product; a partial that is the constant 1 or -1 costs no
    operation.
    """

    def rule(i: int, partial: Any) -> Callable[..., Any]:
        if isinstance(partial, float) and partial == 1.0:
            return lambda s, ans, *args: s
        if isinstance(partial, float) and partial == -1.0:
            return lambda s, ans, *args: -s
        return lambda s, ans, *args: s * local_partial(entry.name, i, ans, args)

    return tuple(rule(i, p) for i, p in enumerate(entry.partials))


# ------------------------------------------------------------------ levels

_LEVELS = itertools.count(1)
_ACTIVE: list[int] = []  # the levels of the derivative calls now running, innermost last


@contextmanager
def new_level() -> Iterator[int]:
    """Open a fresh level for one derivative call (larger than all before), closed on exit."""
    level = next(_LEVELS)
    _ACTIVE.append(level)
    try:
        yield level
    finally:
        _ACTIVE.remove(level)


def base_value(x: Any) -> Any:
    """The plain number underneath any boxes of any level."""
    while isinstance(x, Box):
        x = x.value
    return x


# ------------------------------------------------------------------ boxes and dispatch

_UFUNCS = {
    np.add: "add",
    np.subtract: "sub",
    np.multiply: "mul",
    np.true_divide: "div",
    np.negative: "neg",
    np.power: "pow",
    np.exp: "exp",
    np.log: "log",
    np.sin: "sin",
    np.cos: "cos",
    np.tanh: "tanh",
    np.sqrt: "sqrt",
    np.absolute: "abs",
}


class Box:
    """A value carrying extra information through primitives (a dual number, a tape node).

    Subclasses have a ``level`` (see the module docstring), set ``_priority`` (which of two
    boxes of the same level, built by hand, acts first) and implement
    ``_apply(name, args, level)``. Arithmetic operators and the numpy functions that are
    primitives all go through :func:`bind`, so ``x * y + np.sin(x)`` works on any box.
    Comparisons and truth tests see the plain values (so ``x if x > 0 else 0.0`` works);
    boxes hash by identity.
    """

    __slots__ = ()
    _priority = 0
    level: int
    value: Any

    @classmethod
    def _apply(cls, name: str, args: tuple, level: int) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def __add__(self, other):
        return bind("add", self, other)

    def __radd__(self, other):
        return bind("add", other, self)

    def __sub__(self, other):
        return bind("sub", self, other)

    def __rsub__(self, other):
        return bind("sub", other, self)

    def __mul__(self, other):
        return bind("mul", self, other)

    def __rmul__(self, other):
        return bind("mul", other, self)

    def __truediv__(self, other):
        return bind("div", self, other)

    def __rtruediv__(self, other):
        return bind("div", other, self)

    def __pow__(self, other):
        return bind("pow", self, other)

    def __rpow__(self, other):
        return bind("pow", other, self)

    def __neg__(self):
        return bind("neg", self)

    def __pos__(self):
        return self

    def __abs__(self):
        return bind("abs", self)

    def __lt__(self, other):
        return base_value(self) < base_value(other)

    def __le__(self, other):
        return base_value(self) <= base_value(other)

    def __gt__(self, other):
        return base_value(self) > base_value(other)

    def __ge__(self, other):
        return base_value(self) >= base_value(other)

    def __eq__(self, other):
        return base_value(self) == base_value(other)

    def __ne__(self, other):
        return base_value(self) != base_value(other)

    def __bool__(self):
        return bool(base_value(self))

    __hash__ = object.__hash__  # identity, as the tape needs

    def __float__(self):
        raise fail(
            "autodiff",
            f"float() of a {type(self).__name__} would drop its derivative "
            "(math.sin, math.exp... call float())",
            "Use the engine's operations (ad.sin, ad.exp...) inside the function, and "
            "read .value for the plain number",
        )

    def _unsupported(self, *_):
        raise fail(
            "autodiff",
            f"this operation on a {type(self).__name__} is not a primitive of "
            "the engine (%, //, @, int(), round() have no derivative rule here)",
            f"Use the engine's operations: {sorted(IMPLS)}",
        )

    __mod__ = __rmod__ = __floordiv__ = __rfloordiv__ = __divmod__ = __rdivmod__ = _unsupported
    __matmul__ = __rmatmul__ = __int__ = __round__ = __trunc__ = __floor__ = __ceil__ = _unsupported

    __array_priority__ = 1000

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        name = _UFUNCS.get(ufunc)
        if name is None or method != "__call__" or kwargs:
            raise fail(
                "autodiff",
                f"numpy's {ufunc.__name__} is not a primitive of the engine",
                f"Use the engine's operations: {sorted(IMPLS)}",
            )
        return bind(name, *inputs)


def _escaped(box: Box) -> InputError:
    return fail(
        "autodiff",
        f"a {type(box).__name__} of level {box.level} was used after the "
        "derivative call that created it returned (it escaped, e.g. kept in a global, "
        "a list or a closure)",
        "Use it inside that call only, or keep its plain number (.value)",
    )


def bind(name: str, *args: Any) -> Any:
    """Apply primitive ``name`` to ``args``: evaluate it, or hand it to the innermost box.

    The box of the highest level among ``args`` handles the operation (see the module
    docstring); with no box, the primitive is evaluated after its domain check.

    Raises:
        PrimitiveError: if ``name`` is not a primitive (see :data:`IMPLS`).
        DomainError: if the operation is evaluated outside its domain.
        InputError: if a box is used after its derivative call returned.

    Example:
        >>> bind("mul", 3.0, 4.0)
        12.0
    """
    impl = IMPLS.get(name)
    if impl is None:
        raise PrimitiveError(
            f"autodiff.bind: {name!r} is not a primitive of diffprog.autodiff; "
            f"known: {sorted(IMPLS)}"
        )
    top = None
    for a in args:
        if isinstance(a, Box) and (
            top is None or (a.level, a._priority) > (top.level, top._priority)
        ):
            top = a
    if top is None:
        check = DOMAINS.get(name)
        if check is not None:
            check(*args)
        try:
            out = impl(*args)
        except OverflowError:  # Python's float ** float: give inf, as numpy and jax do
            with np.errstate(over="ignore"):
                out = float(impl(*(np.float64(a) for a in args)))
        except TypeError as err:
            shown = ", ".join(f"{type(a).__name__} {_show(a)}" for a in args)
            raise fail(
                f"autodiff.{name}",
                f"the arguments must be numbers, got {shown}",
                "Compute with floats and the engine's operations only",
            ) from err
        _check_result(name, args, out)
        return out
    if top.level and top.level not in _ACTIVE:
        raise _escaped(top)
    return type(top)._apply(name, args, top.level)


# ------------------------------------------------------------------ argument checks


def check_input(func: str, name: str, x: Any) -> Any:
    """A point to differentiate at: a finite real float (Python, numpy) or a box; else raise.

    Concrete jax arrays are converted to numpy; ints and bools are refused, as ``jax.grad``
    refuses them.
    """
    if isinstance(x, Box):
        return x
    if is_tracer(x):
        raise fail(
            func,
            f"{name} is a jax tracer (the engine was called under jax.jit, vmap or "
            "grad); the teaching engine computes with concrete numpy numbers",
            "Call it outside jax's transformations, or use jax.grad there",
        )
    if isinstance(x, bool) or isinstance(x, int | np.integer | np.bool_):
        fix = "Pass a float" if isinstance(x, bool | np.bool_) else f"Pass {float(x)!r}"
        raise fail(
            func,
            f"{name} must be a float, got the {type(x).__name__} {x!r} (jax.grad "
            "refuses integers and bools too)",
            fix,
        )
    if isinstance(x, float):
        if not math.isfinite(x):
            raise fail(func, f"{name} must be finite, got {x!r}", "Differentiate at a finite point")
        return x
    if x is None or isinstance(x, str | bytes | complex | tuple | list | dict | set):
        raise fail(
            func,
            f"{name} must be a float or a numpy float array, got {type(x).__name__} {_show(x)}",
            "Pass e.g. 1.0",
        )
    try:
        arr = np.asarray(x)
    except Exception as err:  # noqa: BLE001 - anything numpy cannot read is bad input
        raise fail(
            func,
            f"{name} must be a float or a numpy float array, got {type(x).__name__}",
            "Pass e.g. 1.0",
        ) from err
    if not np.issubdtype(arr.dtype, np.floating):
        raise fail(
            func,
            f"{name} must hold real floats, got dtype {arr.dtype} ({type(x).__name__})",
            "Pass floats, e.g. np.asarray(x, dtype=float)",
        )
    if arr.size == 0:
        raise fail(func, f"{name} is empty (shape {arr.shape})", "Pass at least one number")
    if not np.all(np.isfinite(arr)):
        raise fail(func, f"{name} must be finite, got {_show(x)}", "Differentiate at finite points")
    if isinstance(x, np.ndarray | np.generic):
        return x
    return arr[()] if arr.ndim == 0 else arr  # e.g. a concrete jax array -> numpy


def check_output(func: str, out: Any, scalar: bool) -> Any:
    """The user's function returned ``out``: a number, a numpy float array or a box; else raise."""
    value = base_value(out)
    if value is None or isinstance(value, str | bytes | tuple | list | dict | set | bool):
        kind = "None" if value is None else type(value).__name__
        hint = " (did you forget `return`?)" if value is None else ""
        raise fail(
            func,
            f"the function must return {'one number' if scalar else 'a number'}, got {kind}{hint}",
            "Return a single value built with the engine's operations"
            + (
                "; for several outputs, differentiate each one"
                if isinstance(value, tuple | list | dict | set)
                else ""
            ),
        )
    try:
        arr = np.asarray(value)
    except Exception as err:  # noqa: BLE001
        raise fail(
            func,
            f"the function must return a number, got {type(value).__name__}",
            "Return a value built with the engine's operations",
        ) from err
    if np.iscomplexobj(arr) or not np.issubdtype(arr.dtype, np.number):
        raise fail(
            func,
            f"the function must return a real number, got {type(value).__name__} "
            f"of dtype {arr.dtype}",
            "Return a real value",
        )
    if scalar and arr.ndim != 0:
        raise fail(
            func,
            f"grad needs a scalar-valued function, got an output of shape {arr.shape}",
            "Reduce it to one number (a sum), or use vjp with an output adjoint of that shape",
        )
    return out


# ------------------------------------------------------------------ the operations


def exp(x):
    """e^x (primitive ``exp``)."""
    return bind("exp", x)


def log(x):
    """Natural logarithm (primitive ``log``; raises :class:`DomainError` for ``x <= 0``)."""
    return bind("log", x)


def sin(x):
    """sin x (primitive ``sin``)."""
    return bind("sin", x)


def cos(x):
    """cos x (primitive ``cos``)."""
    return bind("cos", x)


def tanh(x):
    """tanh x (primitive ``tanh``)."""
    return bind("tanh", x)


def sqrt(x):
    """Square root (primitive ``sqrt``; raises for ``x < 0``, its derivative raises at 0)."""
    return bind("sqrt", x)


def sigmoid(x):
    """The logistic function 1 / (1 + e^-x) (primitive ``sigmoid``)."""
    return bind("sigmoid", x)


def pow(x, y):
    """x ** y (primitive ``pow``; a negative ``x`` needs a whole ``y``)."""
    return bind("pow", x, y)


def abs(x):
    """:math:`|x|` (primitive ``abs``; its derivative at 0 is taken as +1, as jax does)."""
    return bind("abs", x)


_OPS = sys.modules[__name__]  # the namespace the table's partials compute with, here
