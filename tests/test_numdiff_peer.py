"""numdiff against the cases of numdifftools' own test suite, rewritten for diffprog.

The cases (functions, points, tolerances) follow numdifftools' ``test_numdifftools.py``
(Derivative, Gradient, Jacobian, Hessdiag, Hessian); the truths are closed forms or
``jax`` autodiff, never numbers produced by diffprog. float64 throughout, as numdifftools.
"""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import diffprog
from diffprog import (
    InaccurateDerivativeWarning,
    derivative,
    numerical_gradient,
    numerical_hessian,
    numerical_jacobian,
)

REAL = ["central", "forward", "backward", "richardson"]


@pytest.fixture(autouse=True)
def _float64():
    with diffprog.float64():
        yield


# ---------------------------------------------------------------- Derivative


@pytest.mark.parametrize("method", REAL + ["complex"])
def test_derivative_exp_at_0(method):  # TestDerivative.test_derivative_exp
    assert float(derivative(jnp.exp, 0.0, method)) == pytest.approx(1.0, rel=1e-7)


def test_derivative_sin_on_a_grid():  # TestDerivative.test_derivative_sin
    x = np.linspace(0, 2.0 * np.pi, 13)
    np.testing.assert_allclose(derivative(jnp.sin, jnp.asarray(x)), np.cos(x), atol=1e-8)


@pytest.mark.parametrize("x0", [0.1, 1.0, 3.0])
@pytest.mark.parametrize("method", REAL)
def test_derivative_of_cos(method, x0):  # TestDerivative.test_derivative_of_cos_x
    r1 = derivative(jnp.cos, x0, method, full_output=True)
    r2 = derivative(jnp.cos, x0, method, order=2, full_output=True)
    for r, truth in ((r1, -np.sin(x0)), (r2, -np.cos(x0))):
        assert abs(float(r.value) - truth) <= float(r.error)
    one_sided = method in ("forward", "backward")  # f'' to O(h): about eps^(1/3)
    for r, truth, tol in ((r1, -np.sin(x0), 1e-5), (r2, -np.cos(x0), 1e-4 if one_sided else 1e-5)):
        assert abs(float(r.value) - truth) <= tol * max(1.0, abs(truth))


def test_backward_derivative_on_sinh():  # test_backward_derivative_on_sinh
    assert float(derivative(jnp.sinh, 0.0, "backward")) == pytest.approx(np.cosh(0.0), rel=1e-7)


@pytest.mark.parametrize("method", ["central", "forward"])
def test_derivative_on_log(method):  # test_central_and_forward_derivative_on_log
    x = np.r_[0.01, 0.1, 1.0, 10.0]  # numdifftools: 0.01..10; the step must not cross 0
    r = derivative(jnp.log, jnp.asarray(x), method, full_output=True)
    np.testing.assert_allclose(r.value, 1 / x, rtol=1e-6)
    assert np.all(np.abs(np.asarray(r.value) - 1 / x) <= np.asarray(r.error))


def test_derivative_cube_on_an_array():  # test_derivative_cube (shape kept)
    x = np.arange(1.0, 7.0).reshape(2, 3)
    d = derivative(lambda t: t**3 + t**4, jnp.asarray(x))
    assert d.shape == (2, 3)
    np.testing.assert_allclose(d, 3 * x**2 + 4 * x**3, rtol=1e-8)


def test_infinite_function_gives_nan_and_warns():  # test_infinite_functions
    with pytest.warns(InaccurateDerivativeWarning, match="no step gave a finite estimate"):
        val = derivative(lambda t: jnp.inf * jnp.ones_like(t), 0.0)
    assert np.isnan(float(val))


@pytest.mark.parametrize("method", REAL)
def test_fun_with_additional_parameters(method):  # test_fun_with_additional_parameters
    def func(x, a, b=1):
        return b * a * x * x * x

    for a, b, truth in ((3.0, 1, 9.0), (3.0, 2, 18.0)):
        val = float(derivative(lambda t, a=a, b=b: func(t, a, b), 1.0, method))
        assert val == pytest.approx(truth, rel=1e-6)


# ---------------------------------------------------------------- Gradient


@pytest.mark.parametrize("method", REAL + ["complex"])
def test_gradient_of_sum_of_squares(method):  # TestGradient.test_gradient
    r = numerical_gradient(
        lambda x: jnp.sum(x**2), jnp.array([1.0, 2.0, 3.0]), method, full_output=True
    )
    # (numdifftools' "forward" is Richardson-extrapolated; ours is the plain O(h) quotient)
    rtol = 1e-6 if method in ("forward", "backward") else 1e-7
    np.testing.assert_allclose(r.value, [2.0, 4.0, 6.0], rtol=rtol)
    assert np.all(np.abs(np.asarray(r.value) - [2, 4, 6]) <= np.asarray(r.error))


def test_gradient_issue_39():  # test_issue_39, truth by jax.grad
    f = lambda x: 1.0 / (jnp.exp(x[0]) + jnp.cos(x[1]) + 10)
    x = jnp.array([1.0, 2.0])
    np.testing.assert_allclose(numerical_gradient(f, x, "richardson"), jax.grad(f)(x), rtol=1e-9)


