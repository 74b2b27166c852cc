"""One process of a two-process data-parallel run on 127.0.0.1 (launched by tests/test_parallel.py).

    python multihost_worker.py COORDINATOR_ADDRESS NUM_PROCESSES PROCESS_ID

Each process gets 2 CPU devices, joins the others with ``jax.distributed.initialize``,
builds a mesh over all devices of all processes, and computes the data-parallel loss,
gradient and 20 SGD steps of a linear regression from its own share of the batch. It also
computes the same things on its own, from the whole batch, with plain ``jax.value_and_grad``
(the oracle), and prints one JSON line with both.
"""

from __future__ import annotations

import json
import sys


def main(address: str, num_processes: int, process_id: int) -> None:
    import jax

    jax.config.update("jax_num_cpu_devices", 2)
    jax.distributed.initialize(
        address, num_processes=num_processes, process_id=process_id, initialization_timeout=60
    )
    import jax.numpy as jnp
    import numpy as np
    import optax

    import diffprog

    kx, kw = jax.random.split(jax.random.key(0))
    n, d = 64, 8
    x = jax.random.normal(kx, (n, d))
    y = x @ jax.random.normal(kw, (d,))
    share = slice(process_id * n // num_processes, (process_id + 1) * n // num_processes)

    def loss(w, batch):
        x, y = batch
        return jnp.mean((x @ w - y) ** 2)

    w0 = jnp.zeros(d)
    mesh = diffprog.make_mesh()
    out = {
        "process_id": process_id,
        "global_devices": mesh.size,
        "local_devices": len(jax.local_devices()),
        "jax": jax.__version__,
    }
    with jax.default_matmul_precision("highest"):
        vg = diffprog.data_parallel_value_and_grad(loss, mesh)
        value, grad = vg(w0, (x[share], y[share]))
        oracle_value, oracle_grad = jax.value_and_grad(loss)(w0, (x, y))
        step = diffprog.data_parallel_step(loss, optax.sgd(0.1), mesh)
        w, state = w0, optax.sgd(0.1).init(w0)
        w_ref = w0
        for _ in range(20):
            w, state, _ = step(w, state, (x[share], y[share]))
            w_ref = w_ref - 0.1 * jax.grad(loss)(w_ref, (x, y))
    local = lambda a: np.asarray(a.addressable_data(0)).tolist()  # noqa: E731
    out.update(
        value=local(value),
        grad=local(grad),
        w=local(w),
        oracle_value=float(oracle_value),
        oracle_grad=np.asarray(oracle_grad).tolist(),
        oracle_w=np.asarray(w_ref).tolist(),
    )
    print("RESULT " + json.dumps(out), flush=True)
    jax.distributed.shutdown()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
