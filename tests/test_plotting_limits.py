"""The figures of tutorials 01-02: they draw what they claim, and no false asymptote lines."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import pytest

from diffprog_course.plotting import limits as plots


def test_asymptote_safe_breaks_the_line_at_a_pole():
    x = np.linspace(-1, 1, 1000)  # even count: no point at 0
    y = plots.asymptote_safe(x, 1 / x, ylim=10.0)
    crossing = np.flatnonzero(np.diff(np.sign(x)))[0]
    # No segment joins a negative value to a positive one across x = 0.
    assert np.isnan(y[crossing]) or np.isnan(y[crossing + 1])
    assert np.all(np.isnan(y[np.abs(x) < 0.1]))
    assert not np.any(np.isnan(y[np.abs(x) > 0.11]))


def test_asymptote_safe_breaks_a_jump_but_not_a_smooth_curve():
    x = np.linspace(-1, 1, 101)
    assert not np.any(np.isnan(plots.asymptote_safe(x, np.sin(x), ylim=2.0)))
    y = plots.asymptote_safe(x, np.where(x > 0, 5.0, -5.0), ylim=6.0)
    assert np.sum(np.isnan(y)) == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda: plots.zoom_until_straight(jnp.sin, 1.0),
        lambda: plots.exhaustion_polygons((4, 8)),
        lambda: plots.riemann_rectangles(lambda x: x**2, 0.0, 1.0, 5, "midpoint"),
        lambda: plots.riemann_rectangles(lambda x: x**2, 0.0, 1.0, 5, "trapezoid"),
        lambda: plots.approach_both_sides(lambda x: 25 / x, 0.0, ylim=60.0),
        lambda: plots.plot_function(lambda x: 1 / x, -2.0, 2.0),
    ],
)
def test_figures_are_made(make):
    fig = make()
    assert isinstance(fig, matplotlib.figure.Figure) and fig.axes  # the convention: a Figure
    plt.close(fig)


def test_zoom_gap_shrinks():
    fig = plots.zoom_until_straight(lambda x: x**3, 1.0, widths=(1.0, 0.1))
    gaps = [float(ax.get_title().split("gap ")[1].rstrip("%")) for ax in fig.axes]
    assert gaps[1] < gaps[0] / 5
    plt.close(fig)


def test_unknown_rule_is_explained():
    with pytest.raises(ValueError, match="rule must be one of"):
        plots.riemann_rectangles(jnp.sin, 0.0, 1.0, 4, "simpson")
