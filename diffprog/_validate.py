"""Argument validation shared by the whole public API: one message style, one error type.

Every public function checks its arguments with these helpers before doing any work, so bad
input fails at the call with a message that says what was given, what is allowed, and the fix::

    diffprog.derivative(f, x, h=0.0)
    InputError: derivative: h must be a finite number > 0, got 0.0. Pass a positive step, or
    h=None for the automatic step.

Values that are jax tracers (the user's own ``jit``/``vmap``/``grad`` around a diffprog call) are
not concrete, so value checks (sign, finiteness) are skipped for them; type and shape checks still
run. ``is_tracer`` is the one way the package detects tracing.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = [
    "InputError",
    "fail",
    "is_tracer",
    "check_callable",
    "check_choice",
    "check_int",
    "check_positive",
    "check_nonnegative",
    "check_finite_scalar",
    "check_real_floating",
    "check_output",
    "check_representable",
]


class InputError(ValueError, TypeError):
    """Bad input to a diffprog function: the message names the argument, what is allowed, the fix.

    It subclasses both ``ValueError`` and ``TypeError`` so that code catching either (as callers of
    numpy and jax functions do) catches it too.
    """


def fail(func: str, message: str, fix: str | None = None) -> InputError:
    """Build the error (the caller raises it): ``"func: message. fix"``."""
    text = f"{func}: {message}"
    if fix:
        text = f"{text.rstrip('.')}. {fix}"
    return InputError(text)


def is_tracer(x: Any) -> bool:
    """Whether ``x`` (or any leaf of it) is a jax tracer: under the user's jit/vmap/grad."""
    return any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree_util.tree_leaves(x))


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_callable(func: str, name: str, value: Any) -> Callable:
    """``value`` must be callable."""
    if not callable(value):
        raise fail(
            func,
            f"{name} must be a callable, got {type(value).__name__} {_show(value)}",
            f"Pass a function, e.g. {name}=lambda x: x**2",
        )
    return value


