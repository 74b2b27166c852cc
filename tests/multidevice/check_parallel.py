"""diffprog.parallel on 8 simulated CPU devices: the same numbers as on one device.

Not collected by the normal run (the name does not start with test_): jax must be told
to make 8 CPU devices before it starts, so tests/test_parallel.py runs this file in a
fresh ``python -m pytest`` with ``XLA_FLAGS=--xla_force_host_platform_device_count=8``.
Oracles: plain ``jax.value_and_grad`` on one device, the closed-form least-squares
gradient ``2/n X^T (X w - y)`` and plain optax loops with no sharding at all.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import diffprog

pytestmark = pytest.mark.skipif(
    len(jax.devices()) != 8,
    reason="needs 8 devices: run with XLA_FLAGS=--xla_force_host_platform_device_count=8",
)
MESH_SIZES = [1, 2, 8]


def mse(params, batch):
    x, y = batch
    return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)


def mlp(params, x):
    for w, b in params[:-1]:
        x = jnp.tanh(x @ w + b)
    w, b = params[-1]
    return x @ w + b


def mlp_loss(params, batch):
    x, y = batch
    return jnp.mean((mlp(params, x) - y) ** 2)


def init_mlp(key, sizes=(3, 32, 32, 1)):
    keys = jax.random.split(key, len(sizes) - 1)
    return [
        (jax.random.normal(k, (m, n)) / np.sqrt(m), jnp.zeros(n))
        for k, m, n in zip(keys, sizes[:-1], sizes[1:], strict=True)
    ]


@pytest.fixture
def regression():
    kx, kw, kn = jax.random.split(jax.random.key(0), 3)
    x = jax.random.normal(kx, (256, 16))
    y = x @ jax.random.normal(kw, (16,)) + 0.5 + 0.1 * jax.random.normal(kn, (256,))
    params = {"w": jnp.zeros(16), "b": jnp.float32(0.0)}
    return params, (x, y)


def test_eight_devices_are_cpu():
    assert [d.platform for d in jax.devices()] == ["cpu"] * 8


@pytest.mark.parametrize("k", MESH_SIZES)
def test_value_and_grad_equal_one_device_and_closed_form(k, regression):
    params, (x, y) = regression
    params = {"w": jnp.linspace(-1.0, 1.0, 16), "b": jnp.float32(0.3)}
    with jax.default_matmul_precision("highest"):
        value, grads = diffprog.data_parallel_value_and_grad(mse, diffprog.make_mesh(k))(
            params, (x, y)
        )
        one_device = jax.device_put((params, (x, y)), jax.devices()[0])
        one_value, one_grads = jax.jit(jax.value_and_grad(mse))(*one_device)
    # Closed form in float64 (numpy): r = X w + b - y, dL/dw = 2/n X^T r, dL/db = 2 mean(r).
    xs, ys = np.asarray(x, np.float64), np.asarray(y, np.float64)
    r = xs @ np.asarray(params["w"], np.float64) + 0.3 - ys
    np.testing.assert_allclose(value, np.mean(r**2), rtol=1e-5)
    np.testing.assert_allclose(grads["w"], 2 * xs.T @ r / len(r), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(grads["b"], 2 * np.mean(r), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(value, one_value, rtol=1e-6)
    for a, b in zip(jax.tree.leaves(grads), jax.tree.leaves(one_grads), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert grads["w"].sharding.is_fully_replicated and value.sharding.is_fully_replicated


def test_the_batch_is_split_evenly_in_order(regression):
    _, (x, _) = regression
    xs = diffprog.shard_batch(x, diffprog.make_mesh(8))
    shards = sorted(xs.addressable_shards, key=lambda s: s.device.id)
    assert [s.data.shape for s in shards] == [(32, 16)] * 8
    np.testing.assert_array_equal(np.concatenate([np.asarray(s.data) for s in shards]), x)


def test_the_compiled_gradient_all_reduces(regression):
    params, batch = regression
    text = (
        diffprog.data_parallel_value_and_grad(mse, diffprog.make_mesh(8))
        .lower(params, batch)
        .compile()
        .as_text()
    )
    assert "all-reduce" in text
    one = (
        diffprog.data_parallel_value_and_grad(mse, diffprog.make_mesh(1))
        .lower(params, batch)
        .compile()
        .as_text()
    )
    assert "all-reduce" not in one


@pytest.mark.parametrize("k", [2, 8])
def test_fitted_params_equal_one_device_and_least_squares(k, regression):
    params, (x, y) = regression
    opt = optax.sgd(0.1)
    with jax.default_matmul_precision("highest"):
        step = diffprog.data_parallel_step(mse, opt, diffprog.make_mesh(k))
        state = opt.init(params)
        fitted = params
        for _ in range(300):
            fitted, state, _ = step(fitted, state, (x, y))
        # The oracle: the same loop with no mesh at all.
        ref, ref_state = params, opt.init(params)
        plain = jax.jit(lambda p, s: opt.update(jax.grad(mse)(p, (x, y)), s, p))
        for _ in range(300):
            updates, ref_state = plain(ref, ref_state)
            ref = optax.apply_updates(ref, updates)
    for a, b in zip(jax.tree.leaves(fitted), jax.tree.leaves(ref), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    design = np.c_[np.asarray(x, np.float64), np.ones(len(x))]
    lstsq = np.linalg.lstsq(design, np.asarray(y, np.float64), rcond=None)[0]
    np.testing.assert_allclose(np.r_[np.asarray(fitted["w"]), float(fitted["b"])], lstsq, atol=1e-4)


@pytest.mark.parametrize("k", [8])
def test_mlp_adam_fit_equals_one_device(k):
    kp, kx = jax.random.split(jax.random.key(1))
    x = jax.random.uniform(kx, (512, 3), minval=-1.0, maxval=1.0)
    y = jnp.sin(3 * x[:, :1]) * jnp.cos(x[:, 1:2]) + x[:, 2:]
    params = init_mlp(kp)
    opt = optax.adam(1e-2)
    with jax.default_matmul_precision("highest"):
        step_k = diffprog.data_parallel_step(mlp_loss, opt, diffprog.make_mesh(k))
        step_1 = diffprog.data_parallel_step(mlp_loss, opt, diffprog.make_mesh(1))
        pk, sk, p1, s1 = params, opt.init(params), params, opt.init(params)
        for _ in range(60):
            pk, sk, loss_k = step_k(pk, sk, (x, y))
            p1, s1, loss_1 = step_1(p1, s1, (x, y))
    assert float(loss_1) < 0.2 * float(mlp_loss(params, (x, y)))  # it did fit
    np.testing.assert_allclose(loss_k, loss_1, rtol=1e-4)
    for a, b in zip(jax.tree.leaves(pk), jax.tree.leaves(p1), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_uneven_batch_says_how_to_fix(regression):
    params, (x, y) = regression
    vg = diffprog.data_parallel_value_and_grad(mse, diffprog.make_mesh(8))
    with pytest.raises(
        ValueError,
        match=r"250 examples, not a multiple of the 8 devices.*"
        r"trim it to 248 \(drop 2\) or pad it to 256",
    ):
        vg(params, (x[:250], y[:250]))


def test_default_mesh_uses_all_devices(regression):
    params, batch = regression
    vg = diffprog.data_parallel_value_and_grad(mse)
    assert vg.mesh.size == 8
    assert vg(params, batch)[0].sharding.mesh.size == 8
