"""diffprog.limit against sympy (a table of limits), numdifftools, and its own promises."""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import diffprog
from diffprog import LimitResult, limit
from diffprog._validate import InputError
from diffprog.limits import DIFFER, EXISTS, NEG_INF, OSCILLATES, POS_INF, UNDEFINED

X = sp.Symbol("x", real=True)
oo = sp.oo

# (expression, x0, sides to check, smooth): "smooth" marks limits whose one-sided values have
# an expansion in powers of h (or 1/x at infinity): those must reach float64 accuracy 1e-10.
TABLE = [
    ("(x**2 - 1)/(x - 1)", 1, "both", True),
    ("(x**2 - 1)/(x - 1)", 0, "both", True),
    ("(x**2 - 25)/(x + 5)", -5, "both", True),
    ("(x**2 - 2*x - 8)/(x - 4)", 4, "both", True),
    ("(x - 3)/(x**2 - 9)", 3, "both", True),
    ("sin(x)/x", 0, "both", True),
    ("(1 - cos(x))/x**2", 0, "both", True),
    ("(exp(x) - 1)/x", 0, "both", True),
    ("(2**x - 1)/x", 0, "both", True),
    ("(sqrt(x + 1) - 1)/x", 0, "both", True),
    ("x**3", 2, "both", True),
    ("25/x", oo, "both", True),
    ("25/x", -oo, "both", True),
    ("(3*x**2 + 1)/(x**2 - 4)", oo, "both", True),
    ("(3*x**2 + 1)/(x**2 - 4)", -oo, "both", True),
    ("(1 + 1/x)**x", oo, "both", True),
    ("sin(x)/x", oo, "both", False),
    ("exp(-x)", oo, "both", False),
    ("sqrt(x)", 0, "right", False),
    ("x**x", 0, "right", False),
    ("x*log(x)", 0, "right", False),
    ("x*sin(1/x)", 0, "both", False),
    # infinite limits and limits that do not exist
    ("25/x", 0, "both", False),
    ("1/x**2", 0, "both", False),
    ("1/(x - 2)**2", 2, "both", False),
    ("log(Abs(x))", 0, "both", False),
    ("x/(x + 1)", -1, "both", False),
    ("tan(x)", sp.pi / 2, "both", False),
    ("exp(1/x)", 0, "both", False),
    ("exp(x)", oo, "both", False),
    ("Abs(x)/x", 0, "both", False),
    ("floor(x)", 1, "both", False),
    ("sin(1/x)", 0, "both", False),
    ("cos(1/x)", 0, "both", False),
    ("sin(x)", oo, "both", False),
]
IDS = [f"{e} at {x0}" for e, x0, _, _ in TABLE]


@functools.cache
def _sympy_side(expr, x0, direction):
    """sympy's one-sided limit as (status, value)."""
    lim = sp.limit(expr, X, x0, direction)
    if isinstance(lim, sp.AccumBounds):
        return OSCILLATES, math.nan
    if lim == oo:
        return POS_INF, math.inf
    if lim == -oo:
        return NEG_INF, -math.inf
    return EXISTS, float(lim)


def _expected(expr, x0, side):
    """(status, value, left, right) from sympy, combining one-sided limits as limit does."""
    left = right = (None, math.nan)
    if x0 == oo:
        left = _sympy_side(expr, x0, "-")
    elif x0 == -oo:
        right = _sympy_side(expr, x0, "+")
    else:
        if side in ("both", "left"):
            left = _sympy_side(expr, x0, "-")
        if side in ("both", "right"):
            right = _sympy_side(expr, x0, "+")
    if left[0] is None or right[0] is None:
        status, value = left if right[0] is None else right
    elif left[0] == right[0] == EXISTS and math.isclose(left[1], right[1]):
        status, value = EXISTS, left[1]
    elif left[0] == right[0] and left[0] in (POS_INF, NEG_INF):
        status, value = left
    elif OSCILLATES in (left[0], right[0]):
        status, value = OSCILLATES, math.nan
    else:
        status, value = DIFFER, math.nan
    return status, value, left, right


