"""The method of exhaustion: closed forms, Archimedes' bounds, and empirical convergence orders."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import diffprog
from diffprog import archimedes_bounds, polygon_area, riemann_sum


def _order(ns, errors) -> float:
    """Slope of log|error| against log n: the empirical order is minus that."""
    slope = np.polyfit(np.log(ns), np.log(np.abs(np.asarray(errors, dtype=np.float64))), 1)[0]
    return -slope


@pytest.mark.parametrize("n", [3, 4, 6, 12, 96])
def test_polygon_areas_closed_forms(n):
    # Oracles: the triangle fan (n triangles with apex angle 2π/n) and the tangent fan.
    with diffprog.float64():
        inscribed = float(polygon_area(n))
        circumscribed = float(polygon_area(n, "circumscribed"))
    assert math.isclose(inscribed, n * 0.5 * math.sin(2 * math.pi / n), rel_tol=1e-14)
    assert math.isclose(circumscribed, n * math.tan(math.pi / n), rel_tol=1e-14)
    assert inscribed < math.pi < circumscribed


def test_polygon_area_scales_with_radius_squared():
    assert math.isclose(
        float(polygon_area(6, radius=2.0)), 4 * float(polygon_area(6)), rel_tol=1e-6
    )
    assert math.isclose(float(polygon_area(6)), 3 * math.sqrt(3) / 2, rel_tol=1e-6)  # hexagon


def test_polygons_converge_to_pi_at_order_two():
    ns = [8, 16, 32, 64, 128]
    with diffprog.float64():
        low = [math.pi - float(polygon_area(n)) for n in ns]
        high = [float(polygon_area(n, "circumscribed")) - math.pi for n in ns]
    assert _order(ns, low) == pytest.approx(2.0, abs=0.05)
    assert _order(ns, high) == pytest.approx(2.0, abs=0.05)
    # Leading terms: π − A_n ≈ 2π³/(3n²), B_n − π ≈ π³/(3n²).
    assert low[-1] * ns[-1] ** 2 == pytest.approx(2 * math.pi**3 / 3, rel=1e-3)
    assert high[-1] * ns[-1] ** 2 == pytest.approx(math.pi**3 / 3, rel=1e-3)


def test_archimedes_recursion_matches_the_closed_forms_and_squeezes_pi():
    with diffprog.float64():
        b = archimedes_bounds(8)
        for n, lo, hi in zip(b.sides.tolist(), b.lower.tolist(), b.upper.tolist(), strict=True):
            assert math.isclose(lo, float(polygon_area(n)), rel_tol=1e-12)
            assert math.isclose(hi, float(polygon_area(n, "circumscribed")), rel_tol=1e-12)
            assert lo < math.pi < hi
    assert [int(n) for n in b.sides[:4]] == [4, 8, 16, 32]


def test_archimedes_in_float32_reaches_float32_accuracy():
    b = archimedes_bounds(12)
    assert b.lower.dtype == jnp.float32
    assert abs(float(b.lower[-1]) - math.pi) < 1e-6 and abs(float(b.upper[-1]) - math.pi) < 1e-6


# ----------------------------------------------------------------- Riemann sums


@pytest.mark.parametrize(
    "rule, exact",
    [
        # Closed forms for x² on [0, 1] with n pieces (sums of squares): the oracle.
        ("left", lambda n: 1 / 3 - 1 / (2 * n) + 1 / (6 * n**2)),
        ("right", lambda n: 1 / 3 + 1 / (2 * n) + 1 / (6 * n**2)),
        ("midpoint", lambda n: 1 / 3 - 1 / (12 * n**2)),
        ("trapezoid", lambda n: 1 / 3 + 1 / (6 * n**2)),
    ],
)
@pytest.mark.parametrize("n", [1, 2, 5, 10, 100])
def test_riemann_sums_of_x_squared_closed_forms(rule, exact, n):
    with diffprog.float64():
        got = float(riemann_sum(lambda x: x**2, 0.0, 1.0, n, rule))
    assert got == pytest.approx(exact(n), rel=1e-12)


@pytest.mark.parametrize(
    "rule, order", [("left", 1), ("right", 1), ("midpoint", 2), ("trapezoid", 2)]
)
@pytest.mark.parametrize(
    "f, a, b, area",
    [
        (lambda x: x**2, 0.0, 1.0, 1 / 3),
        (jnp.exp, 0.0, 1.0, math.e - 1),
        (jnp.sin, 0.0, 2.0, 1 - math.cos(2.0)),
    ],
)
def test_riemann_sums_empirical_order(rule, order, f, a, b, area):
    ns = [8, 16, 32, 64, 128]
    with diffprog.float64():
        errors = [float(riemann_sum(f, a, b, n, rule)) - area for n in ns]
    assert _order(ns, errors) == pytest.approx(order, abs=0.1)


@settings(max_examples=15)  # each example traces f anew: keep the suite fast
@given(st.floats(-2, 2), st.floats(0.1, 3), st.integers(1, 50))
def test_trapezoid_is_exact_for_lines_and_the_mean_of_left_and_right(a, width, n):
    with diffprog.float64():
        b = a + width
        line = lambda x: 3.0 * x - 1.0
        exact = 1.5 * (b**2 - a**2) - width
        assert float(riemann_sum(line, a, b, n, "trapezoid")) == pytest.approx(exact, abs=1e-10)
        assert float(riemann_sum(line, a, b, n, "midpoint")) == pytest.approx(exact, abs=1e-10)
        left, right = (float(riemann_sum(jnp.exp, a, b, n, r)) for r in ("left", "right"))
        trap = float(riemann_sum(jnp.exp, a, b, n, "trapezoid"))
        assert trap == pytest.approx(0.5 * (left + right), rel=1e-12)


def test_float32_riemann_sum_accuracy():
    got = float(riemann_sum(lambda x: x**2, 0.0, 1.0, 1000, "midpoint"))
    assert abs(got - (1 / 3 - 1 / 12e6)) < 1e-6


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="n must be an int >= 3"):
        polygon_area(2)
    with pytest.raises(ValueError, match="kind must be"):
        polygon_area(5, "outside")
    with pytest.raises(ValueError, match="num_doublings"):
        archimedes_bounds(-1)
    with pytest.raises(ValueError, match="rule must be one of"):
        riemann_sum(jnp.sin, 0.0, 1.0, 4, "simpson")
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        riemann_sum(jnp.sin, 0.0, 1.0, 2.5)
    with pytest.raises(TypeError, match="f must be a callable"):
        riemann_sum(1.0, 0.0, 1.0, 4)
    with pytest.raises(TypeError, match=r"f must accept 1 positional argument \(x\)"):
        riemann_sum(lambda x, y: x, 0.0, 1.0, 4)
    with pytest.raises(TypeError, match="Pass n=4"):
        riemann_sum(jnp.sin, 0.0, 1.0, 4.0)


def test_archimedes_bounds_is_a_result():
    """A pytree result with named fields (no tuple unpacking) and a one-line repr."""
    b = archimedes_bounds(2)
    assert [int(s) for s in b.sides] == [4, 8, 16]
    assert repr(b).startswith("ArchimedesBounds(sides=[") and "lower=[2." in repr(b)
    leaves = jax.tree_util.tree_leaves(b)
    assert len(leaves) == 3 and leaves[1] is b.lower
    with pytest.raises(ValueError, match="one number per scalar x"):
        riemann_sum(lambda x: jnp.stack([x, x]), 0.0, 1.0, 4)
