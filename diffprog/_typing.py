"""Type aliases shared by the library, kept in one place."""

from collections.abc import Callable
from typing import Any

import jax
from jax.typing import ArrayLike

Array = jax.Array
Scalar = float | jax.Array
PyTree = Any
ScalarFn = Callable[[jax.Array], jax.Array]

__all__ = ["Array", "ArrayLike", "PyTree", "Scalar", "ScalarFn"]