def _run(expr_text, x0, side):
    expr = sp.sympify(expr_text, locals={"x": X})
    f = sp.lambdify(X, expr, modules="jax")
    x0_num = float(x0) if x0 not in (oo, -oo) else (math.inf if x0 == oo else -math.inf)
    return expr, limit(f, x0_num, side=side)


def _check_against_sympy(expr_text, x0, side, rtol):
    expr, r = _run(expr_text, x0, side)
    status, value, left, right = _expected(expr, x0, side)
    assert int(r.status) == status, f"{r!r}: expected status {status}"
    if status == EXISTS:
        assert abs(float(r.value) - value) <= rtol * max(1.0, abs(value)), r
        # The error estimate is honest: it covers the actual error (to a factor of 2).
        assert abs(float(r.value) - value) <= 2 * float(r.error) + 1e-15, r
    elif status in (POS_INF, NEG_INF):
        assert float(r.value) == value
    else:
        assert math.isnan(float(r.value)) and not r.exists
    for (s_status, s_value), got, got_status in (
        (left, r.left, r.left_status),
        (right, r.right, r.right_status),
    ):
        if s_status is not None:
            assert int(got_status) == s_status, r
            if s_status == EXISTS:
                assert abs(float(got) - s_value) <= rtol * max(1.0, abs(s_value))
    return r


def test_table_has_at_least_20_limits():
    assert len(TABLE) >= 20
    assert (
        sum(
            1
            for e, x0, s, _ in TABLE
            if _expected(sp.sympify(e, locals={"x": X}), x0, s)[0] != EXISTS
        )
        >= 8
    )


@pytest.mark.parametrize("expr, x0, side, smooth", TABLE, ids=IDS)
def test_table_float64_against_sympy(expr, x0, side, smooth):
    with diffprog.float64():
        r = _check_against_sympy(expr, x0, side, rtol=1e-10 if smooth else 1e-3)
        if smooth:
            assert float(r.error) < 1e-9


@pytest.mark.parametrize("expr, x0, side, smooth", TABLE, ids=IDS)
def test_table_float32_against_sympy(expr, x0, side, smooth):
    # float32 (the default): smooth limits to 1e-4 relative, verdicts all the same.
    _check_against_sympy(expr, x0, side, rtol=1e-4 if smooth else 1e-2)


@pytest.mark.parametrize(
    "expr, x0, side, smooth",
    [t for t in TABLE if t[2] == "both" and t[1] not in (oo, -oo)],
    ids=str,
)
@pytest.mark.parametrize("one_side", ["left", "right"])
def test_one_sided_against_sympy(expr, x0, side, smooth, one_side):
    with diffprog.float64():
        _check_against_sympy(expr, x0, one_side, rtol=1e-10 if smooth else 1e-3)


# ----------------------------------------------------------------- the cases the issue names


def test_named_cases_and_verdicts():
    assert limit(lambda x: (x**2 - 1) / (x - 1), 1.0).exists
    assert limit(lambda x: jnp.abs(x) / x, 0.0).verdict == (
        "does not exist: one-sided limits differ (left -1, right 1)"
    )
    r = limit(lambda x: 25 / x, 0.0)
    assert r.verdict == "does not exist: one-sided limits differ (left -inf, right +inf)"
    assert float(r.left) == -math.inf and float(r.right) == math.inf and not r.exists
    assert limit(lambda x: jnp.sin(1 / x), 0.0).verdict == "does not exist: oscillates"
    assert limit(lambda x: 1 / x**2, 0.0).verdict == "+inf"
    assert limit(lambda x: jnp.log(x), 0.0, side="right").verdict == "-inf"
    assert (
        limit(lambda x: jnp.sqrt(x), 0.0).verdict == "does not exist: f is undefined (NaN) near x0"
    )
    assert "verdict='exists'" in repr(limit(jnp.cos, 0.0))


def test_never_evaluates_at_x0():
    seen = []

    def f(x):
        seen.append(float(x))
        return (x**2 - 1) / (x - 1) if x != 1 else math.nan  # not traceable: point by point

    r = limit(f, 1.0)
    assert all(p != 1.0 for p in seen) and len(seen) > 10
    assert abs(float(r.value) - 2.0) < 1e-5


# ----------------------------------------------------------------- accuracy vs numdifftools


