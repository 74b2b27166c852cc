"""The shared argument checks: one error type whose message names the argument and the fix."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from diffprog import _validate as v


def test_input_error_is_value_and_type_error():
    err = v.fail("limit", "side must be one of '+', '-'", "Pass side='+'")
    assert isinstance(err, ValueError) and isinstance(err, TypeError)
    assert str(err) == "limit: side must be one of '+', '-'. Pass side='+'"


@pytest.mark.parametrize("bad", [None, 3, "f", [1]])
def test_check_callable(bad):
    with pytest.raises(v.InputError, match="f must be a callable"):
        v.check_callable("g", "f", bad)
    assert v.check_callable("g", "f", abs) is abs


def test_check_choice():
    assert v.check_choice("g", "method", "central", ("central", "forward")) == "central"
    for bad in ["Central", "", None, ["central"]]:
        with pytest.raises(v.InputError, match="method must be one of 'central', 'forward'"):
            v.check_choice("g", "method", bad, ("central", "forward"))


@pytest.mark.parametrize("bad", [True, 2.5, "3", None, np.float32(2.0)])
def test_check_int_refuses_non_integers(bad):
    with pytest.raises(v.InputError, match="n must be an int"):
        v.check_int("g", "n", bad)


def test_check_int_bounds_and_fix():
    assert v.check_int("g", "n", np.int64(5), least=1) == 5
    with pytest.raises(v.InputError, match=r"n must be an int >= 1, got 0"):
        v.check_int("g", "n", 0, least=1)
    with pytest.raises(v.InputError, match=r"in \[1, 3\]"):
        v.check_int("g", "n", 4, least=1, most=3)
    with pytest.raises(v.InputError, match="Pass n=3"):
        v.check_int("g", "n", 3.0)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("inf"), float("nan"), -0.0])
def test_check_positive(bad):
    with pytest.raises(v.InputError, match="h must be a finite number > 0"):
        v.check_positive("g", "h", bad)


@pytest.mark.parametrize("bad", [None, True, "1", 1j, np.ones(2)])
def test_scalar_checks_refuse_non_real_scalars(bad):
    with pytest.raises(v.InputError, match="h must be"):
        v.check_positive("g", "h", bad)


def test_value_checks_pass_tracers_but_not_shapes():
    jax.jit(lambda h: v.check_positive("g", "h", h))(-1.0)  # not concrete: no value check
    with pytest.raises(v.InputError, match="must be a scalar"):
        jax.jit(lambda h: v.check_positive("g", "h", h))(jnp.ones(3))
    assert v.is_tracer(jnp.ones(2)) is False
    assert jax.jit(lambda x: jnp.asarray(v.is_tracer({"a": x})))(1.0)


def test_check_nonnegative_and_finite():
    assert v.check_nonnegative("g", "atol", 0.0) == 0.0
    with pytest.raises(v.InputError, match="atol must be a finite number >= 0"):
        v.check_nonnegative("g", "atol", -1e-9)
    with pytest.raises(v.InputError, match="x0 must be finite"):
        v.check_finite_scalar("g", "x0", float("nan"))


def test_check_real_floating_promotes_ints_and_refuses_complex():
    out = v.check_real_floating("g", "params", {"w": jnp.arange(3), "b": 1.0})
    assert jnp.issubdtype(out["w"].dtype, jnp.floating)
    with pytest.raises(v.InputError, match="params must be real"):
        v.check_real_floating("g", "params", {"w": jnp.ones(2) * 1j})
    with pytest.raises(v.InputError, match="no array leaves"):
        v.check_real_floating("g", "params", {})
    with pytest.raises(v.InputError, match="must hold numbers"):
        v.check_real_floating("g", "params", ["a"])


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (None, "did you forget `return`"),
        ((1.0, 2.0), "not a tuple"),
        ({"a": 1.0}, "dict"),
        (jnp.ones(2) * 1j, "complex"),
        ("x", "str"),
    ],
)
def test_check_output(value, match):
    with pytest.raises(v.InputError, match=match):
        v.check_output("derivative", "f", value)


def test_check_output_scalar():
    assert v.check_output("g", "f", jnp.float32(1.0), scalar=True) == 1.0
    with pytest.raises(v.InputError, match=r"must return a scalar, got shape \(2,\)"):
        v.check_output("g", "f", jnp.ones(2), scalar=True)


def test_check_representable():
    assert v.check_representable("g", "x0", 1e30) == 1e30
    with pytest.raises(v.InputError, match=r"diffprog\.float64\(\)"):
        v.check_representable("g", "x0", 1e300)
    v.check_representable("g", "x0", float("inf"))  # infinities are the caller's to judge
    jax.jit(lambda x: v.check_representable("g", "x0", x))(1.0)
