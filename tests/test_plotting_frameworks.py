"""diffprog_course.plotting.frameworks: tutorial 08's figure (no PyTorch or TensorFlow needed)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from diffprog_course.plotting.frameworks import regression_fits  # noqa: E402


def test_regression_fits_draws_one_line_and_one_cost_curve_per_framework():
    x = np.arange(8.0)
    fits = {"JAX": (-0.5, 1.8), "PyTorch": (-0.5, 1.8)}
    fig = regression_fits(x, 1.8 - 0.5 * x, fits, {k: [2.0, 1.0] for k in fits})
    ax_fit, ax_cost = fig.axes
    assert len(ax_fit.get_lines()) == 2 and len(ax_cost.get_lines()) == 2
    np.testing.assert_allclose(ax_fit.get_lines()[0].get_ydata()[[0, -1]], [1.8, 1.8 - 0.5 * 7])
    assert ax_cost.get_yscale() == "log"
    plt.close(fig)


def test_regression_fits_needs_a_fit():
    with pytest.raises(ValueError, match="fits is empty"):
        regression_fits([0.0, 1.0], [0.0, 1.0], {}, {})
