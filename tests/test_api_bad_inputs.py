"""Every public function, attacked with the bad-input kinds: a clear diffprog error or a verdict.

The table is ``ROWS``: one ``Row(function, kind, call, expect)`` per attempt. ``call`` makes the
call; ``expect`` is ``ERROR`` (a :class:`diffprog._validate.InputError`, whose message must name
something), an exception class that is itself an explicit verdict (``DivergenceError``), or a
predicate on the returned value that states the truth from an oracle (a correct number for an
input that is fine after promotion, NaN where NaN is the honest answer). Nothing may escape as
an internal exception (AttributeError, IndexError, a raw jax error) or come back as a silent
number.

To add another module's rows: append ``Row``s to ``ROWS`` (or extend it from a helper
``_rows_<module>()``), nothing else changes. A row that the library does not yet pass carries
``gap="what is wrong"``: it runs as a strict xfail, so fixing the library turns it into an
XPASS failure that asks for the ``gap`` to be removed (the row then guards the fix).
``test_every_public_callable_has_a_row`` checks that every callable in ``diffprog.__all__``
(and the public ``diffprog.autodiff`` functions) is attacked by at least one row.
``test_every_row_is_counted`` prints the counts per function (``pytest -s``).
"""

from __future__ import annotations

import collections
import fractions
import inspect
import math
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import diffprog
from diffprog import costs, models, simulate
from diffprog._validate import InputError
from diffprog.optimize import (
    DivergenceError,
    DivergenceWarning,
    fit,
    gradient_descent,
    least_squares,
)
from diffprog_course.exercises import evaluate, get

ERROR = InputError


class Row(NamedTuple):
    function: str
    kind: str
    call: Callable[[], Any]
    expect: Any = ERROR
    gap: str = ""  # a known library gap: the row is a strict xfail until the library is fixed


HUGE = np.float64(1e300)  # past float32's range: must say "use diffprog.float64()"
P0 = jnp.zeros(2)


def good_loss(p):
    return jnp.sum((p - 1.0) ** 2)


def _close_to(want, tol=1e-3):
    return lambda got: np.allclose(np.asarray(got, np.float64), want, atol=tol)


def _converged(tol=1e-2):
    return lambda res: np.allclose(np.asarray(res.params, np.float64), 1.0, atol=tol)


