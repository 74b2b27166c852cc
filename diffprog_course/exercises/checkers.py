"""Checkers: each turns a learner's answer into a verdict without revealing the answer.

A checker is a small frozen dataclass with ``__call__(answer) -> (status, message)``
where status is "correct", "wrong" or "malformed". Messages describe what *kind*
of answer was expected, never its value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["DNE", "DoesNotExist", "Function", "Number", "Vector"]

Result = tuple[str, str]


class _DoesNotExistType:
    """The answer "does not exist" (a limit or derivative that has no value)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "DNE"


DNE = _DoesNotExistType()
_DNE_TEXT = re.compile(r"^\s*(dne|does\s*n[o']?t\s*exist|no\s*limit|undefined)\s*[.!]?\s*$", re.I)


def _is_dne(answer: Any) -> bool:
    return answer is DNE or (isinstance(answer, str) and bool(_DNE_TEXT.match(answer)))


def _real_scalar(x: Any) -> float | None:
    """A real number from any numeric scalar type (sympy, Fraction, Decimal), else None."""
    if isinstance(x, str | bytes | bool | complex) or x is None or callable(x):
        return None
    if getattr(x, "is_extended_real", True) is False:  # a sympy complex number such as 1 + I
        return None
    try:
        return float(x)
    except (TypeError, ValueError, OverflowError):
        return None


def _as_float_array(answer: Any) -> np.ndarray | None:
    """The answer as a float64 array, or None if it is not real and numeric.

    Accepts ints, floats (float16/bfloat16/float32/float64, numpy or jax), and exact numbers
    that convert to float: ``fractions.Fraction``, ``decimal.Decimal``, sympy numbers
    (``sympy.Rational(1, 3)``, ``sympy.pi``), alone or in lists.
    """
    if isinstance(answer, str | bytes | bool) or answer is None or callable(answer):
        return None
    try:
        arr = np.asarray(answer)
    except Exception:  # noqa: BLE001 - any failure means "not numeric"
        arr = None
    if arr is not None and arr.dtype != object:
        if arr.dtype.kind in "iu":
            return arr.astype(np.float64)
        try:  # float16, bfloat16 (an ml_dtypes extension type), float32, float64
            import jax.numpy as jnp

            floating = jnp.issubdtype(arr.dtype, jnp.floating)
        except TypeError:
            floating = False
        return arr.astype(np.float64) if floating or arr.dtype.kind == "f" else None
    scalar = _real_scalar(answer)
    if scalar is not None:
        return np.asarray(scalar, np.float64)
    if isinstance(answer, list | tuple):
        items = [_real_scalar(a) for a in answer]
        if items and all(i is not None for i in items):
            return np.asarray(items, np.float64)
    return None


def _close(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> bool:
    # Infinities must match exactly (same sign); finite values within tolerance.
    inf_ok = np.array_equal(np.isposinf(got), np.isposinf(want)) and np.array_equal(
        np.isneginf(got), np.isneginf(want)
    )
    finite = np.isfinite(want)
    return bool(
        inf_ok
        and np.all(np.isfinite(got[finite]))
        and np.allclose(got[finite], want[finite], rtol=rtol, atol=atol)
    )


@dataclass(frozen=True)
class Number:
    """A single number (``math.inf``/``-math.inf`` allowed) within a tolerance."""

    expected: float
    rtol: float = 1e-4
    atol: float = 1e-6
    kind: str = "a single number"

    def __call__(self, answer: Any) -> Result:
        if _is_dne(answer):
            return "wrong", f"This one exists: expected {self.kind}."
        arr = _as_float_array(answer)
        if arr is None:
            return "malformed", (
                f"Expected {self.kind} (an int or float), got {type(answer).__name__}."
            )
        if arr.size != 1:
            return "malformed", f"Expected {self.kind}, got an array of shape {arr.shape}."
        if np.isnan(arr).any():
            return "wrong", f"Got NaN; expected {self.kind}."
        ok = _close(arr.reshape(()), np.asarray(float(self.expected)), self.rtol, self.atol)
        return ("correct", "") if ok else ("wrong", f"Not {self.kind} that matches.")


@dataclass(frozen=True)
class Vector:
    """An array of numbers with a given shape, within a tolerance."""

    expected: Sequence[float] | np.ndarray
    rtol: float = 1e-4
    atol: float = 1e-6
    kind: str = "an array of numbers"

    def __call__(self, answer: Any) -> Result:
        want = np.asarray(self.expected, dtype=np.float64)
        arr = _as_float_array(answer)
        if arr is None:
            return (
                "malformed",
                f"Expected {self.kind} of shape {want.shape}, got {type(answer).__name__}.",
            )
        if arr.shape != want.shape:
            return (
                "malformed",
                f"Expected {self.kind} of shape {want.shape}, got shape {arr.shape}.",
            )
        if np.isnan(arr).any():
            return "wrong", "Your answer contains NaN."
        ok = _close(arr, want, self.rtol, self.atol)
        return (
            ("correct", "")
            if ok
            else ("wrong", f"Not yet: at least one entry of {self.kind} is off.")
        )


@dataclass(frozen=True)
class Function:
    """A function compared with a reference at sample points.

    ``reference`` is called on each point of ``points`` (scalars, or tuples unpacked
    as arguments); the learner's function must agree within the tolerance.
    """

    reference: Callable[..., Any]
    points: Sequence[Any] = field(default_factory=lambda: (-2.0, -0.7, 0.3, 1.1, 2.5))
    rtol: float = 1e-4
    atol: float = 1e-5
    kind: str = "a function of x"

    def __call__(self, answer: Any) -> Result:
        if not callable(answer):
            return "malformed", (
                f"Expected {self.kind} (e.g. `def f(x): ...` or a lambda), "
                f"got {type(answer).__name__}."
            )
        for p in self.points:
            args = p if isinstance(p, tuple) else (p,)
            want = np.asarray(self.reference(*args), dtype=np.float64)
            try:
                got_raw = answer(*args)
            except Exception as err:  # noqa: BLE001 - the learner's code may fail any way
                return "malformed", (
                    f"Calling your function at {args if len(args) > 1 else args[0]} "
                    f"raised {type(err).__name__}: {err}"
                )
            got = _as_float_array(got_raw)
            if got is None or got.shape != want.shape:
                wanted = "a number" if want.ndim == 0 else f"an array of shape {want.shape}"
                shape = "" if got is None else f" of shape {got.shape}"
                return "malformed", (
                    f"Your function should return {wanted}, got {type(got_raw).__name__}{shape}."
                )
            if not _close(got, want, self.rtol, self.atol):
                where = args if len(args) > 1 else args[0]
                return "wrong", f"Your function disagrees with the right one at x = {where}."
        return "correct", ""


@dataclass(frozen=True)
class DoesNotExist:
    """The verdict that something (a limit, a derivative) does not exist."""

    kind: str = "the limit"

    def __call__(self, answer: Any) -> Result:
        if _is_dne(answer):
            return "correct", ""
        if _as_float_array(answer) is not None:
            return "wrong", (
                f"A number is not the answer here: check whether {self.kind} exists at all "
                '(answer with DNE or "does not exist" if it does not).'
            )
        return "malformed", (
            f'Expected DNE, the string "does not exist", or a number; got {type(answer).__name__}.'
        )

    def __repr__(self) -> str:
        return f"DoesNotExist(kind={self.kind!r})"
