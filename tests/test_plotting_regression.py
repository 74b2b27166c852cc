"""The regression figures draw what they are given."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from diffprog_course.plotting import regression as rplot  # noqa: E402


def test_figures_draw_their_data():
    x, y = np.arange(8.0), np.linspace(2, -1.4, 8)
    fig = rplot.fitted_lines(x, y, {"start": {"m": 0.9, "b": 0.1}})
    line = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), 0.9 * line.get_xdata() + 0.1)
    rplot.close(fig)
    fig = rplot.cost_curves({"a": [3.0, 2.0, 1.0]})
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), [3.0, 2.0, 1.0])
    rplot.close(fig)
    cost = lambda M, B: np.mean((M[..., None] * x + B[..., None] - y) ** 2, axis=-1)
    fig = rplot.cost_surface_path(
        cost, {"gd": ([0.9, 0.5], [0.1, 0.2])}, (-1, 1), (-1, 2), optimum=(-0.47, 1.76)
    )
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_xdata(), [0.9, 0.5])
    rplot.close(fig)
    fig = rplot.mae_vs_mse(2.0)
    mae_line, mse_line = fig.axes[0].get_lines()
    np.testing.assert_allclose(mae_line.get_ydata(), np.abs(mae_line.get_xdata()))
    np.testing.assert_allclose(mse_line.get_ydata(), mse_line.get_xdata() ** 2)
    rplot.close(fig)
