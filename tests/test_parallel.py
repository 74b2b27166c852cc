"""diffprog.parallel: data-parallel gradients, on one device here and on many in subprocesses.

In this process jax has whatever devices the machine has (one CPU device in CI). Eight
simulated devices must be requested before jax starts, so the multi-device checks
(tests/multidevice/check_parallel.py) and tutorial 10 run in fresh processes with
``XLA_FLAGS=--xla_force_host_platform_device_count=8``; the multi-host check runs two
processes joined by ``jax.distributed`` over 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import diffprog

ROOT = Path(__file__).resolve().parent.parent
EIGHT = "--xla_force_host_platform_device_count=8"


def env_with(xla_flags: str | None) -> dict[str, str]:
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    )
    env.pop("PYTEST_CURRENT_TEST", None)
    if xla_flags is None:
        env.pop("XLA_FLAGS", None)
    else:
        env["XLA_FLAGS"] = xla_flags
    return env


def mse(w, batch):
    x, y = batch
    return jnp.mean((x @ w - y) ** 2)


@pytest.fixture
def data(key):
    kx, kw = jax.random.split(key)
    x = jax.random.normal(kx, (32, 4))
    return x, x @ jax.random.normal(kw, (4,))


# ------------------------------------------------------------------ on this process's devices


def test_make_mesh_defaults_to_all_devices():
    mesh = diffprog.make_mesh()
    assert mesh.axis_names == ("data",) and mesh.size == len(jax.devices())
    assert list(mesh.devices.flat) == jax.devices()


@pytest.mark.parametrize("bad", [0, -1, 10_000])
def test_make_mesh_rejects_impossible_counts(bad):
    with pytest.raises(ValueError, match="num_devices=.*pass a number from 1 to"):
        diffprog.make_mesh(bad)


@pytest.mark.parametrize("bad", [1.0, "2", True])
def test_make_mesh_rejects_non_integers(bad):
    with pytest.raises(TypeError, match="num_devices must be an int"):
        diffprog.make_mesh(bad)


def test_value_and_grad_equals_jax_value_and_grad(data):
    w = jnp.array([0.5, -1.0, 2.0, 0.0])
    with jax.default_matmul_precision("highest"):
        value, grad = diffprog.data_parallel_value_and_grad(mse)(w, data)
        oracle_value, oracle_grad = jax.value_and_grad(mse)(w, data)
    np.testing.assert_allclose(value, oracle_value, rtol=1e-6)
    np.testing.assert_allclose(grad, oracle_grad, rtol=1e-5, atol=1e-6)
    # and the closed form 2/n X^T (X w - y), in float64
    x, y = (np.asarray(a, np.float64) for a in data)
    np.testing.assert_allclose(
        grad, 2 * x.T @ (x @ np.asarray(w, np.float64) - y) / len(y), rtol=1e-5, atol=1e-5
    )


def test_step_is_one_optax_step(data):
    w = jnp.zeros(4)
    opt = optax.adam(0.05)
    step = diffprog.data_parallel_step(mse, opt)
    new_w, new_state, value = step(w, opt.init(w), data)
    updates, oracle_state = opt.update(jax.grad(mse)(w, data), opt.init(w), w)
    np.testing.assert_allclose(new_w, w + updates, rtol=1e-6)
    np.testing.assert_allclose(value, mse(w, data), rtol=1e-6)
    for a, b in zip(jax.tree.leaves(new_state), jax.tree.leaves(oracle_state), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_step_is_pure(data):
    w = jnp.zeros(4)
    opt = optax.sgd(0.1)
    step = diffprog.data_parallel_step(mse, opt)
    first = step(w, opt.init(w), data)
    again = step(w, opt.init(w), data)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(w, jnp.zeros(4))


def test_replicate_and_shard_batch_place_arrays(data):
    mesh = diffprog.make_mesh()
    x, y = diffprog.shard_batch(data, mesh)
    assert x.sharding.spec == jax.sharding.PartitionSpec("data") and x.shape == (32, 4)
    np.testing.assert_array_equal(x, data[0])
    params = diffprog.replicate({"w": jnp.ones(4), "b": 0.0}, mesh)
    assert all(leaf.sharding.is_fully_replicated for leaf in jax.tree.leaves(params))


def test_batch_leaves_must_share_the_example_axis(data):
    x, y = data
    vg = diffprog.data_parallel_value_and_grad(mse)
    with pytest.raises(ValueError, match="same leading .example. axis"):
        vg(jnp.zeros(4), (x, y[:-1]))
    with pytest.raises(ValueError, match="same leading .example. axis"):
        vg(jnp.zeros(4), (x, jnp.float32(1.0)))
    with pytest.raises(ValueError, match="batch has no arrays"):
        vg(jnp.zeros(4), ())


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="loss_fn must be a function"):
        diffprog.data_parallel_value_and_grad(3.0)
    with pytest.raises(TypeError, match="optimizer must be an optax GradientTransformation"):
        diffprog.data_parallel_step(mse, 0.1)
    with pytest.raises(TypeError, match="mesh must be a jax.sharding.Mesh"):
        diffprog.data_parallel_value_and_grad(mse, mesh="data")
    two_d = jax.sharding.Mesh(np.array(jax.devices()[:1]).reshape(1, 1), ("a", "b"))
    with pytest.raises(ValueError, match="mesh must be 1-D with the axis name 'data'"):
        diffprog.data_parallel_step(mse, optax.sgd(0.1), two_d)


# ------------------------------------------------------------------ many devices, many hosts


@pytest.mark.slow
def test_eight_simulated_devices_give_the_same_numbers():
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "error",
            "tests/multidevice/check_parallel.py",
        ],
        cwd=ROOT,
        env=env_with(EIGHT),
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert out.returncode == 0 and " passed" in out.stdout and "skipped" not in out.stdout, (
        out.stdout[-4000:] + out.stderr[-2000:]
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_processes_on_loopback_give_the_same_numbers():
    """jax.distributed with 2 CPU processes x 2 devices on 127.0.0.1 (gloo collectives)."""
    address = f"127.0.0.1:{_free_port()}"
    worker = ROOT / "tests" / "multidevice" / "multihost_worker.py"
    procs = [
        subprocess.Popen(
            [sys.executable, str(worker), address, "2", str(i)],
            cwd=ROOT,
            env=env_with(None),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in range(2)
    ]
    try:
        outputs = [p.communicate(timeout=240)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    results = []
    for p, text in zip(procs, outputs, strict=True):
        lines = [ln for ln in text.splitlines() if ln.startswith("RESULT ")]
        assert p.returncode == 0 and lines, text[-3000:]
        results.append(json.loads(lines[0].removeprefix("RESULT ")))
    for r in results:
        assert r["global_devices"] == 4 and r["local_devices"] == 2
        np.testing.assert_allclose(r["value"], r["oracle_value"], rtol=1e-6)
        np.testing.assert_allclose(r["grad"], r["oracle_grad"], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(r["w"], r["oracle_w"], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(results[0]["w"], results[1]["w"])


@pytest.mark.tutorial
@pytest.mark.parametrize("devices", [8, 1])
def test_tutorial_10_executes_with_simulated_devices(devices, book, monkeypatch):
    """Tutorial 10 with XLA_FLAGS forcing 8 (and 1) CPU devices, as a CPU-only machine would."""
    monkeypatch.setenv("XLA_FLAGS", f"--xla_force_host_platform_device_count={devices}")
    nb = book.execute(ROOT / "tutorials" / "10_scaling_out.md")
    text = "\n".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert f"{devices} cpu device(s)" in text, text[:2000]