@pytest.mark.parametrize(
    "name, f_np, f_jnp, x0, exact",
    [
        ("sinc", lambda x: np.sin(x) / x, lambda x: jnp.sin(x) / x, 0.0, 1.0),
        ("expm1", lambda x: (np.exp(x) - 1) / x, lambda x: (jnp.exp(x) - 1) / x, 0.0, 1.0),
        ("cos", lambda x: (1 - np.cos(x)) / x**2, lambda x: (1 - jnp.cos(x)) / x**2, 0.0, 0.5),
        ("removable", lambda x: (x**2 - 1) / (x - 1), lambda x: (x**2 - 1) / (x - 1), 1.0, 2.0),
    ],
)
def test_as_accurate_as_numdifftools_in_float64(name, f_np, f_jnp, x0, exact):
    ndt_limits = pytest.importorskip("numdifftools.limits")
    with np.errstate(all="ignore"):
        ndt_value = float(np.squeeze(ndt_limits.Limit(f_np)(x0)))
    with diffprog.float64():
        ours = float(limit(f_jnp, x0).value)
    ndt_err, our_err = abs(ndt_value - exact), abs(ours - exact)
    assert our_err <= max(10 * ndt_err, 1e-12), (name, our_err, ndt_err)
    assert our_err <= 1e-10


def test_float32_accuracy_on_smooth_cases():
    """float32: the stated accuracy (docs, README) is 1e-6 relative on these smooth cases."""
    cases = [
        (lambda x: jnp.sin(x) / x, 0.0, 1.0),
        (lambda x: (x**2 - 1) / (x - 1), 1.0, 2.0),
        (lambda x: (1 - jnp.cos(x)) / x**2, 0.0, 0.5),
        (lambda x: 25 / x, math.inf, 0.0),
        (lambda x: (1 + 1 / x) ** x, math.inf, math.e),
        (lambda x: jnp.expm1(x) / x, 0.0, 1.0),
    ]
    for f, x0, exact in cases:
        r = limit(f, x0)
        assert r.value.dtype == jnp.float32
        assert abs(float(r.value) - exact) <= 1e-6 * max(1.0, abs(exact)), r


# ----------------------------------------------------------------- jit, vmap, properties


def test_works_under_jit_and_vmap():
    """One compiled function: vmap over a parameter of f, over x0, and a verdict out of jit."""

    def lim_at(a):
        return limit(lambda x: jnp.sin(a * x) / x, 0.0).value

    @jax.jit
    def everything(a, x0):
        return (
            jax.vmap(lim_at)(a),
            jax.vmap(lambda p: limit(jnp.sin, p).value)(x0),
            limit(lambda x: 25 / x, 0.0),
        )

    a, x0 = jnp.array([0.5, 1.0, 2.0, 3.0]), jnp.linspace(-2.0, 2.0, 5)
    at_a, at_x0, r = everything(a, x0)
    np.testing.assert_allclose(at_a, a, rtol=1e-5)
    np.testing.assert_allclose(at_x0, jnp.sin(x0), atol=1e-5)  # sin is continuous
    assert isinstance(r, LimitResult) and r.verdict.startswith("does not exist")


@settings(max_examples=15)  # each example traces f anew: keep the suite fast
@given(st.floats(-3, 3), st.floats(-3, 3), st.floats(-3, 3), st.floats(-2, 2))
def test_polynomial_quotient_removable(a, b, c, x0):
    """(p(x)(x - x0)) / (x - x0) → p(x0) for p(x) = a x² + b x + c, in float64."""
    with diffprog.float64():
        p = lambda x: a * x**2 + b * x + c
        r = limit(lambda x: p(x) * (x - x0) / (x - x0), x0)
        assert r.exists
        assert abs(float(r.value) - p(x0)) <= 1e-9 * max(1.0, abs(p(x0)))


@settings(max_examples=15)  # each example traces f anew: keep the suite fast
@given(st.floats(0.1, 5.0), st.sampled_from([-1.0, 1.0]))
def test_jumps_are_detected(jump, sign):
    r = limit(lambda x: jnp.where(x > 0, sign * jump, 0.0) + x, 0.0)
    assert int(r.status) == DIFFER and not r.exists


