"""The one result convention: frozen dataclasses registered as pytrees, with a readable repr.

Every public function that returns more than one array returns a *result*: a class decorated
with :func:`result`. A result

- is a frozen :func:`dataclasses.dataclass` (fields by name, no tuple unpacking, immutable);
- is a JAX pytree (``jax.tree_util.register_dataclass``): its array fields are leaves and its
  ``static=`` fields (strings, ints, tuples known before tracing) are metadata, so a result can be
  returned from ``jax.jit``, batched by ``jax.vmap`` and passed through ``lax.scan``;
- prints one line per field: a scalar as its number, a small array in full, a large array as its
  dtype and shape, a traced value as ``traced f32[3]``.

Numerical verdicts ("does not exist", "diverged", "undetermined") are fields of the result; see
docs/ARCHITECTURE.md, "Conventions".

Example:
    >>> import jax, jax.numpy as jnp
    >>> @result
    ... class Pair:
    ...     value: jax.Array
    ...     error: jax.Array
    >>> p = jax.jit(lambda x: Pair(x, x / 10))(jnp.float32(2.0))
    >>> float(p.error)
    0.20000000298023224
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar, dataclass_transform

import jax
import numpy as np

from ._validate import is_tracer

__all__ = ["result", "show_value"]

T = TypeVar("T")

_SMALL = 8  # arrays with at most this many elements print in full


def show_value(value: Any) -> str:
    """A short, readable text for one field of a result (never calls into a tracer)."""
    if is_tracer(value):
        aval = getattr(value, "aval", None)
        return f"traced {aval.str_short() if aval is not None else type(value).__name__}"
    if isinstance(value, jax.Array | np.ndarray | np.generic):
        arr = np.asarray(value)
        if arr.ndim == 0:
            return repr(arr.item())
        if arr.size <= _SMALL:
            return np.array2string(arr, separator=", ", precision=6)
        return f"{arr.dtype}{list(arr.shape)}"
    if isinstance(value, float | int | bool | str) or value is None:
        return repr(value)
    if dataclasses.is_dataclass(value):
        return type(value).__name__ + "(...)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _repr(self: Any) -> str:
    fields = [f for f in dataclasses.fields(self) if f.repr]
    body = ", ".join(f"{f.name}={show_value(getattr(self, f.name))}" for f in fields)
    return f"{type(self).__name__}({body})"


@dataclass_transform(frozen_default=True)
def result(cls: type[T] | None = None, *, static: tuple[str, ...] = (), repr: bool = True) -> Any:
    """Make ``cls`` a result: a frozen dataclass, a pytree, with a readable repr.

    Args:
        cls: the class (the decorator may be used bare or called with keywords).
        static: names of fields that are metadata (hashable values known before tracing:
            strings, ints, tuples); every other field is a pytree child (arrays, nested results).
        repr: give the class the one-line field repr (pass False to keep the class's own).

    Returns:
        The class, decorated.
    """

    def wrap(klass: type[T]) -> type[T]:
        klass = dataclasses.dataclass(frozen=True, repr=False)(klass)
        names = [f.name for f in dataclasses.fields(klass)]  # type: ignore[arg-type]
        unknown = set(static) - set(names)
        if unknown:
            raise TypeError(f"result({klass.__name__}): static fields {sorted(unknown)} unknown")
        data = [n for n in names if n not in static]
        jax.tree_util.register_dataclass(klass, data_fields=data, meta_fields=list(static))
        if repr and "__repr__" not in klass.__dict__:
            klass.__repr__ = _repr  # type: ignore[method-assign]
        return klass

    if cls is None:
        return wrap
    return wrap(cls)
