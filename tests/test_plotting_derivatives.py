"""diffprog_course.plotting.derivatives: the figures draw what they are given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from diffprog_course.plotting import derivatives  # noqa: E402


def test_secant_to_tangent_draws_the_secant_slopes():
    f = lambda x: x**2 + 2 * x + 2
    fig = derivatives.secant_to_tangent(f, 2.0, [1.0, 0.5], slope=6.0)
    _, ax2 = fig.axes
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), [7.0, 6.5])  # 6 + dx
    plt.close(fig)


def test_error_vs_h_is_log_log_and_keeps_zeros_visible():
    hs = np.geomspace(1e-8, 1e-1, 8)
    fig = derivatives.error_vs_h(hs, {"a": hs, "b": np.where(hs > 1e-4, hs**2, 0.0)})
    (ax,) = fig.axes
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert np.all(ax.lines[1].get_ydata() > 0)
    plt.close(fig)


def test_function_and_derivative():
    xs = np.linspace(0, 1, 17)
    fig = derivatives.function_and_derivative(xs, {"f": xs**2, "f'": 2 * xs}, {"oracle": 2 * xs})
    (ax,) = fig.axes
    assert len(ax.lines) == 4  # two curves, the oracle's dots, the x-axis
    plt.close(fig)