def _quiet(call: Callable[[], Any]) -> Any:
    """``call()`` with diffprog's verdict warnings silenced (the row reads the verdict)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return call()


def _is_nan(got):
    return bool(np.all(np.isnan(np.asarray(got, np.float64))))


# --------------------------------------------------------------------------------- optimize


def _rows_optimize() -> list[Row]:
    rows = []
    outputs = {
        "None": lambda p: None,
        "tuple": lambda p: (jnp.sum(p), 1.0),
        "list": lambda p: [jnp.sum(p)],
        "dict": lambda p: {"loss": jnp.sum(p)},
        "complex": lambda p: jnp.sum(p) * 1j,
        "vector": lambda p: p,
        "int": lambda p: 3,
        "string": lambda p: "loss",
    }
    for name, run in (
        ("gradient_descent", lambda f, **k: gradient_descent(f, P0, 0.1, 5, **k)),
        ("fit", lambda f, **k: fit(f, P0, optax.sgd(0.1), 5, **k)),
    ):
        rows += [
            Row(name, "non-callable loss", lambda run=run: run(3.0)),
            Row(name, "wrong arity", lambda run=run: run(lambda p, q: jnp.sum(p))),
        ]
        rows += [
            Row(name, f"loss returns {k}", lambda run=run, f=f: run(f)) for k, f in outputs.items()
        ]
        rows.append(
            Row(
                name,
                "loss NaN at step 0",
                _warned(DivergenceWarning, lambda run=run: run(lambda p: jnp.nan * p[0])),
                lambda res: not bool(res.ok) and int(res.diverged_at) == 0,
            )
        )
        rows.append(
            Row(
                name,
                "loss NaN at step 0, raise_if_failed",
                lambda run=run: _quiet(lambda: run(lambda p: jnp.nan * p[0])).raise_if_failed(),
                DivergenceError,
            )
        )
    for kind, p in {
        "complex params": jnp.zeros(2, jnp.complex64),
        "None params": None,
        "string params": "p",
        "empty params": {},
        "too large for float32": HUGE,
        "object array": np.array([1.0, None], dtype=object),
    }.items():
        rows.append(
            Row("gradient_descent", kind, lambda p=p: gradient_descent(good_loss, p, 0.1, 5))
        )
        rows.append(Row("fit", kind, lambda p=p: fit(good_loss, p, optax.sgd(0.1), 5)))
    for lr in (0.0, -0.1, math.nan, math.inf, True, "0.1", None, 1e300, jnp.ones(2), 1j):
        rows.append(
            Row(
                "gradient_descent",
                f"lr={lr!r}",
                lambda lr=lr: gradient_descent(good_loss, P0, lr, 5),
            )
        )
    for n in (-1, 2.5, True, "10", None, math.inf, np.float32(3)):
        rows.append(
            Row(
                "gradient_descent",
                f"num_steps={n!r}",
                lambda n=n: gradient_descent(good_loss, P0, 0.1, n),
            )
        )
        rows.append(
            Row("fit", f"num_steps={n!r}", lambda n=n: fit(good_loss, P0, optax.sgd(0.1), n))
        )
    for opt in (0.01, None, "adam", optax.adam):
        rows.append(
            Row("fit", f"optimizer={opt!r}"[:40], lambda opt=opt: fit(good_loss, P0, opt, 5))
        )
    for c in (0, -1, 2.5, True):
        rows.append(
            Row(
                "fit",
                f"chunk_size={c!r}",
                lambda c=c: fit(good_loss, P0, optax.sgd(0.1), 5, chunk_size=c),
            )
        )
    x, y = jnp.linspace(0, 1, 8), jnp.linspace(0, 1, 8)
    batch_loss = lambda p, b: jnp.mean((p[0] * b[0] - b[1]) ** 2)  # noqa: E731
    key = jax.random.key(0)
    for kind, kw in {
        "batch_size=0": {"data": (x, y), "batch_size": 0, "key": key},
        "batch_size=-1": {"data": (x, y), "batch_size": -1, "key": key},
        "batch_size > n": {"data": (x, y), "batch_size": 9, "key": key},
        "batch_size=2.0": {"data": (x, y), "batch_size": 2.0, "key": key},
        "no key": {"data": (x, y), "batch_size": 2},
        "key not a key": {"data": (x, y), "batch_size": 2, "key": 0},
        "mismatched data": {"data": (x, y[:5])},
        "empty data": {"data": ()},
        "scalar data": {"data": (1.0, 2.0)},
        "key without data": {"key": key},
    }.items():
        loss = good_loss if "data" not in kw else batch_loss
        rows.append(
            Row("fit", kind, lambda loss=loss, kw=kw: fit(loss, P0, optax.sgd(0.1), 5, **kw))
        )
    rows += [
        Row(
            "fit",
            "opt_state of another optimiser",
            lambda: fit(good_loss, P0, optax.adam(0.1), 5, opt_state=optax.sgd(0.1).init(P0)),
        ),
        Row(
            "fit", "has_aux but no aux", lambda: fit(good_loss, P0, optax.sgd(0.1), 5, has_aux=True)
        ),
        Row("fit", "has_aux='yes'", lambda: fit(good_loss, P0, optax.sgd(0.1), 5, has_aux="yes")),
        Row(
            "fit",
            "loss with data but one argument",
            lambda: fit(good_loss, P0, optax.sgd(0.1), 5, data=(x, y)),
        ),
        # fine after promotion: the right answer (oracle: the minimum is at 1)
        Row(
            "gradient_descent",
            "int params",
            lambda: gradient_descent(good_loss, jnp.array([0, 0]), 0.1, 200),
            _converged(),
        ),
        Row(
            "gradient_descent",
            "bool params",
            lambda: gradient_descent(good_loss, jnp.array([False, True]), 0.1, 200),
            _converged(),
        ),
        Row(
            "fit",
            "float16 params",
            lambda: fit(good_loss, jnp.zeros(2, jnp.float16), optax.sgd(0.1), 200),
            _converged(1e-2),
        ),
        Row(
            "fit",
            "bfloat16 params",
            lambda: fit(good_loss, jnp.zeros(2, jnp.bfloat16), optax.sgd(0.1), 200),
            _converged(2e-2),
        ),
    ]
    for kind, (a, b) in {
        "mismatched": ([1.0, 2.0], [1.0]),
        "one point": ([1.0], [2.0]),
        "all x equal": ([1.0, 1.0, 1.0], [0.0, 1.0, 2.0]),
        "complex": (jnp.array([1j, 2.0]), [1.0, 2.0]),
        "NaN": ([1.0, math.nan, 3.0], [1.0, 2.0, 3.0]),
        "inf": ([1.0, 2.0, 3.0], [1.0, math.inf, 3.0]),
        "None": (None, [1.0]),
        "string": ("abc", [1.0, 2.0, 3.0]),
        "empty": ([], []),
        "scalar": (1.0, 2.0),
        "3-D": (jnp.ones((2, 2, 2)), jnp.ones(2)),
        "too large for float32": (np.array([0.0, HUGE]), [0.0, 1.0]),
    }.items():
        rows.append(Row("least_squares", kind, lambda a=a, b=b: least_squares(a, b)))
    rows.append(
        Row(
            "least_squares",
            "int inputs",
            lambda: least_squares([0, 1, 2], [1, 3, 5]).params["m"],
            _close_to(2.0),
        )
    )
    return rows


# ------------------------------------------------------------------------------------ costs


def _rows_costs() -> list[Row]:
    rows = []
    pairs = (
        costs.mse,
        costs.mse_grad,
        costs.mae,
        costs.mae_grad,
        costs.huber,
        costs.huber_grad,
        costs.bce_with_logits,
        costs.bce_with_logits_grad,
        costs.softmax_cross_entropy,
        costs.softmax_cross_entropy_grad,
    )
    bad = {
        "mismatched shapes": ([1.0, 2.0], [1.0, 0.0, 1.0]),
        "(n,) vs (n, 1)": (jnp.zeros(3), jnp.zeros((3, 1))),
        "empty": ([], []),
        "complex y_hat": (jnp.array([1j, 0.0]), [0.0, 1.0]),
        "None": (None, [1.0]),
        "string": ("ab", [1.0, 0.0]),
        "dict": ({"a": 1.0}, [1.0]),
        "too large for float32": (np.array([HUGE, 0.0]), [0.0, 1.0]),
    }
    for f in pairs:
        for kind, (a, b) in bad.items():
            rows.append(Row(f.__name__, kind, lambda f=f, a=a, b=b: f(a, b)))
    # ints and bools are fine: the same number as the float version (oracle: float inputs)
    for f in (costs.mse, costs.mae, costs.huber, costs.bce_with_logits):
        want = float(f(jnp.array([1.0, 0.0, 2.0]), jnp.array([1.0, 1.0, 0.0])))
        rows.append(
            Row(
                f.__name__,
                "int/bool inputs",
                lambda f=f: f(jnp.array([1, 0, 2]), jnp.array([True, True, False])),
                _close_to(want, 1e-6),
            )
        )
    for f in (costs.bce_with_logits, costs.bce_with_logits_grad):
        for y in ([2.0, 0.0], [-1.0, 1.0]):
            rows.append(Row(f.__name__, f"labels {y}", lambda f=f, y=y: f([0.5, -0.5], y)))
    for f in (costs.softmax_cross_entropy, costs.softmax_cross_entropy_grad):
        rows.append(Row(f.__name__, "scalar logits", lambda f=f: f(1.0, 1.0)))
        rows.append(Row(f.__name__, "negative targets", lambda f=f: f([0.0, 1.0], [-1.0, 2.0])))
    for f in (costs.huber, costs.huber_grad):
        for d in (0.0, -1.0, math.nan, math.inf, True, "1", None, jnp.ones(2)):
            rows.append(Row(f.__name__, f"delta={d!r}", lambda f=f, d=d: f([3.0], [0.0], d)))
        # under jit a traced delta <= 0 cannot raise: NaN, never a negative cost
        rows.append(
            Row(
                f.__name__,
                "delta=-1 under jit",
                lambda f=f: jax.jit(lambda dl: f(jnp.array([3.0]), jnp.zeros(1), dl))(-1.0),
                _is_nan,
            )
        )
    vg = costs.linear_mse_value_and_grad
    for kind, (p, a, b) in {
        "params not a dict": (1.0, [1.0], [1.0]),
        "missing b": ({"m": 1.0}, [1.0], [1.0]),
        "complex m": ({"m": 1j, "b": 0.0}, [1.0], [1.0]),
        "vector m": ({"m": jnp.ones(2), "b": 0.0}, [1.0, 2.0], [1.0, 2.0]),
        "mismatched": ({"m": 1.0, "b": 0.0}, [1.0, 2.0], [1.0]),
        "empty": ({"m": 1.0, "b": 0.0}, [], []),
        "None m": ({"m": None, "b": 0.0}, [1.0], [1.0]),
    }.items():
        rows.append(Row("linear_mse_value_and_grad", kind, lambda p=p, a=a, b=b: vg(p, a, b)))
    return rows


# ----------------------------------------------------------------------------------- models


def _rows_models() -> list[Row]:
    W = jnp.ones((1, 2))
    return [
        Row("linear", "params not a dict", lambda: models.linear([1.0, 2.0], 1.0)),
        Row("linear", "missing key", lambda: models.linear({"m": 1.0}, 1.0)),
        Row("linear", "complex m", lambda: models.linear({"m": 1j, "b": 0.0}, 1.0)),
        Row("linear", "complex x", lambda: models.linear({"m": 1.0, "b": 0.0}, 1j)),
        Row(
            "linear", "x of the wrong width", lambda: models.linear({"W": W, "b": 0.0}, jnp.ones(3))
        ),
        Row("linear", "scalar x for W", lambda: models.linear({"W": W, "b": 0.0}, 1.0)),
        Row("linear", "None x", lambda: models.linear({"m": 1.0, "b": 0.0}, None)),
        Row(
            "linear",
            "x too large for float32",
            lambda: models.linear({"m": 1.0, "b": 0.0}, np.array([HUGE])),
        ),
        Row("polynomial", "empty coeffs", lambda: models.polynomial({"coeffs": jnp.zeros(0)}, 1.0)),
        Row(
            "polynomial", "2-D coeffs", lambda: models.polynomial({"coeffs": jnp.ones((2, 2))}, 1.0)
        ),
        Row(
            "polynomial",
            "complex coeffs",
            lambda: models.polynomial({"coeffs": jnp.ones(2) * 1j}, 1.0),
        ),
        Row("polynomial", "no coeffs", lambda: models.polynomial({"c": jnp.ones(2)}, 1.0)),
        Row(
            "logistic",
            "w/x mismatch",
            lambda: models.logistic({"w": jnp.ones(2), "b": 0.0}, jnp.ones(3)),
        ),
        Row("logistic", "missing b", lambda: models.logistic({"w": jnp.ones(2)}, jnp.ones(2))),
        Row(
            "logistic",
            "complex w",
            lambda: models.logistic({"w": jnp.ones(2) * 1j, "b": 0.0}, jnp.ones(2)),
        ),
        Row(
            "polynomial",
            "int coeffs (fine)",
            lambda: models.polynomial({"coeffs": jnp.array([1, -2, 3])}, 2.0),
            _close_to(9.0, 1e-6),
        ),
    ]


# ------------------------------------------------------------------------------- exhaustion


def _rows_exhaustion() -> list[Row]:
    rows = []
    for n in (2, 0, -3, 2.5, True, "5", None, 5.0):
        rows.append(Row("polygon_area", f"n={n!r}", lambda n=n: diffprog.polygon_area(n)))
    for kind in ("outside", None, 3):
        rows.append(
            Row("polygon_area", f"kind={kind!r}", lambda k=kind: diffprog.polygon_area(5, k))
        )
    for r in (-1.0, math.nan, math.inf, 1j, "1", HUGE):
        rows.append(
            Row("polygon_area", f"radius={r!r}", lambda r=r: diffprog.polygon_area(5, radius=r))
        )
    for d in (-1, 61, 2.5, True, "3", None):
        rows.append(
            Row(
                "archimedes_bounds",
                f"num_doublings={d!r}",
                lambda d=d: diffprog.archimedes_bounds(d),
            )
        )
    # honest bounds where float32 cannot resolve pi, and no int32 overflow at 30 doublings
    rows.append(
        Row(
            "archimedes_bounds",
            "30 doublings in float32",
            lambda: diffprog.archimedes_bounds(30),
            lambda b: (
                int(b.sides[-1]) == 4 * 2**30
                and bool(np.all(np.asarray(b.lower, np.float64) <= math.pi))
                and bool(np.all(np.asarray(b.upper, np.float64) >= math.pi))
            ),
        )
    )
    rs = diffprog.riemann_sum
    outputs = {
        "None": lambda x: None,
        "tuple": lambda x: (x, x),
        "list": lambda x: [x],
        "dict": lambda x: {"y": x},
        "complex": lambda x: x * 1j,
        "vector": lambda x: jnp.stack([x, x]),
        "string": lambda x: "y",
    }
    for k, f in outputs.items():
        rows.append(Row("riemann_sum", f"f returns {k}", lambda f=f: rs(f, 0.0, 1.0, 4)))
    rows += [
        Row("riemann_sum", "non-callable f", lambda: rs(1.0, 0.0, 1.0, 4)),
        Row("riemann_sum", "wrong arity", lambda: rs(lambda x, y: x, 0.0, 1.0, 4)),
        Row(
            "riemann_sum", "f returns NaN", lambda: rs(lambda x: x * jnp.nan, 0.0, 1.0, 4), _is_nan
        ),
    ]
    for n in (0, -1, 2.5, True, "4", None):
        rows.append(Row("riemann_sum", f"n={n!r}", lambda n=n: rs(jnp.sin, 0.0, 1.0, n)))
    for rule in ("simpson", None, 1):
        rows.append(
            Row("riemann_sum", f"rule={rule!r}", lambda r=rule: rs(jnp.sin, 0.0, 1.0, 4, r))
        )
    for a in (math.nan, math.inf, HUGE, 1j, None, "0", jnp.zeros(2)):
        rows.append(Row("riemann_sum", f"a={a!r}"[:30], lambda a=a: rs(jnp.sin, a, 1.0, 4)))
    return rows


# -------------------------------------------------------------------------------- exercises


def _rows_exercises() -> list[Row]:
    sympy = pytest.importorskip("sympy")
    correct = lambda verdict: verdict.status == "correct"  # noqa: E731
    malformed = lambda verdict: verdict.status == "malformed"  # noqa: E731
    # 02.1: lim (x^2 - 1)/(x - 1) at 1 = 2 (the bank's worked answer)
    rows = [
        Row("exercises.check", f"id={i!r}", lambda i=i: evaluate(i, 2.0))
        for i in (2.1, "nope", "99.99", None, "2.1")
    ]
    answer = get("02.1").solution
    rows += [
        Row("exercises.check", f"answer as {k}", lambda a=a: evaluate("02.1", a), correct)
        for k, a in {
            "sympy Integer": sympy.Integer(int(answer))
            if float(answer).is_integer()
            else sympy.nsimplify(answer),
            "Fraction": fractions.Fraction(answer).limit_denominator(1000),
            "bfloat16": jnp.bfloat16(answer),
            "float16": np.float16(answer),
            "int64 array": np.array(answer, np.float64),
        }.items()
    ]
    rows += [
        Row("exercises.check", f"answer {k}", lambda a=a: evaluate("02.1", a), malformed)
        for k, a in {
            "None": None,
            "complex": 2 + 1j,
            "dict": {"a": 2.0},
            "sympy symbol": sympy.Symbol("x"),
            "a function": jnp.sin,
        }.items()
    ]
    return rows


# --------------------------------------------------------------------------------- parallel


def _rows_parallel() -> list[Row]:
    mesh = diffprog.make_mesh(1)
    batch = (jnp.ones(4), jnp.ones(4))
    vg = diffprog.data_parallel_value_and_grad
    rows = [
        Row("make_mesh", f"num_devices={n!r}", lambda n=n: diffprog.make_mesh(n))
        for n in (0, -1, 2.5, True, "1", len(jax.devices()) + 1)
    ]
    rows += [
        Row(
            "shard_batch",
            "mismatched",
            lambda: diffprog.shard_batch((jnp.ones(4), jnp.ones(3)), mesh),
        ),
        Row("shard_batch", "empty", lambda: diffprog.shard_batch((), mesh)),
        Row("shard_batch", "scalar leaves", lambda: diffprog.shard_batch(1.0, mesh)),
        Row("shard_batch", "mesh not a mesh", lambda: diffprog.shard_batch(batch, "mesh")),
        Row("replicate", "mesh not a mesh", lambda: diffprog.replicate(1.0, None)),
        Row("data_parallel_value_and_grad", "non-callable", lambda: vg(1.0, mesh)),
        Row("data_parallel_value_and_grad", "wrong arity", lambda: vg(lambda w: w, mesh)),
        Row(
            "data_parallel_step",
            "optimizer=0.1",
            lambda: diffprog.data_parallel_step(lambda w, b: w, 0.1, mesh),
        ),
    ]
    outputs = {
        "None": lambda w, b: None,
        "tuple": lambda w, b: (w, w),
        "vector": lambda w, b: b[0],
        "complex": lambda w, b: w * 1j,
        "int": lambda w, b: 3,
        "list": lambda w, b: [w],
    }
    rows += [
        Row(
            "data_parallel_value_and_grad", f"loss returns {k}", lambda f=f: vg(f, mesh)(1.0, batch)
        )
        for k, f in outputs.items()
    ]
    return rows


# --------------------------------------------------------------------------------- simulate


def _rows_simulate() -> list[Row]:
    step = simulate.make_step(simulate.spring(1.0), "rk4")
    state = (jnp.ones(()), jnp.zeros(()))
    rows = [
        Row("rollout", f"dt={dt!r}"[:30], lambda dt=dt: simulate.rollout(step, state, 5, dt))
        for dt in (0.0, -0.1, math.nan, math.inf, jnp.ones(2), HUGE)
    ]
    rows += [
        Row("rollout", f"num_steps={n!r}", lambda n=n: simulate.rollout(step, state, n, 0.1))
        for n in (0, -1, 2.5, True, "5")
    ]
    rows += [
        Row("rollout", "non-callable step", lambda: simulate.rollout(3.0, state, 5, 0.1)),
        Row("rollout", "wrong arity", lambda: simulate.rollout(lambda s, t: s, state, 5, 0.1)),
        Row(
            "rollout",
            "step makes NaN",
            _warned(
                simulate.SimulationWarning,
                lambda: simulate.rollout(lambda s, t, dt: s * jnp.nan, 1.0, 5, 0.1),
            ),
            lambda traj: int(simulate.first_nonfinite(traj)) == 1,  # oracle: step 0 -> index 1
        ),
        Row(
            "rollout",
            "checkpoint='log'",
            lambda: simulate.rollout(step, state, 5, 0.1, checkpoint="log"),
        ),
        Row(
            "make_step",
            "method='leapfrog'",
            lambda: simulate.make_step(simulate.spring(1.0), "leapfrog"),
        ),
        Row("make_step", "non-callable f", lambda: simulate.make_step(1.0)),
        Row("make_step", "wrong arity", lambda: simulate.make_step(lambda y: -y)),
        Row("make_step", "method=None", lambda: simulate.make_step(simulate.spring(1.0), None)),
        Row("spring", "state not a pair", lambda: simulate.spring(1.0)(0.0, jnp.ones(3))),
    ]
    rows += [
        Row("spring", f"mass={m!r}", lambda m=m: simulate.spring(1.0, mass=m))
        for m in (0.0, -1.0, math.nan, 1j)
    ]
    rows += [
        Row("pendulum", f"length={v!r}", lambda v=v: simulate.pendulum(length=v))
        for v in (0.0, -1.0, math.inf)
    ]
    rows += [Row("double_pendulum", "m2=0", lambda: simulate.double_pendulum(m2=0.0))]
    t = jnp.linspace(0.0, 1.0, 5)  # y = 1 + t never reaches the ground (oracle: y > 0)
    flying = (jnp.stack([t, 1 + t], 1), jnp.stack([jnp.ones(5), jnp.ones(5)], 1))
    rows += [
        Row("landing_point", "not a pair", lambda: simulate.landing_point(jnp.ones((5, 2)), 0.1)),
        Row(
            "landing_point",
            "positions of shape (5, 3)",
            lambda: simulate.landing_point((jnp.ones((5, 3)), jnp.ones((5, 3))), 0.1),
        ),
        Row(
            "landing_point",
            "never lands",
            _warned(simulate.SimulationWarning, lambda: simulate.landing_point(flying, 0.25)),
            lambda land: not bool(land.ok) and _is_nan(land.x) and _is_nan(land.t),
        ),
        Row(
            "landing_point",
            "never lands, raise_if_failed",
            lambda: _quiet(lambda: simulate.landing_point(flying, 0.25)).raise_if_failed(),
            simulate.SimulationError,
        ),
        Row(
            "gradient_norm_vs_horizon",
            "horizon 0",
            lambda: simulate.gradient_norm_vs_horizon(lambda p, n: p, 1.0, [0]),
        ),
        Row(
            "gradient_norm_vs_horizon",
            "horizon 2.5",
            lambda: simulate.gradient_norm_vs_horizon(lambda p, n: p, 1.0, [2.5]),
        ),
        Row(
            "gradient_norm_vs_horizon",
            "wrong arity",
            lambda: simulate.gradient_norm_vs_horizon(lambda p: p, 1.0, [1]),
        ),
        Row(
            "gradient_norm_vs_horizon",
            "horizons not a sequence",
            lambda: simulate.gradient_norm_vs_horizon(lambda p, n: p, 1.0, 5),
        ),
    ]
    return rows


# ------------------------------------------------------------ shared kinds for user callables

ARITY = "a wrong-arity f is called and its own TypeError escapes (no diffprog error)"


def _outputs(arity: int = 1) -> dict[str, Callable]:
    """Outputs no real scalar function may return, as ``f`` of ``arity`` arguments."""

    def make(out: Callable) -> Callable:
        return (lambda x: out(x)) if arity == 1 else (lambda *a: out(a[0]))

    return {
        k: make(o)
        for k, o in {
            "None": lambda x: None,
            "tuple": lambda x: (x, x),
            "list": lambda x: [x],
            "dict": lambda x: {"y": x},
            "complex": lambda x: x * 1j,
            "string": lambda x: "y",
        }.items()
    }


def _warned(category: type[Warning], call: Callable[[], Any]) -> Callable[[], Any]:
    """``call`` made under ``pytest.warns(category)``: the warning is the documented verdict."""

    def run() -> Any:
        with pytest.warns(category):
            return call()

    return run


def _points() -> dict[str, Any]:
    """Bad points ``x``: not a real number of the active dtype."""
    return {"complex x": 1j, "None x": None, "string x": "1", "too large for float32": HUGE}


# ----------------------------------------------------------------------------------- limits


def _rows_limits() -> list[Row]:
    lim = diffprog.limit

    def exists(want: float) -> Callable[[Any], bool]:
        return lambda r: r.verdict == "exists" and abs(float(r.value) - want) < 1e-4

    rows = [
        Row("limit", "non-callable f", lambda: lim(3.0, 0.0)),
        Row("limit", "wrong arity", lambda: lim(lambda a, b: a, 0.0)),
    ]
    rows += [
        Row(
            "limit",
            f"f returns {k}",
            lambda f=f: lim(f, 1.0),
        )
        for k, f in _outputs().items()
    ]
    rows += [
        Row("limit", "f returns a vector", lambda: lim(lambda x: jnp.stack([x, x]), 1.0)),
        Row(
            "limit",
            "f returns NaN (verdict)",
            lambda: lim(lambda x: x * jnp.nan, 1.0),
            lambda r: r.verdict.startswith("does not exist") and _is_nan(r.value),
        ),
        # fine after promotion (oracle: sin(1) and the constant 3)
        Row("limit", "int x0", lambda: lim(jnp.sin, 1), exists(math.sin(1.0))),
        Row("limit", "float16 x0", lambda: lim(jnp.sin, np.float16(1)), exists(math.sin(1.0))),
        Row("limit", "f returns an int", lambda: lim(lambda x: 3, 1.0), exists(3.0)),
        Row("limit", "vector x0", lambda: lim(jnp.sin, jnp.ones(2))),
    ]
    rows += [
        Row("limit", k, lambda x0=x0: lim(jnp.sin, x0))
        for k, x0 in {**_points(), "NaN x0": math.nan, "bool x0": True}.items()
    ]
    rows += [Row("limit", f"side={s!r}", lambda s=s: lim(jnp.sin, 0.0, s)) for s in ("up", None, 1)]
    rows += [
        Row("limit", f"step={s!r}", lambda s=s: lim(jnp.sin, 0.0, step=s))
        for s in (0.0, -0.1, 2.0, math.nan, math.inf, "0.1", True)
    ]
    rows += [
        Row("limit", f"num_points={n!r}", lambda n=n: lim(jnp.sin, 0.0, num_points=n))
        for n in (0, 4, -1, 2.5, True, "10")
    ]
    return rows


# ---------------------------------------------------------------------------------- numdiff


def _rows_numdiff() -> list[Row]:
    nd = diffprog
    d = nd.derivative
    cos1 = math.cos(1.0)
    rows = [
        Row("derivative", "non-callable f", lambda: d(3.0, 1.0)),
        Row("derivative", "wrong arity", lambda: d(lambda a, b: a, 1.0)),
    ]
    rows += [
        Row(
            "derivative",
            f"f returns {k}",
            lambda f=f: d(f, 1.0),
        )
        for k, f in _outputs().items()
    ]
    rows += [
        Row("derivative", k, lambda x=x: d(jnp.sin, x))
        for k, x in {**_points(), "NaN x": math.nan}.items()
    ]
    rows += [
        # NaN output: the documented verdict is a warning with a NaN value
        Row(
            "derivative",
            "f returns NaN (warns)",
            _warned(nd.InaccurateDerivativeWarning, lambda: d(lambda x: x * jnp.nan, 1.0)),
            _is_nan,
        ),
        # fine after promotion (oracle: cos(1); a constant has derivative 0; elementwise outputs)
        Row("derivative", "int x", lambda: d(jnp.sin, 1), _close_to(cos1)),
        Row("derivative", "bool x", lambda: d(jnp.sin, True), _close_to(cos1)),
        Row("derivative", "float16 x", lambda: d(jnp.sin, np.float16(1)), _close_to(cos1, 5e-3)),
        Row("derivative", "bfloat16 x", lambda: d(jnp.sin, jnp.bfloat16(1)), _close_to(cos1, 2e-2)),
        Row("derivative", "f returns an int", lambda: d(lambda x: 3, 1.0), _close_to(0.0, 0.0)),
        Row(
            "derivative",
            "f returns a vector",
            lambda: d(lambda x: jnp.stack([x, 2 * x]), 1.0),
            _close_to([1.0, 2.0]),
        ),
        Row(
            "derivative",
            "full_output='yes'",
            lambda: d(jnp.sin, 1.0, full_output="yes"),
        ),
    ]
    rows += [
        Row("derivative", f"method={m!r}", lambda m=m: d(jnp.sin, 1.0, m)) for m in ("fwd", None, 3)
    ]
    rows += [
        Row("derivative", f"h={h!r}"[:30], lambda h=h: d(jnp.sin, 1.0, h=h))
        for h in (0.0, -0.1, math.nan, math.inf, 1e-30, "0.1", True, HUGE, jnp.ones(2))
    ]
    rows += [
        Row("derivative", f"order={o!r}", lambda o=o: d(jnp.sin, 1.0, order=o))
        for o in (0, -1, 2.5, True, "1", 5)
    ]
    for name in ("forward_difference", "backward_difference", "central_difference"):
        F = getattr(nd, name)
        rows += [
            Row(name, "non-callable f", lambda F=F: F(3.0, 1.0, 0.1)),
            Row(name, "wrong arity", lambda F=F: F(lambda a, b: a, 1.0, 0.1)),
        ]
        rows += [
            Row(name, f"f returns {k}", lambda F=F, f=f: F(f, 1.0, 0.1))
            for k, f in _outputs().items()
        ]
        rows += [
            Row(name, f"h={h!r}"[:30], lambda F=F, h=h: F(jnp.sin, 1.0, h))
            for h in (0.0, -0.1, math.nan, math.inf, None, "0.1", HUGE, 1e-30)
        ]
        rows += [Row(name, k, lambda F=F, x=x: F(jnp.sin, x, 0.1)) for k, x in _points().items()]
    # int x and int h are fine: the quotient of the formula (oracle: x**2 at 1 with h = 1)
    for name, want in (
        ("forward_difference", 3.0),
        ("backward_difference", 1.0),
        ("central_difference", 2.0),
    ):
        F = getattr(nd, name)
        rows.append(
            Row(name, "int x and h", lambda F=F: F(lambda x: x**2, 1, 1), _close_to(want, 1e-6))
        )
    s = nd.secant
    rows += [
        Row("secant", "non-callable f", lambda: s(3.0, 0.0, 1.0)),
        Row("secant", "wrong arity", lambda: s(lambda a, b: a, 0.0, 1.0)),
        Row("secant", "x1 == x2", lambda: s(jnp.sin, 1.0, 1.0)),
        Row("secant", "NaN x1", lambda: s(jnp.sin, math.nan, 1.0)),
        Row("secant", "None x1", lambda: s(jnp.sin, None, 1.0)),
        Row("secant", "too large for float32", lambda: s(jnp.sin, 0.0, HUGE)),
        Row(
            "secant",
            "mismatched shapes",
            lambda: s(jnp.sin, jnp.ones(2), jnp.ones(3)),
        ),
        # oracle: the chord of x**2 through (0, 0) and (2, 4) is 2x + 0
        Row(
            "secant",
            "int points",
            lambda: s(lambda x: x**2, 0, 2),
            lambda r: _close_to([2.0, 0.0])([r.slope, r.intercept]),
        ),
    ]
    rows += [
        Row("secant", f"f returns {k}", lambda f=f: s(f, 0.0, 1.0)) for k, f in _outputs().items()
    ]
    sq = lambda v: jnp.sum(v**2)  # noqa: E731
    two = jnp.ones(2)
    for name in ("numerical_gradient", "numerical_jacobian", "numerical_hessian"):
        F = getattr(nd, name)
        rows += [
            Row(name, "non-callable f", lambda F=F: F(3.0, two)),
            Row(name, "wrong arity", lambda F=F: F(lambda a, b: a, two)),
            Row(name, "empty x", lambda F=F: F(sq, jnp.zeros(0))),
            Row(name, "empty dict x", lambda F=F: F(lambda p: 0.0, {})),
            Row(name, "None x", lambda F=F: F(sq, None)),
            Row(name, "string x", lambda F=F: F(sq, "ab")),
            Row(name, "complex x", lambda F=F: F(sq, two * 1j)),
            Row(name, "too large for float32", lambda F=F: F(sq, np.array([HUGE, 0.0]))),
            Row(name, "method='fwd'", lambda F=F: F(sq, two, "fwd")),
            Row(name, "full_output='yes'", lambda F=F: F(sq, two, full_output="yes")),
            # a NaN output or an h too small: the documented verdict is a warning + NaN
            Row(
                name,
                "f returns NaN (warns)",
                _warned(
                    nd.InaccurateDerivativeWarning,
                    lambda F=F: F(lambda v: jnp.sum(v) * jnp.nan, two),
                ),
                _is_nan,
            ),
            Row(
                name,
                "h=1e-30 (warns)",
                _warned(nd.InaccurateDerivativeWarning, lambda F=F: F(sq, two, h=1e-30)),
                _is_nan,
            ),
        ]
        rows += [
            Row(name, f"h={h!r}", lambda F=F, h=h: F(sq, two, h=h))
            for h in (0.0, -0.1, math.nan, math.inf, "0.1")
        ]
        outs = (
            _outputs()
            if name != "numerical_jacobian"
            else {  # pytree outputs are fine there
                k: f for k, f in _outputs().items() if k not in ("tuple", "list", "dict")
            }
        )
        rows += [Row(name, f"f returns {k}", lambda F=F, f=f: F(f, two)) for k, f in outs.items()]
    # fine after promotion (oracle: the gradient of sum(v**2) is 2v, its Hessian 2I)
    rows += [
        Row(
            "numerical_gradient",
            "scalar x",
            lambda: nd.numerical_gradient(lambda v: v**2, 1.0),
            _close_to(2.0, 1e-2),
        ),
        Row(
            "numerical_gradient",
            "int x",
            lambda: nd.numerical_gradient(sq, jnp.array([1, 2])),
            _close_to([2.0, 4.0], 1e-2),
        ),
        Row(
            "numerical_jacobian",
            "float16 x",
            lambda: nd.numerical_jacobian(sq, jnp.ones(2, jnp.float16)),
            _close_to([2.0, 2.0], 5e-2),
        ),
        Row(
            "numerical_hessian",
            "int x",
            lambda: nd.numerical_hessian(sq, jnp.array([1, 2])),
            _close_to(2 * np.eye(2), 5e-2),
        ),
        Row(
            "numerical_jacobian",
            "f returns a tuple (pytree)",
            lambda: nd.numerical_jacobian(lambda v: (v, 2 * v), two),
            lambda j: (
                np.allclose(j[0], np.eye(2), atol=1e-2)
                and np.allclose(j[1], 2 * np.eye(2), atol=1e-2)
            ),
        ),
    ]
    return rows


# ------------------------------------------------------------------------------------ check


def _rows_check() -> list[Row]:
    cg = diffprog.check_grads
    g = lambda v: jnp.sum(jnp.sin(v))  # noqa: E731
    two = (jnp.ones(2),)
    rows = [
        Row("check_grads", "non-callable f", lambda: cg(3.0, two)),
        Row("check_grads", "args not a sequence", lambda: cg(g, jnp.ones(2))),
        Row("check_grads", "args empty", lambda: cg(g, ())),
        Row("check_grads", "wrong arity", lambda: cg(g, two * 2)),
        Row("check_grads", "complex args", lambda: cg(g, (two[0] * 1j,))),
        Row("check_grads", "too large for float32", lambda: cg(g, (np.array([HUGE, 0.0]),))),
        # removed keywords (the verdict is report.ok / report.raise_if_failed(); the step is
        # step=): Python's own TypeError names the keyword
        Row("check_grads", "raise_on_fail=True", lambda: cg(g, two, raise_on_fail=True), TypeError),
        Row("check_grads", "eps=1e-3", lambda: cg(g, two, eps=1e-3), TypeError),
        Row("check_grads", "key='k'", lambda: cg(g, two, key="k")),
        # a NaN output: a report that does not pass (never "passed")
        Row(
            "check_grads",
            "f returns NaN (not passed)",
            lambda: cg(lambda v: jnp.sum(v) * jnp.nan, two),
            lambda r: not r.ok and r.verdict == "undetermined",
        ),
        # float16 args: correct gradients are never called a FAIL (passed or undetermined)
        Row(
            "check_grads",
            "float16 args",
            lambda: cg(g, (jnp.ones(2, jnp.float16),)),
            lambda r: not r.failures,
        ),
    ]
    rows += [
        Row("check_grads", f"f returns {k}", lambda f=f: cg(f, two))
        for k, f in _outputs().items()
        if k not in ("tuple", "list", "dict")
    ]  # pytrees: fine
    rows += [
        Row("check_grads", f"order={o!r}", lambda o=o: cg(g, two, order=o))
        for o in (0, -1, 3, 2.5, True, "1")
    ]
    rows += [
        Row("check_grads", f"modes={m!r}", lambda m=m: cg(g, two, modes=m))
        for m in (("up",), (), None)
    ]
    for arg, values in {
        "step": (0.0, -1e-3, math.nan, math.inf, "1e-3"),
        "atol": (-1e-3, math.nan, math.inf, "1"),
        "rtol": (-1e-3, math.nan),
        "directions": (0, -1, 2.5, True),
    }.items():
        rows += [
            Row("check_grads", f"{arg}={v!r}", lambda arg=arg, v=v: cg(g, two, **{arg: v}))
            for v in values
        ]
    sq = lambda v: jnp.sum(v**2)  # noqa: E731
    rows += [
        Row("hvp", "non-callable f", lambda: diffprog.hvp(3.0, jnp.ones(2), jnp.ones(2))),
        Row("hvp", "x/v shapes mismatched", lambda: diffprog.hvp(sq, jnp.ones(2), jnp.ones(3))),
        Row(
            "hvp",
            "x/v structures mismatched",
            lambda: diffprog.hvp(sq, jnp.ones(2), {"a": jnp.ones(2)}),
        ),
        Row("hvp", "wrong arity", lambda: diffprog.hvp(lambda a, b: a, jnp.ones(2), jnp.ones(2))),
        Row(
            "hvp", "f returns a vector", lambda: diffprog.hvp(lambda v: v, jnp.ones(2), jnp.ones(2))
        ),
        # int x is promoted (oracle: the Hessian of sum(v**2) is 2 I, so H [1, 0] = [2, 0])
        Row(
            "hvp",
            "int x",
            lambda: diffprog.hvp(sq, jnp.array([1, 2]), jnp.array([1, 0])),
            _close_to([2.0, 0.0], 1e-6),
        ),
        Row("hvp", "complex x", lambda: diffprog.hvp(sq, jnp.ones(2) * 1j, jnp.ones(2))),
        Row("hvp", "None x and v", lambda: diffprog.hvp(sq, None, None)),
        Row("hvp", "string x", lambda: diffprog.hvp(sq, "ab", "cd")),
    ]
    rows += [
        Row("hvp", f"f returns {k}", lambda f=f: diffprog.hvp(f, jnp.ones(2), jnp.ones(2)))
        for k, f in _outputs().items()
    ]
    jac = diffprog.jacobian
    rows += [
        Row("jacobian", "non-callable f", lambda: jac(3.0)),
        Row("jacobian", "wrong arity", lambda: jac(lambda a, b: a)(jnp.ones(2))),
        Row("jacobian", "f returns None", lambda: jac(lambda v: None)(jnp.ones(2))),
        Row("jacobian", "f returns a string", lambda: jac(lambda v: "y")(jnp.ones(2))),
        Row("jacobian", "f returns complex", lambda: jac(lambda v: v * 1j)(jnp.ones(2))),
        Row("jacobian", "f returns ints", lambda: jac(lambda v: jnp.argsort(v))(jnp.ones(2))),
        # int x is promoted (oracle: d(v**2)/dv = diag(2 v) = diag(2, 4) at [1, 2])
        Row(
            "jacobian",
            "int x",
            lambda: jac(lambda v: v**2)(jnp.array([1, 2])),
            _close_to(np.diag([2.0, 4.0]), 1e-6),
        ),
        Row("jacobian", "string x", lambda: jac(lambda v: v**2)("ab")),
        Row("jacobian", "complex x", lambda: jac(lambda v: v**2)(jnp.ones(2) * 1j)),
        # pytree outputs are fine (oracle: d(v, 2v)/dv = (I, 2I))
        Row(
            "jacobian",
            "f returns a tuple (pytree)",
            lambda: jac(lambda v: (v, 2 * v))(jnp.ones(2)),
            lambda j: np.allclose(j[0], np.eye(2)) and np.allclose(j[1], 2 * np.eye(2)),
        ),
    ]
    rows += [
        Row("jacobian", f"mode={m!r}", lambda m=m: jac(jnp.sin, mode=m)) for m in ("up", None, 1)
    ]
    rows += [
        Row("jacobian", f"argnums={a!r}", lambda a=a: jac(lambda v: v, argnums=a)(jnp.ones(2)))
        for a in (-3, 1, 2.5, True, "0", (0, 0), (), None)
    ]
    jm = diffprog.jacobian_mode
    rows += [
        Row("jacobian_mode", "non-callable f", lambda: jm(3.0, jnp.ones(2))),
        Row("jacobian_mode", "no args", lambda: jm(jnp.sin)),
        Row("jacobian_mode", "argnums=5", lambda: jm(jnp.sin, jnp.ones(2), argnums=5)),
        Row("jacobian_mode", "wrong arity", lambda: jm(lambda a, b: a, jnp.ones(2))),
        Row("jacobian_mode", "f returns None", lambda: jm(lambda v: None, jnp.ones(2))),
        Row("jacobian_mode", "f returns a string", lambda: jm(lambda v: "y", jnp.ones(2))),
        Row("jacobian_mode", "string arg", lambda: jm(jnp.sin, "ab")),
    ]
    peg = diffprog.per_example_grads
    lo = lambda p, xb, yb: (p * xb - yb) ** 2  # noqa: E731
    b3 = (jnp.ones(3), jnp.ones(3))
    rows += [
        Row("per_example_grads", "non-callable loss", lambda: peg(3.0, 1.0, *b3)),
        Row("per_example_grads", "no batch", lambda: peg(lo, 1.0)),
        Row(
            "per_example_grads", "mismatched batch", lambda: peg(lo, 1.0, jnp.ones(3), jnp.ones(4))
        ),
        Row("per_example_grads", "scalar batch", lambda: peg(lo, 1.0, 1.0, 1.0)),
        Row("per_example_grads", "wrong arity", lambda: peg(lambda p: p, 1.0, *b3)),
        # int params are promoted (oracle: 2 (p x - y) x = 0 at p = x = y = 1, per example)
        Row("per_example_grads", "int params", lambda: peg(lo, 1, *b3), _close_to([0.0] * 3, 0.0)),
        Row("per_example_grads", "complex params", lambda: peg(lo, 1j, *b3)),
        Row("per_example_grads", "string params", lambda: peg(lo, "p", *b3)),
        # an empty batch: no examples, no gradients (oracle: shape (0,))
        Row(
            "per_example_grads",
            "empty batch",
            lambda: peg(lo, 1.0, jnp.ones(0), jnp.ones(0)),
            lambda g: np.shape(g) == (0,),
        ),
    ]
    rows += [
        Row("per_example_grads", f"loss returns {k}", lambda f=f: peg(f, 1.0, *b3))
        for k, f in {**_outputs(3), "vector": lambda p, a, b: jnp.stack([p, p])}.items()
        if k in ("None", "tuple", "complex", "vector")
    ]
    return rows


# ---------------------------------------------------------------------------------- explain


def _rows_explain() -> list[Row]:
    ex = diffprog.explain
    rows = [
        Row("explain", "non-callable f", lambda: ex(3.0, 1.0)),
        Row("explain", "no args", lambda: ex(jnp.sin)),
        Row("explain", "wrong arity", lambda: ex(lambda a, b: a, 1.0)),
        Row("explain", "vector x", lambda: ex(jnp.sin, jnp.ones(2))),
        Row("explain", "complex x", lambda: ex(jnp.sin, 1j)),
        Row("explain", "string x", lambda: ex(jnp.sin, "1")),
        Row("explain", "None x", lambda: ex(jnp.sin, None)),
        Row(
            "explain",
            "too large for float32",
            lambda: ex(jnp.sin, HUGE),
        ),
    ]
    rows += [
        Row(
            "explain",
            f"f returns {k}",
            lambda f=f: ex(f, 1.0),
        )
        for k, f in _outputs().items()
    ]
    rows += [
        Row("explain", f"tangent={t!r}", lambda t=t: ex(jnp.sin, 1.0, tangent=t))
        for t in ((1.0, 2.0), "1", (math.nan,), (1j,))
    ]
    rows += [
        Row("explain", f"precision={p!r}", lambda p=p: ex(jnp.sin, 1.0, precision=p))
        for p in (-1, 0, 2.5, True, "5", 100)
    ]
    return rows


# ------------------------------------------------------------------------------------ rules


def _rows_rules() -> list[Row]:
    from diffprog.rules import x

    D = diffprog.Diff
    return [
        Row("Diff", "non-callable f", lambda: D(3.0, jnp.cos, "sin(x)", "cos(x)")),
        Row("Diff", "non-callable df", lambda: D(jnp.sin, 3.0, "sin(x)", "cos(x)")),
        Row("Diff", "expr not a string", lambda: D(jnp.sin, jnp.cos, 1, "cos(x)")),
        Row("Diff", "all None", lambda: D(None, None, None, None)),
        Row(
            "Diff",
            "rule=3",
            lambda: D(jnp.sin, jnp.cos, "sin(x)", "cos(x)", rule=3),
        ),
        Row(
            "Diff",
            "parts=(1,)",
            lambda: D(jnp.sin, jnp.cos, "sin(x)", "cos(x)", parts=(1,)),
        ),
        Row("Diff", "f of wrong arity", lambda: D(lambda a, b: a, jnp.cos, "s", "c")(1.0)),
        Row(
            "Diff",
            "f returns None",
            lambda: D(lambda t: None, jnp.cos, "s", "c")(1.0),
        ),
        Row(
            "Diff",
            "df returns None",
            lambda: D(jnp.sin, lambda t: None, "s", "c").d(1.0),
        ),
        Row("Diff", "x + 'a'", lambda: x + "a"),
        Row("Diff", "x * None", lambda: x * None),
        Row("Diff", "x ** '2'", lambda: x ** "2"),
        Row("Diff", "x ** x", lambda: x**x),
        Row("Diff", "x + 1j", lambda: x + 1j),
        Row("Diff", "x + an array", lambda: x + jnp.ones(2)),
        Row(
            "Diff",
            "constant too large for float32",
            lambda: x + HUGE,
        ),
        Row("Diff", "called at a string", lambda: x("a")),
        Row("Diff", "called at None", lambda: x(None)),
        Row("Diff", "called at a complex", lambda: (x * x)(1j)),
        Row("Diff", ".d at a string", lambda: (x * x).d("a")),
        Row(
            "Diff",
            "called at a value too large for float32",
            lambda: (x * x)(HUGE),
        ),
        # NaN in, NaN out: the honest answer (oracle: x + nan is nan everywhere)
        Row("Diff", "x + nan (NaN is honest)", lambda: (x + math.nan)(1.0), _is_nan),
    ]


# --------------------------------------------------------------------------------- autodiff


def _rows_autodiff() -> list[Row]:
    ad = diffprog.autodiff
    sqr = lambda t: t * t  # noqa: E731
    rows = []
    for name, run in (
        ("autodiff.grad", lambda f, x: ad.grad(f)(x)),
        ("autodiff.deriv", lambda f, x: ad.deriv(f)(x)),
        ("autodiff.value_and_grad", lambda f, x: ad.value_and_grad(f)(x)),
        ("autodiff.vjp", lambda f, x: ad.vjp(f, x)),
        ("autodiff.jvp", lambda f, x: ad.jvp(f, (x,), (1.0,))),
    ):
        rows += [Row(name, "wrong arity", lambda run=run: run(lambda a, b: a, 1.0))]
        rows += [
            Row(name, f"f returns {k}", lambda run=run, f=f: run(f, 1.0))
            for k, f in _outputs().items()
        ]
        rows += [
            Row(name, k, lambda run=run, x=x: run(sqr, x))
            for k, x in {"string x": "a", "None x": None, "complex x": 1j}.items()
        ]
    rows += [
        Row("autodiff.grad", "non-callable f", lambda: ad.grad(3.0)),
        Row("autodiff.deriv", "non-callable f", lambda: ad.deriv(3.0)),
        Row("autodiff.value_and_grad", "non-callable f", lambda: ad.value_and_grad(3.0)),
        Row("autodiff.vjp", "non-callable f", lambda: ad.vjp(3.0, 1.0)),
        Row("autodiff.jvp", "non-callable f", lambda: ad.jvp(3.0, (1.0,), (1.0,))),
        Row("autodiff.grad", "array x", lambda: ad.grad(sqr)(jnp.ones(2))),
        Row(
            "autodiff.grad",
            "log at 0 (outside its domain)",
            lambda: ad.grad(lambda t: ad.log(t))(0.0),
        ),
        Row(
            "autodiff.deriv",
            "1/x at 0 (outside its domain)",
            lambda: ad.deriv(lambda t: 1 / t)(0.0),
        ),
        Row("autodiff.value_and_grad", "argnums=5", lambda: ad.value_and_grad(sqr, argnums=5)(1.0)),
        Row("autodiff.jvp", "primals/tangents mismatched", lambda: ad.jvp(sqr, (1.0,), (1.0, 2.0))),
        Row("autodiff.jvp", "primals not a sequence", lambda: ad.jvp(sqr, 1.0, 1.0)),
        Row("autodiff.jvp", "empty primals", lambda: ad.jvp(sqr, (), ())),
        Row("autodiff.jvp", "string tangent", lambda: ad.jvp(sqr, (1.0,), ("a",))),
        Row("autodiff.jvp", "None tangent", lambda: ad.jvp(sqr, (1.0,), (None,))),
        Row("autodiff.vjp", "string cotangent", lambda: ad.vjp(sqr, 1.0)[1]("a")),
        Row("autodiff.vjp", "None cotangent", lambda: ad.vjp(sqr, 1.0)[1](None)),
        Row("autodiff.vjp", "tuple cotangent", lambda: ad.vjp(sqr, 1.0)[1]((1.0, 2.0))),
        # ints, bools and NaN are refused, as jax.grad refuses ints (the documented policy)
        Row("autodiff.grad", "int x", lambda: ad.grad(sqr)(3)),
        Row("autodiff.grad", "bool x", lambda: ad.grad(sqr)(True)),
        Row("autodiff.deriv", "int x", lambda: ad.deriv(sqr)(3)),
        Row("autodiff.grad", "NaN x", lambda: ad.grad(sqr)(math.nan)),
        # a constant output has gradient 0 (oracle: d3/dx = 0)
        Row(
            "autodiff.grad",
            "f returns an int",
            lambda: ad.grad(lambda t: 3)(1.0),
            _close_to(0.0, 0.0),
        ),
    ]
    rows += [
        Row("autodiff.grad", f"argnums={a!r}", lambda a=a: ad.grad(sqr, argnums=a)(1.0))
        for a in (-3, 1, 2.5, True, "0", None)
    ]
    return rows


# -------------------------------------------------------------------------------- precision


def _rows_precision() -> list[Row]:
    rows = [
        Row(
            "eps",
            f"dtype={t!r}",
            lambda t=t: diffprog.eps(t),
        )
        for t in ("int32", jnp.int32, 3, "nope", "complex64", True)
    ]
    # the documented values (oracle: numpy's finfo)
    rows += [
        Row("eps", f"dtype={t}", lambda t=t: diffprog.eps(t), _close_to(want, 0.0))
        for t, want in (
            ("float16", float(np.finfo(np.float16).eps)),
            (jnp.bfloat16, 2.0**-7),
            (None, float(np.finfo(np.float32).eps)),
        )
    ]
    # wrong arity of the no-argument functions: Python's own signature error names the function
    rows += [
        Row("default_float", "an argument", lambda: diffprog.default_float(1), TypeError),
        Row("float64", "an argument", lambda: diffprog.float64(True), TypeError),
        Row(
            "default_float",
            "inside float64() (the truth: float64)",
            lambda: _in_float64(diffprog.default_float),
            lambda t: t == jnp.float64,
        ),
        Row(
            "float64",
            "nested, then left: back to float32",
            lambda: (_in_float64(lambda: _in_float64(lambda: None)), diffprog.default_float())[1],
            lambda t: t == jnp.float32,
        ),
    ]
    return rows


def _in_float64(call: Callable[[], Any]) -> Any:
    with diffprog.float64():
        return call()


# --------------------------------------------------------------------------------- progress


def _rows_progress() -> list[Row]:
    p = diffprog.progress
    return [
        Row("progress", "iterable=3", lambda: list(p(3))),
        Row("progress", "total=-1", lambda: list(p([1], total=-1))),
        Row("progress", "total='1'", lambda: list(p([1], total="1"))),
        Row("progress", "enabled='yes'", lambda: list(p([1], enabled="yes"))),
        # a string is an iterable: its characters (oracle: list("abc"))
        Row(
            "progress",
            "a string iterable",
            lambda: list(p("abc", enabled=False)),
            lambda got: got == ["a", "b", "c"],
        ),
    ]


# Everything in ``diffprog.__all__`` that is not a function to attack: classes (results,
# reports, warnings, errors; ``Diff`` is a class but is attacked above), modules (their public
# functions are attacked by name, e.g. ``autodiff.grad``) and the version string.
NOT_ATTACKED = {
    "__version__",
    "autodiff",
    "simulate",  # modules / the version
    "GradCheckReport",
    "LeafCheck",
    "Trace",
    "LimitResult",
    "DerivativeResult",
    "NumericalResult",
    "OptResult",
    "Secant",
    "LeastSquares",  # result classes
    "GradientCheckError",
    "DivergenceError",
    "SimulationError",
    "InputError",
    "LimitError",
    "DerivativeError",  # errors
    "InaccurateDerivativeWarning",
    "NonDifferentiableWarning",
    "DivergenceWarning",
    "SimulationWarning",  # warnings
}
AUTODIFF_PUBLIC = ("grad", "deriv", "jvp", "vjp", "value_and_grad")

ROWS: list[Row] = (
    _rows_optimize()
    + _rows_costs()
    + _rows_models()
    + _rows_exhaustion()
    + _rows_exercises()
    + _rows_parallel()
    + _rows_simulate()
    + _rows_limits()
    + _rows_numdiff()
    + _rows_check()
    + _rows_explain()
    + _rows_rules()
    + _rows_autodiff()
    + _rows_precision()
    + _rows_progress()
)


def _param(row: Row) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=f"library gap: {row.gap}")] if row.gap else []
    return pytest.param(row, marks=marks, id=f"{row.function}: {row.kind}")


@pytest.mark.parametrize("row", [_param(r) for r in ROWS])
def test_bad_input_gives_a_clear_error_or_a_verdict(row):
    if isinstance(row.expect, type) and issubclass(row.expect, BaseException):
        with pytest.raises(row.expect) as info:
            row.call()
        message = str(info.value)
        assert len(message) > 20, message  # says what was wrong, not just a value
        if issubclass(row.expect, InputError):
            assert not isinstance(info.value, AttributeError | IndexError)
            if "too large" in row.kind:
                assert "float64" in message, message
        return
    got = row.call()
    assert row.expect(got), f"{row.function} ({row.kind}) returned {got!r}"


def test_every_row_is_counted():
    counts = collections.Counter(r.function for r in ROWS)
    print("\nbad inputs tried per function:", dict(sorted(counts.items())))
    assert sum(counts.values()) == len(ROWS) and min(counts.values()) >= 1


def test_every_public_callable_has_a_row():
    attacked = {r.function for r in ROWS}
    names = [n for n in diffprog.__all__ if n not in NOT_ATTACKED]
    for n in NOT_ATTACKED - {"__version__"}:  # the exemptions are what they say
        obj = getattr(diffprog, n)
        assert isinstance(obj, type) or inspect.ismodule(obj), n
    missing = [n for n in names if n not in attacked and f"exercises.{n}" not in attacked]
    missing += [f"autodiff.{n}" for n in AUTODIFF_PUBLIC if f"autodiff.{n}" not in attacked]
    assert not missing, f"public callables with no bad-input row: {missing}"
    assert all(callable(getattr(diffprog, n)) for n in names)