def check_choice(func: str, name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """``value`` must be one of ``allowed`` (strings compared exactly)."""
    allowed = tuple(allowed)
    if not isinstance(value, str | type(None) | int) or value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise fail(func, f"{name} must be one of {shown}; got {_show(value)}")
    return value


def _concrete_float(func: str, name: str, value: Any) -> float | None:
    """``float(value)`` for a concrete real scalar; None for a tracer; raises for anything else."""
    if is_tracer(value):
        if jnp.ndim(value) != 0:
            raise fail(func, f"{name} must be a scalar, got shape {jnp.shape(value)}")
        return None
    if isinstance(value, bool) or value is None or isinstance(value, str):
        raise fail(func, f"{name} must be a real number, got {type(value).__name__} {_show(value)}")
    arr = np.asarray(value)
    if arr.ndim != 0:
        raise fail(func, f"{name} must be a scalar, got an array of shape {arr.shape}")
    if np.iscomplexobj(arr):
        raise fail(func, f"{name} must be real, got the complex number {_show(value)}")
    if not (np.issubdtype(arr.dtype, np.number)):
        raise fail(func, f"{name} must be a real number, got {type(value).__name__} {_show(value)}")
    return float(arr)


def check_finite_scalar(func: str, name: str, value: Any) -> Any:
    """``value`` must be a finite real scalar (tracers pass the value check)."""
    v = _concrete_float(func, name, value)
    if v is not None and not math.isfinite(v):
        raise fail(func, f"{name} must be finite, got {v}")
    return value


def check_positive(func: str, name: str, value: Any, fix: str | None = None) -> Any:
    """``value`` must be a finite real scalar > 0 (tracers pass the value check)."""
    v = _concrete_float(func, name, value)
    if v is not None and not (math.isfinite(v) and v > 0.0):
        raise fail(func, f"{name} must be a finite number > 0, got {v}", fix)
    return value


def check_nonnegative(func: str, name: str, value: Any, fix: str | None = None) -> Any:
    """``value`` must be a finite real scalar >= 0 (tracers pass the value check)."""
    v = _concrete_float(func, name, value)
    if v is not None and not (math.isfinite(v) and v >= 0.0):
        raise fail(func, f"{name} must be a finite number >= 0, got {v}", fix)
    return value


def check_real_floating(func: str, name: str, tree: Any) -> Any:
    """Every leaf of ``tree`` must be a real array (ints and bools are promoted, complex refused).

    Returns the tree with integer/bool leaves cast to the default float, so that callers can
    differentiate with respect to it.
    """
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    if not leaves:
        raise fail(
            func,
            f"{name} has no array leaves (got {_show(tree)})",
            "Pass an array or a pytree of arrays",
        )
    out = []
    for leaf in leaves:
        if leaf is None or isinstance(leaf, str):
            raise fail(func, f"{name} must hold numbers, got {type(leaf).__name__} {_show(leaf)}")
        try:
            dtype = jnp.result_type(leaf)
        except TypeError as err:
            raise fail(
                func, f"{name} must hold numbers, got {type(leaf).__name__} {_show(leaf)}"
            ) from err
        if jnp.issubdtype(dtype, jnp.complexfloating):
            raise fail(
                func,
                f"{name} must be real, got dtype {dtype}",
                "Split a complex parameter into its real and imaginary parts",
            )
        if not jnp.issubdtype(dtype, jnp.floating):
            leaf = jnp.asarray(leaf, dtype=jnp.result_type(float))
        out.append(leaf)
    return jax.tree_util.tree_unflatten(treedef, out)


def check_output(func: str, name: str, value: Any, scalar: bool = False) -> Any:
    """The user's function returned ``value``: it must be a real array (a scalar if ``scalar``)."""
    if value is None or isinstance(value, str | dict | list | tuple):
        kind = "None" if value is None else type(value).__name__
        raise fail(
            func,
            f"{name} must return {'a scalar' if scalar else 'an array'}, got {kind}",
            "Return a jax array (e.g. `return jnp.sum(...)`), not a "
            f"{kind}" + (" (did you forget `return`?)" if value is None else ""),
        )
    try:
        dtype = jnp.result_type(value)
    except TypeError as err:
        raise fail(func, f"{name} must return an array, got {type(value).__name__}") from err
    if jnp.issubdtype(dtype, jnp.complexfloating):
        raise fail(
            func,
            f"{name} returned a complex value (dtype {dtype})",
            "Return a real value, e.g. jnp.abs(z)**2 or z.real",
        )
    if scalar and jnp.ndim(value) != 0:
        raise fail(
            func,
            f"{name} must return a scalar, got shape {jnp.shape(value)}",
            "Reduce it, e.g. with jnp.sum or jnp.mean",
        )
    return value


def check_representable(func: str, name: str, value: Any) -> Any:
    """A concrete value must fit the active float dtype (float32 unless float64 is enabled)."""
    if is_tracer(value) or value is None:
        return value
    dtype = jnp.result_type(float)  # the default float, without making an array
    big = float(jnp.finfo(dtype).max)
    have = getattr(value, "dtype", None)
    if have is not None:
        # An array's dtype decides without reading its values: integers of any width and
        # floats no wider than the default always fit (a float32 array is never scanned).
        if jnp.issubdtype(have, jnp.integer) or jnp.issubdtype(have, jnp.bool_):
            return value
        if jnp.issubdtype(have, jnp.floating) and float(jnp.finfo(have).max) <= big:
            return value
    arr = np.asarray(value)
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        return value
    finite = arr[np.isfinite(arr)] if arr.size else arr
    if finite.size and float(np.max(np.abs(finite.astype(np.float64)))) > big:
        raise fail(
            func,
            f"{name} holds values up to {float(np.max(np.abs(finite))):.3g}, past the "
            f"largest {dtype} ({big:.3g})",
            "Work in float64: `with diffprog.float64(): ...`",
        )
    return value


def check_arity(func: str, name: str, f: Callable, nargs: int, example: str = "x") -> Callable:
    """``f`` must be a callable that accepts ``nargs`` positional arguments.

    Functions whose signature cannot be read (some builtins, C extensions) pass unchecked; the
    call itself then reports a mismatch.
    """
    check_callable(func, name, f)
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        return f
    try:
        sig.bind(*range(nargs))
    except TypeError:
        takes = f"{nargs} positional argument" + ("" if nargs == 1 else "s")
        raise fail(
            func,
            f"{name} must accept {takes} ({example}); its signature is {name}{sig}",
            f"Pass a function of {takes}, e.g. {name}=lambda {example}: ...",
        ) from None
    return f


def check_bool(func: str, name: str, value: Any) -> bool:
    """``value`` must be a Python or numpy bool (not a string, a number or an array)."""
    if not isinstance(value, bool | np.bool_):
        raise fail(
            func,
            f"{name} must be True or False, got {type(value).__name__} {_show(value)}",
            f"Pass {name}=True or {name}=False",
        )
    return bool(value)


def check_shapes_match(func: str, names: tuple[str, str], a: Any, b: Any) -> tuple[int, ...]:
    """The shapes of ``a`` and ``b`` must broadcast together; returns the broadcast shape."""
    sa, sb = jnp.shape(a), jnp.shape(b)
    try:
        return tuple(jnp.broadcast_shapes(sa, sb))
    except ValueError:
        raise fail(
            func,
            f"{names[0]} (shape {sa}) and {names[1]} (shape {sb}) do not broadcast together",
            f"Pass {names[0]} and {names[1]} of the same shape, or one of them a scalar",
        ) from None


def show(value: Any) -> str:
    """A short ``repr`` of a user's value for a message (at most 60 characters)."""
    return _show(value)


def check_int(
    func: str,
    name: str,
    value: Any,
    least: int = 0,
    most: int | None = None,
    example: int | None = None,
) -> int:
    """``value`` must be a Python or numpy int (not a bool or a float) in ``[least, most]``.

    The one validator for integers: ``num_steps``, ``n``, ``order``, ``chunk_size`` and the like.
    An integer argument fixes a loop's length, a shape or an order, so it must be known before
    tracing: a jax tracer is refused
    with the advice to mark the argument static. A float that is a whole number is refused
    with the fix ``name=<int>``.
    """
    if is_tracer(value):
        raise fail(
            func,
            f"{name} must be a Python int known before tracing (it fixes a loop's length), "
            "got a traced value",
            f"Mark {name} static under jit (static_argnums / static_argnames)",
        )
    bound = f">= {least}" if most is None else f"in [{least}, {most}]"
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float) and value.is_integer():
            fix = f"Pass {name}={int(value)}"
        else:
            fix = f"Pass a whole number such as {name}={example if example is not None else least}"
        raise fail(
            func, f"{name} must be an int {bound}, got {type(value).__name__} {_show(value)}", fix
        )
    if value < least or (most is not None and value > most):
        raise fail(func, f"{name} must be an int {bound}, got {int(value)}")
    return int(value)