def test_directional_derivative():  # test_directional_diff: grad . v of Rosenbrock
    rosen = lambda x: (1 - x[0]) ** 2 + 105.0 * (x[1] - x[0] ** 2) ** 2
    x, v = jnp.array([2.0, 3.0]), np.r_[1.0, -1.0] / np.sqrt(2)
    g = numerical_gradient(rosen, x)
    assert float(np.dot(g, v)) == pytest.approx(743.87633380824832, rel=1e-8)


# ---------------------------------------------------------------- Jacobian


def test_jacobian_on_scalar_function():  # TestJacobian.test_on_scalar_function
    f = lambda x: x[0] * x[1] * x[2] + jnp.exp(x[0]) * x[1]
    J = numerical_jacobian(f, jnp.array([3.0, 5.0, 7.0]))
    np.testing.assert_allclose(J, [135.42768462, 41.08553692, 15.0], rtol=1e-7)


@pytest.mark.parametrize("method", REAL)
def test_jacobian_of_a_least_squares_residual_is_zero_at_the_fit(method):  # vector valued
    xdata = jnp.arange(0.0, 1.0, 0.1)
    ydata = 1 + 2 * jnp.exp(0.75 * xdata)
    f = lambda c: (c[0] + c[1] * jnp.exp(c[2] * xdata) - ydata) ** 2
    r = numerical_jacobian(f, jnp.array([1.0, 2.0, 0.75]), method, full_output=True)
    assert r.value.shape == (10, 3)
    # one-sided quotients are O(h): 1e-12 (numdifftools' bound, with Richardson) for the rest
    np.testing.assert_allclose(
        r.value, 0.0, atol=1e-10 if method in ("forward", "backward") else 1e-12
    )
    # (no error-bar check here: the rounding of the residual inside f biases the computed
    # function itself by ~1e-16, which no difference quotient can see)


def test_jacobian_on_matrix_valued_function():  # test_on_matrix_valued_function
    def fun(x):
        x = jnp.atleast_1d(x)
        f0 = x[0] ** 2 + x[1] ** 2
        f1 = x[0] ** 3 + x[1] ** 3
        return jnp.stack([f0, f1])

    for pt, truth in (
        ([1.0, 2.0], [[2.0, 4.0], [3.0, 12.0]]),
        ([3.0, 4.0], [[6.0, 8.0], [27.0, 48.0]]),
    ):
        np.testing.assert_allclose(numerical_jacobian(fun, jnp.array(pt)), truth, rtol=1e-8)


@pytest.mark.parametrize("method", REAL + ["complex"])
def test_jacobian_issue_27(method):  # test_issue_27a/b: x**2 elementwise, n = 10
    x = jnp.ones(10)
    np.testing.assert_allclose(
        numerical_jacobian(lambda t: t**2, x, method), 2 * np.eye(10), atol=1e-7
    )


def test_jacobian_full_output_of_a_sum():  # test_jacobian_fulloutput: exact, tiny error
    r = numerical_jacobian(lambda v: v[0] + v[1], jnp.array([1.0, 3.0]), full_output=True)
    np.testing.assert_allclose(r.value, [1.0, 1.0], rtol=1e-12)
    assert np.all(np.asarray(r.error) < 1e-10)


# ---------------------------------------------------------------- Hessdiag, Hessian


def test_hessdiag():  # TestHessdiag.test_default_step
    f = lambda x: x[0] + x[1] ** 2 + x[2] ** 3
    r = numerical_hessian(f, jnp.array([1.0, 2.0, 3.0]), full_output=True)
    np.testing.assert_allclose(np.diag(r.value), [0.0, 2.0, 18.0], atol=1e-6)
    assert np.all(np.abs(np.diag(r.value) - [0, 2, 18]) <= np.diag(r.error) + 1e-12)


@pytest.mark.parametrize("method", REAL)
def test_hessian_cos_x_minus_y_at_0(method):  # test_hessian_cos_x_y_at_0_0
    r = numerical_hessian(lambda xy: jnp.cos(xy[0] - xy[1]), jnp.zeros(2), method, full_output=True)
    truth = np.array([[-1.0, 1.0], [1.0, -1.0]])
    np.testing.assert_allclose(r.value, truth, atol=1e-5)
    assert np.all(np.abs(np.asarray(r.value) - truth) <= np.asarray(r.error) + 1e-12)


@pytest.mark.parametrize("method", REAL)
def test_hessian_on_scalar_function(method):  # TestHessian.test_on_scalar_function
    f = lambda v: v[0] * v[1] * v[2] + jnp.exp(v[0]) * v[1]
    x = jnp.array([3.0, 5.0, 7.0])
    H = numerical_hessian(f, x, method)
    np.testing.assert_allclose(H, jax.hessian(f)(x), rtol=1e-4, atol=1e-4)


def test_hessian_of_a_quadratic_form():  # run_hamiltonian-like: x^T A x, H = A + A^T
    A = jnp.asarray(np.random.default_rng(0).normal(size=(4, 4)))
    f = lambda v: v @ A @ v
    H = numerical_hessian(f, jnp.asarray(np.random.default_rng(1).normal(size=4)))
    np.testing.assert_allclose(H, A + A.T, atol=1e-6)


def test_no_warnings_on_the_smooth_peer_cases():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        numerical_hessian(lambda v: jnp.sum(jnp.sin(v) * v**2), jnp.linspace(-1, 1, 4))