@settings(max_examples=15)  # each example traces f anew: keep the suite fast
@given(st.floats(0.5, 20.0))
def test_oscillation_is_never_a_limit(a):
    assert not limit(lambda x: jnp.sin(a / x), 0.0).exists


@settings(max_examples=15)  # each example traces f anew: keep the suite fast
@given(st.floats(0.5, 40.0))
def test_damped_oscillation_converges(a):
    """x·sin(a/x) → 0: the verdict is "exists"; the value is small (its error estimate can be
    optimistic here, a documented limitation, so only a loose bound is checked)."""
    r = limit(lambda x: x * jnp.sin(a / x), 0.0)
    assert r.exists and abs(float(r.value)) < 2e-3


# ----------------------------------------------------------------- bad input


def test_bad_input_is_explained():
    # InputError (a ValueError and a TypeError) naming the argument; the messages changed to
    # the shared _validate style in issue 14.
    with pytest.raises(InputError, match="limit: f must be a callable"):
        limit(3.0, 0.0)
    with pytest.raises(InputError, match="x0 is NaN"):
        limit(jnp.sin, math.nan)
    with pytest.raises(InputError, match="side must be one of"):
        limit(jnp.sin, 0.0, side="up")
    with pytest.raises(InputError, match="one real number per scalar x"):
        limit(lambda x: jnp.stack([x, x]), 0.0)
    with pytest.raises(InputError, match="f must return an array, got tuple"):
        limit(lambda x: (x, x), 0.0)
    with pytest.raises(InputError, match="f must return an array, got None"):
        limit(lambda x: None, 0.0)
    with pytest.raises(InputError, match="only be approached from the left"):
        limit(jnp.sin, math.inf, side="right")
    with pytest.raises(InputError, match="x0 must be a real number"):
        limit(jnp.sin, [0.0, 1.0])
    with pytest.raises(InputError, match="x0 must be a real number"):
        limit(jnp.sin, None)
    with pytest.raises(InputError, match="complex"):
        limit(lambda x: x + 1j, 0.0)
    with pytest.raises(InputError, match="num_points"):
        limit(jnp.sin, 0.0, num_points=2)
    with pytest.raises(InputError, match="num_points must be an int"):
        limit(jnp.sin, 0.0, num_points=10.5)
    with pytest.raises(InputError, match="step must be a number in"):
        limit(jnp.sin, 0.0, step=0.0)
    with pytest.raises(InputError, match=r"diffprog.float64\(\)"):
        limit(jnp.sin, 1e39)  # past float32


def test_undefined_status_code():
    assert int(limit(lambda x: jnp.log(x), -1.0).status) == UNDEFINED


def test_limit_result_is_a_result_with_ok_and_raise_if_failed():
    import dataclasses

    from diffprog.limits import LimitError

    r = limit(lambda x: jnp.sin(x) / x, 0.0)  # oracle: 1
    assert r.ok is True and r.raise_if_failed() is r
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.value = 2.0  # type: ignore[misc]
    d = limit(lambda x: jnp.abs(x) / x, 0.0)  # oracle: left -1, right +1
    assert d.ok is False
    with pytest.raises(LimitError, match="one-sided limits differ"):
        d.raise_if_failed()
    batch = jax.vmap(lambda c: limit(lambda x: c / x, 0.0, side="right"))(jnp.array([0.0, 1.0]))
    np.testing.assert_array_equal(batch.ok, [True, False])  # 0/x -> 0; 1/x -> +inf
    with pytest.raises(LimitError, match=r"1 of 2: 1 × \+inf"):
        batch.raise_if_failed()
    assert "2 ×" not in repr(batch) and "batch shape (2,)" in repr(batch)
    leaves, treedef = jax.tree_util.tree_flatten(r)
    assert jax.tree_util.tree_unflatten(treedef, leaves).side == "both"


def test_limit_refuses_string_output_and_wrong_arity():
    with pytest.raises(InputError, match="non-number"):
        limit(lambda x: "y", 0.0)
    with pytest.raises(InputError, match="accept 1 positional"):
        limit(lambda a, b: a, 0.0)
    r = limit(jnp.cos, 0.0, num_points=8)  # oracle: cos 0 = 1
    assert r.exists and abs(float(r.value) - 1.0) <= float(r.error) + 1e-7
