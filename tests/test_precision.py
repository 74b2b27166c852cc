"""precision: float32 by default, float64 only inside float64(); eps is machine epsilon."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

import diffprog
from diffprog._validate import InputError


def test_eps_is_machine_epsilon_of_the_dtype():
    # oracle: IEEE 754 (2^-(mantissa bits)), as numpy's finfo states it
    assert diffprog.eps() == 2.0**-23 == float(np.finfo(np.float32).eps)
    assert diffprog.eps("float64") == 2.0**-52
    assert diffprog.eps(jnp.float16) == 2.0**-10
    assert diffprog.eps(jnp.bfloat16) == 2.0**-7
    assert diffprog.eps(jnp.ones(2).dtype) == 2.0**-23
    with diffprog.float64():
        assert diffprog.default_float() == jnp.float64
        assert diffprog.eps() == 2.0**-52
    assert diffprog.default_float() == jnp.float32


@pytest.mark.parametrize("bad", ["int32", jnp.int32, "complex64", 3, True, "nope"])
def test_eps_refuses_what_has_no_epsilon(bad):
    with pytest.raises(InputError, match="eps: dtype must be a floating-point dtype"):
        diffprog.eps(bad)
