"""JAX, PyTorch and TensorFlow 2 compute the same gradients (tutorial 08).

Each function of the table is written once, against a small namespace of
operations (``o.exp``, ``o.tanh``, ...) that each framework fills in, so the
three frameworks differentiate literally the same program. Every gradient is
checked against a closed form (numpy, float64) and the three against each other.

PyTorch and TensorFlow come with the ``compare`` extra (Python 3.11 in CI); where
either is missing, the tests that need it are skipped with the reason printed
(``pytest -ra`` lists it).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter

WHY = (
    "not installed: the `compare` extra installs PyTorch and TensorFlow on Python 3.11 "
    "(`pip install -e '.[compare]'`); on Python >= 3.12 this machine has no CPU build of torch"
)
torch = pytest.importorskip("torch", reason=f"torch {WHY}")
tf = pytest.importorskip("tensorflow", reason=f"tensorflow {WHY}")

RTOL, ATOL = 2e-5, 2e-5  # float32, against a float64 closed form

# ----------------------------------------------------------------------- the same ops, three times

OPS = {
    "jax": SimpleNamespace(
        exp=jnp.exp,
        log=jnp.log,
        sin=jnp.sin,
        cos=jnp.cos,
        tanh=jnp.tanh,
        sigmoid=jax.nn.sigmoid,
        mean=jnp.mean,
        sum=jnp.sum,
        abs=jnp.abs,
        relu=jax.nn.relu,
        max=jnp.max,
        logsumexp=jax.nn.logsumexp,
        matvec=lambda w, v: w @ v,
    ),
    "torch": SimpleNamespace(
        exp=torch.exp,
        log=torch.log,
        sin=torch.sin,
        cos=torch.cos,
        tanh=torch.tanh,
        sigmoid=torch.sigmoid,
        mean=torch.mean,
        sum=torch.sum,
        abs=torch.abs,
        relu=torch.relu,
        max=torch.max,
        logsumexp=lambda z: torch.logsumexp(z, dim=-1),
        matvec=lambda w, v: w @ v,
    ),
    "tf": SimpleNamespace(
        exp=tf.exp,
        log=tf.math.log,
        sin=tf.sin,
        cos=tf.cos,
        tanh=tf.tanh,
        sigmoid=tf.sigmoid,
        mean=tf.reduce_mean,
        sum=tf.reduce_sum,
        abs=tf.abs,
        relu=tf.nn.relu,
        max=tf.reduce_max,
        logsumexp=tf.reduce_logsumexp,
        matvec=lambda w, v: tf.linalg.matvec(w, v),
    ),
}


def to(framework: str, a: Any):
    """A float32 constant of ``framework`` holding ``a``."""
    a = np.asarray(a, np.float32)
    return {"jax": jnp.asarray, "torch": torch.tensor, "tf": tf.constant}[framework](a)


def grad_jax(f, p: np.ndarray) -> np.ndarray:
    return np.asarray(jax.grad(lambda q: f(OPS["jax"], q, "jax"))(jnp.asarray(p, jnp.float32)))


def grad_torch(f, p: np.ndarray) -> np.ndarray:
    q = torch.tensor(np.asarray(p, np.float32), requires_grad=True)
    f(OPS["torch"], q, "torch").backward()
    return q.grad.numpy()


def grad_tf(f, p: np.ndarray) -> np.ndarray:
    q = tf.constant(np.asarray(p, np.float32))
    with tf.GradientTape() as tape:
        tape.watch(q)  # a constant is not watched unless asked
        y = f(OPS["tf"], q, "tf")
    return tape.gradient(y, q).numpy()


GRADS = {"jax": grad_jax, "torch": grad_torch, "tf": grad_tf}

# --------------------------------------------------------------------------------------- the table

# Fixed data for the costs and the layer (float32-exact values).
X8 = np.arange(8.0)
Y8 = np.array([1.86, 1.31, 0.62, 0.33, 0.09, -0.67, -1.23, -1.37])
XB = np.array([[1.0, 0.5, -1.0], [0.2, -1.5, 0.3], [-0.7, 0.1, 0.9], [1.2, 1.1, -0.4]])
YB = np.array([1.0, 0.0, 1.0, 0.0])
XL, BL = np.array([0.5, -1.0, 2.0]), np.array([0.1, -0.2])


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _bce_logits(o, w, fw):
    z = o.matvec(to(fw, XB), w)
    # log(1 + e^z) - y z, written stably: max(z, 0) - y z + log(1 + e^-|z|)
    return o.mean(o.relu(z) - to(fw, YB) * z + o.log(1 + o.exp(-o.abs(z))))


def _dense(o, w, fw):
    h = o.tanh(o.matvec(w, to(fw, XL)) + to(fw, BL))
    return o.sum(h * h)


def _dense_grad(w):
    h = np.tanh(w @ XL + BL)
    return np.outer(2 * h * (1 - h**2), XL)


def _softmax_ce(o, z, fw):
    return o.logsumexp(z) - z[2]


@dataclass(frozen=True)
class Case:
    name: str
    f: Any  # f(ops, p, framework) -> scalar
    grad: Any  # the closed-form gradient, numpy float64
    points: tuple


SCALARS = (-1.5, 0.3, 2.0)
CASES = [
    Case(
        "constant multiple of a power: -5x^3",
        lambda o, x, fw: -5 * x**3,
        lambda x: -15 * x**2,
        SCALARS,
    ),
    Case(
        "power rule, non-integer: x^2.5",
        lambda o, x, fw: x**2.5,
        lambda x: 2.5 * x**1.5,
        (0.3, 1.0, 2.0),
    ),
    Case(
        "product: x^2 sin x",
        lambda o, x, fw: x**2 * o.sin(x),
        lambda x: 2 * x * np.sin(x) + x**2 * np.cos(x),
        SCALARS,
    ),
    Case(
        "quotient: sin x / (1 + x^2)",
        lambda o, x, fw: o.sin(x) / (1 + x**2),
        lambda x: (np.cos(x) * (1 + x**2) - 2 * x * np.sin(x)) / (1 + x**2) ** 2,
        SCALARS,
    ),
    Case(
        "chain: (x^2 + 1)^3",
        lambda o, x, fw: (x**2 + 1) ** 3,
        lambda x: 6 * x * (x**2 + 1) ** 2,
        (-1.5, 0.3, 1.2),
    ),
    Case("sigmoid", lambda o, x, fw: o.sigmoid(x), lambda x: _sig(x) * (1 - _sig(x)), SCALARS),
    Case("exp and log: log(1 + e^x)", lambda o, x, fw: o.log(1 + o.exp(x)), _sig, SCALARS),
    Case("tanh", lambda o, x, fw: o.tanh(x), lambda x: 1 - np.tanh(x) ** 2, SCALARS),
    Case(
        "sum over a vector: sum(x sin x)",
        lambda o, x, fw: o.sum(x * o.sin(x)),
        lambda x: np.sin(x) + x * np.cos(x),
        ((-1.5, 0.3, 2.0),),
    ),
    Case(
        "cost: MSE of y_hat = m x + b, in (m, b)",
        lambda o, p, fw: o.mean((p[0] * to(fw, X8) + p[1] - to(fw, Y8)) ** 2),
        lambda p: np.array(
            [2 * np.mean((p[0] * X8 + p[1] - Y8) * X8), 2 * np.mean(p[0] * X8 + p[1] - Y8)]
        ),
        ((0.9, 0.1), (-0.47, 1.76)),
    ),
    Case(
        "cost: binary cross-entropy from logits, in w",
        _bce_logits,
        lambda w: XB.T @ (_sig(XB @ w) - YB) / len(YB),
        ((0.3, -0.2, 0.5), (-1.0, 2.0, 0.1)),
    ),
    Case(
        "cost: softmax cross-entropy, in the logits",
        _softmax_ce,
        lambda z: np.exp(z) / np.exp(z).sum() - np.eye(len(z))[2],
        ((0.5, -1.0, 2.0, 0.1),),
    ),
    Case(
        "layer: sum(tanh(W x + b)^2), in W",
        _dense,
        _dense_grad,
        (((0.3, -0.2, 0.5), (0.1, 0.4, -0.6)),),
    ),
]
IDS = [c.name.split(":")[0].replace(" ", "_") + f"-{i}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("framework", list(GRADS))
def test_gradient_matches_closed_form(case, framework):
    for p in case.points:
        p = np.asarray(p, np.float32)
        want = case.grad(p.astype(np.float64))
        got = GRADS[framework](case.f, p)
        assert got.shape == np.shape(want), (case.name, framework)
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=f"{case.name} @ {p}")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_three_frameworks_agree(case):
    for p in case.points:
        g = {fw: grad(case.f, np.asarray(p, np.float32)) for fw, grad in GRADS.items()}
        np.testing.assert_allclose(g["torch"], g["jax"], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(g["tf"], g["jax"], rtol=1e-5, atol=1e-6)


def test_table_is_large_enough():
    assert len(CASES) >= 10


# -------------------------------------------------------------------------------- y = x^2 at x = 5


def test_square_at_five_is_ten_everywhere():
    assert float(jax.grad(lambda x: x**2)(5.0)) == 10.0
    x = torch.tensor(5.0).requires_grad_()
    (x**2).backward()
    assert x.grad.item() == 10.0
    v = tf.Variable(5.0)
    with tf.GradientTape() as tape:
        y = v**2
    assert float(tape.gradient(y, v)) == 10.0


# ------------------------------------------------------------------------- the mapping table holds


def _f_vec(o, x):
    return o.sin(x) * x**2  # R^3 -> R^3, elementwise


P3 = np.array([0.4, -1.1, 2.0], np.float32)
V3 = np.array([1.0, 0.5, -2.0], np.float32)


def test_jvp_forward_mode():
    want = (np.cos(P3) * P3**2 + 2 * P3 * np.sin(P3)) * V3
    _, j = jax.jvp(lambda x: _f_vec(OPS["jax"], x), (jnp.asarray(P3),), (jnp.asarray(V3),))
    _, t = torch.func.jvp(
        lambda x: _f_vec(OPS["torch"], x), (torch.tensor(P3),), (torch.tensor(V3),)
    )
    x = tf.constant(P3)
    with tf.autodiff.ForwardAccumulator(primals=x, tangents=tf.constant(V3)) as acc:
        y = _f_vec(OPS["tf"], x)
    for got in (j, t.numpy(), acc.jvp(y)):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-6)


def test_vjp_reverse_mode():
    want = (np.cos(P3) * P3**2 + 2 * P3 * np.sin(P3)) * V3  # the Jacobian is diagonal
    _, pull = jax.vjp(lambda x: _f_vec(OPS["jax"], x), jnp.asarray(P3))
    _, pull_t = torch.func.vjp(lambda x: _f_vec(OPS["torch"], x), torch.tensor(P3))
    x = tf.constant(P3)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = _f_vec(OPS["tf"], x)
    got_tf = tape.gradient(y, x, output_gradients=tf.constant(V3))
    for got in (pull(jnp.asarray(V3))[0], pull_t(torch.tensor(V3))[0].numpy(), got_tf):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-6)


def _mix(o, x):
    return o.tanh(x * x[0]) + x[1] ** 3  # a full 3 x 3 Jacobian


def _mix_np(x):
    d = 1 - np.tanh(x * x[0]) ** 2
    jac = np.diag(d * x[0])
    jac[:, 0] += d * x
    jac[:, 1] += 3 * x[1] ** 2
    return jac


def test_jacobians_forward_and_reverse():
    want = _mix_np(P3.astype(np.float64))
    fj = lambda x: _mix(OPS["jax"], x)
    ft = lambda x: _mix(OPS["torch"], x)
    x = tf.constant(P3)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = _mix(OPS["tf"], x)
    for got in (
        jax.jacfwd(fj)(jnp.asarray(P3)),
        jax.jacrev(fj)(jnp.asarray(P3)),
        torch.func.jacfwd(ft)(torch.tensor(P3)).numpy(),
        torch.func.jacrev(ft)(torch.tensor(P3)).numpy(),
        torch.autograd.functional.jacobian(ft, torch.tensor(P3)).numpy(),
        tape.jacobian(y, x),
    ):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)


def test_hessian():
    def f(o, x):  # sum(x^2 sin x) + x0 x1: Hessian diag(2 sin + 4x cos - x^2 sin) + offdiag
        return o.sum(x**2 * o.sin(x)) + x[0] * x[1]

    x64 = P3.astype(np.float64)
    want = np.diag(2 * np.sin(x64) + 4 * x64 * np.cos(x64) - x64**2 * np.sin(x64))
    want[0, 1] = want[1, 0] = 1.0
    x = tf.constant(P3)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(OPS["tf"], x)
        g = inner.gradient(y, x)
    for got in (
        jax.hessian(lambda x: f(OPS["jax"], x))(jnp.asarray(P3)),
        torch.func.hessian(lambda x: f(OPS["torch"], x))(torch.tensor(P3)).numpy(),
        outer.jacobian(g, x),
    ):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)


def test_vmap_per_example_gradients():
    xs = np.linspace(-2, 2, 5).astype(np.float32)
    want = 6 * xs * (xs**2 + 1) ** 2
    f = lambda x: (x**2 + 1) ** 3
    got_jax = jax.vmap(jax.grad(f))(jnp.asarray(xs))
    got_torch = torch.func.vmap(torch.func.grad(f))(torch.tensor(xs)).numpy()

    def grad_tf_one(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        return tape.gradient(y, x)

    got_tf = tf.vectorized_map(grad_tf_one, tf.constant(xs))
    for got in (got_jax, got_torch, got_tf):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-4)


def test_stop_gradient_and_detach():
    # d/dx [x * stop(x)] = stop(x) = 3, not 2x = 6
    assert float(jax.grad(lambda x: x * jax.lax.stop_gradient(x))(3.0)) == 3.0
    x = torch.tensor(3.0, requires_grad=True)
    (x * x.detach()).backward()
    assert x.grad.item() == 3.0
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = v * tf.stop_gradient(v)
    assert float(tape.gradient(y, v)) == 3.0


def test_compiled_gradients_match_eager():
    f = lambda x: (x**2 + 1) ** 3
    assert float(jax.jit(jax.grad(f))(1.2)) == pytest.approx(6 * 1.2 * (1.2**2 + 1) ** 2, rel=1e-6)

    @tf.function
    def g(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        return tape.gradient(y, x)

    assert float(g(tf.constant(1.2))) == pytest.approx(6 * 1.2 * (1.2**2 + 1) ** 2, rel=1e-6)


# --------------------------------------------------------------------------- the pitfalls are real


def test_torch_grad_accumulates_until_zeroed():
    x = torch.tensor(5.0, requires_grad=True)
    for _ in range(3):
        (x**2).backward()
    assert x.grad.item() == 30.0  # 3 x 10: .grad sums over backward calls
    x.grad = None
    (x**2).backward()
    assert x.grad.item() == 10.0


def test_tf_tape_pitfalls():
    c = tf.constant(5.0)
    with tf.GradientTape() as tape:
        y = c**2
    assert tape.gradient(y, c) is None  # constants are not watched
    v = tf.Variable(5.0)
    with tf.GradientTape() as tape:
        y, z = v**2, v**3
    assert float(tape.gradient(y, v)) == 10.0
    with pytest.raises(RuntimeError, match="non-persistent"):
        tape.gradient(z, v)
    with tf.GradientTape(persistent=True) as tape:
        y, z = v**2, v**3
    assert (float(tape.gradient(y, v)), float(tape.gradient(z, v))) == (10.0, 75.0)
    del tape


def test_jax_retraces_on_new_shapes_and_python_values():
    traces = []

    @jax.jit
    def f(x):
        traces.append(x.shape)
        return jnp.sum(x**2)

    f(jnp.ones(3))
    f(jnp.zeros(3))  # same shape and dtype: cached
    f(jnp.ones(4))  # new shape: traced again
    assert len(traces) == 2


# ---------------------------------------------------------------------------------- the regression


def _descent_numpy(lr=0.01, num_steps=1000):
    m, b = 0.9, 0.1
    for _ in range(num_steps):
        r = m * X8 + b - Y8
        m, b = m - lr * 2 * np.mean(r * X8), b - lr * 2 * np.mean(r)
    return np.array([m, b])


def test_regression_descent_agrees_across_frameworks():
    want = _descent_numpy()  # float64, hand-derived gradient: the oracle
    lr, num_steps = 0.01, 1000
    mse = lambda o, p, fw: o.mean((p[0] * to(fw, X8) + p[1] - to(fw, Y8)) ** 2)

    p = jnp.asarray([0.9, 0.1], jnp.float32)
    step = jax.jit(lambda p: p - lr * jax.grad(lambda q: mse(OPS["jax"], q, "jax"))(p))
    for _ in range(num_steps):
        p = step(p)

    q = torch.tensor([0.9, 0.1], requires_grad=True)
    for _ in range(num_steps):
        loss = mse(OPS["torch"], q, "torch")
        loss.backward()
        with torch.no_grad():
            q -= lr * q.grad
        q.grad = None

    v = tf.Variable([0.9, 0.1])

    @tf.function  # as in tutorial 08 (eager TensorFlow runs the same numbers, only slower)
    def step_tf():
        with tf.GradientTape() as tape:
            loss = mse(OPS["tf"], v, "tf")
        v.assign_sub(lr * tape.gradient(loss, v))

    for _ in range(num_steps):
        step_tf()

    for got in (np.asarray(p), q.detach().numpy(), v.numpy()):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


# ----------------------------------------------------------------------- the benchmark's workloads


def _energy_numpy(k, c, num_steps, x=1.0, v=0.0, dt=0.01):
    for _ in range(num_steps):
        v = v + dt * (-k * x - c * v)
        x = x + dt * v
    return 0.5 * v**2 + 0.5 * k * x**2


def test_benchmark_workloads_compute_the_right_gradients():
    """benchmarks/bench_frameworks.py: every framework's answers match an oracle."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    try:
        import bench_frameworks as bench
    finally:
        sys.path.pop(0)
    num_steps = 200
    k, c, h = 4.0, 0.5, 1e-6
    rollout_fd = [
        (_energy_numpy(k + h, c, num_steps) - _energy_numpy(k - h, c, num_steps)) / (2 * h),
        (_energy_numpy(k, c + h, num_steps) - _energy_numpy(k, c - h, num_steps)) / (2 * h),
    ]
    descent = _descent_numpy(num_steps=num_steps)
    xs, w = np.linspace(-2, 2, 100), 0.7
    small = np.sum(2 * np.tanh(w * xs) * (1 - np.tanh(w * xs) ** 2) * xs)  # d/dw sum(tanh(w x)^2)
    every = bench.workloads(num_steps)
    assert set(every) == {"jax", "torch", "tensorflow"}
    for fw, w in every.items():
        np.testing.assert_allclose(np.asarray(w["small"]()), small, rtol=1e-4, err_msg=fw)
        np.testing.assert_allclose(np.asarray(w["descent"]()), descent, rtol=1e-4, err_msg=fw)
        np.testing.assert_allclose(
            np.asarray(w["rollout"]()), rollout_fd, rtol=1e-3, atol=1e-5, err_msg=fw
        )
    np.testing.assert_allclose(np.asarray(every["jax"]["descent (lax.scan)"]()), descent, rtol=1e-4)
