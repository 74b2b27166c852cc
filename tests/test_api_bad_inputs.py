"""Every public function, attacked with the bad-input kinds: a clear diffprog error or a verdict.

The table is ``ROWS``: one ``Row(function, kind, call, expect)`` per attempt. ``call`` makes the
call; ``expect`` is ``ERROR`` (a :class:`diffprog._validate.InputError`, whose message must name
something), an exception class that is itself an explicit verdict (``DivergenceError``), or a
predicate on the returned value that states the truth from an oracle (a correct number for an
input that is fine after promotion, NaN where NaN is the honest answer). Nothing may escape as
an internal exception (AttributeError, IndexError, a raw jax error) or come back as a silent
number.

To add another module's rows: append ``Row``s to ``ROWS`` (or extend it from a helper
``_rows_<module>()``), nothing else changes. ``test_every_row_is_counted`` prints the counts
per function (``pytest -s``).
"""

from __future__ import annotations

import collections
import fractions
import math
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
from diffprog.exercises import evaluate
from diffprog.optimize import DivergenceError, fit, gradient_descent, least_squares

ERROR = InputError


class Row(NamedTuple):
    function: str
    kind: str
    call: Callable[[], Any]
    expect: Any = ERROR


HUGE = np.float64(1e300)  # past float32's range: must say "use diffprog.float64()"
P0 = jnp.zeros(2)


def good_loss(p):
    return jnp.sum((p - 1.0) ** 2)


def _close_to(want, tol=1e-3):
    return lambda got: np.allclose(np.asarray(got, np.float64), want, atol=tol)


def _converged(tol=1e-2):
    return lambda res: np.allclose(np.asarray(res.params, np.float64), 1.0, atol=tol)


def _is_nan(got):
    return bool(np.all(np.isnan(np.asarray(got, np.float64))))


# --------------------------------------------------------------------------------- optimize

def _rows_optimize() -> list[Row]:
    rows = []
    outputs = {"None": lambda p: None, "tuple": lambda p: (jnp.sum(p), 1.0),
               "list": lambda p: [jnp.sum(p)], "dict": lambda p: {"loss": jnp.sum(p)},
               "complex": lambda p: jnp.sum(p) * 1j, "vector": lambda p: p,
               "int": lambda p: 3, "string": lambda p: "loss"}
    for name, run in (("gradient_descent", lambda f, **k: gradient_descent(f, P0, 0.1, 5, **k)),
                      ("fit", lambda f, **k: fit(f, P0, optax.sgd(0.1), 5, **k))):
        rows += [Row(name, "non-callable loss", lambda run=run: run(3.0)),
                 Row(name, "wrong arity", lambda run=run: run(lambda p, q: jnp.sum(p)))]
        rows += [Row(name, f"loss returns {k}", lambda run=run, f=f: run(f))
                 for k, f in outputs.items()]
        rows.append(Row(name, "loss NaN at step 0", lambda run=run: run(lambda p: jnp.nan * p[0]),
                        DivergenceError))
    for kind, p in {"complex params": jnp.zeros(2, jnp.complex64), "None params": None,
                    "string params": "p", "empty params": {}, "too large for float32": HUGE,
                    "object array": np.array([1.0, None], dtype=object)}.items():
        rows.append(Row("gradient_descent", kind,
                        lambda p=p: gradient_descent(good_loss, p, 0.1, 5)))
        rows.append(Row("fit", kind, lambda p=p: fit(good_loss, p, optax.sgd(0.1), 5)))
    for lr in (0.0, -0.1, math.nan, math.inf, True, "0.1", None, 1e300, jnp.ones(2), 1j):
        rows.append(Row("gradient_descent", f"lr={lr!r}",
                        lambda lr=lr: gradient_descent(good_loss, P0, lr, 5)))
    for n in (-1, 2.5, True, "10", None, math.inf, np.float32(3)):
        rows.append(Row("gradient_descent", f"num_steps={n!r}",
                        lambda n=n: gradient_descent(good_loss, P0, 0.1, n)))
        rows.append(Row("fit", f"num_steps={n!r}", lambda n=n: fit(good_loss, P0, optax.sgd(.1), n)))
    for opt in (0.01, None, "adam", optax.adam):
        rows.append(Row("fit", f"optimizer={opt!r}"[:40], lambda opt=opt: fit(good_loss, P0, opt, 5)))
    for c in (0, -1, 2.5, True):
        rows.append(Row("fit", f"chunk_size={c!r}",
                        lambda c=c: fit(good_loss, P0, optax.sgd(0.1), 5, chunk_size=c)))
    x, y = jnp.linspace(0, 1, 8), jnp.linspace(0, 1, 8)
    batch_loss = lambda p, b: jnp.mean((p[0] * b[0] - b[1]) ** 2)  # noqa: E731
    key = jax.random.key(0)
    for kind, kw in {"batch_size=0": {"data": (x, y), "batch_size": 0, "key": key},
                     "batch_size=-1": {"data": (x, y), "batch_size": -1, "key": key},
                     "batch_size > n": {"data": (x, y), "batch_size": 9, "key": key},
                     "batch_size=2.0": {"data": (x, y), "batch_size": 2.0, "key": key},
                     "no key": {"data": (x, y), "batch_size": 2},
                     "key not a key": {"data": (x, y), "batch_size": 2, "key": 0},
                     "mismatched data": {"data": (x, y[:5])},
                     "empty data": {"data": ()},
                     "scalar data": {"data": (1.0, 2.0)},
                     "key without data": {"key": key}}.items():
        loss = good_loss if "data" not in kw else batch_loss
        rows.append(Row("fit", kind, lambda loss=loss, kw=kw: fit(loss, P0, optax.sgd(.1), 5, **kw)))
    rows += [
        Row("fit", "opt_state of another optimiser",
            lambda: fit(good_loss, P0, optax.adam(0.1), 5, opt_state=optax.sgd(0.1).init(P0))),
        Row("fit", "has_aux but no aux", lambda: fit(good_loss, P0, optax.sgd(.1), 5, has_aux=True)),
        Row("fit", "has_aux='yes'", lambda: fit(good_loss, P0, optax.sgd(.1), 5, has_aux="yes")),
        Row("fit", "loss with data but one argument",
            lambda: fit(good_loss, P0, optax.sgd(.1), 5, data=(x, y))),
        # fine after promotion: the right answer (oracle: the minimum is at 1)
        Row("gradient_descent", "int params", lambda: gradient_descent(
            good_loss, jnp.array([0, 0]), 0.1, 200), _converged()),
        Row("gradient_descent", "bool params", lambda: gradient_descent(
            good_loss, jnp.array([False, True]), 0.1, 200), _converged()),
        Row("fit", "float16 params", lambda: fit(
            good_loss, jnp.zeros(2, jnp.float16), optax.sgd(0.1), 200), _converged(1e-2)),
        Row("fit", "bfloat16 params", lambda: fit(
            good_loss, jnp.zeros(2, jnp.bfloat16), optax.sgd(0.1), 200), _converged(2e-2)),
    ]
    for kind, (a, b) in {"mismatched": ([1.0, 2.0], [1.0]), "one point": ([1.0], [2.0]),
                         "all x equal": ([1.0, 1.0, 1.0], [0.0, 1.0, 2.0]),
                         "complex": (jnp.array([1j, 2.0]), [1.0, 2.0]),
                         "NaN": ([1.0, math.nan, 3.0], [1.0, 2.0, 3.0]),
                         "inf": ([1.0, 2.0, 3.0], [1.0, math.inf, 3.0]),
                         "None": (None, [1.0]), "string": ("abc", [1.0, 2.0, 3.0]),
                         "empty": ([], []), "scalar": (1.0, 2.0),
                         "3-D": (jnp.ones((2, 2, 2)), jnp.ones(2)),
                         "too large for float32": (np.array([0.0, HUGE]), [0.0, 1.0])}.items():
        rows.append(Row("least_squares", kind, lambda a=a, b=b: least_squares(a, b)))
    rows.append(Row("least_squares", "int inputs", lambda: least_squares([0, 1, 2], [1, 3, 5])["m"],
                    _close_to(2.0)))
    return rows


# ------------------------------------------------------------------------------------ costs

def _rows_costs() -> list[Row]:
    rows = []
    pairs = (costs.mse, costs.mse_grad, costs.mae, costs.mae_grad, costs.huber, costs.huber_grad,
             costs.bce_with_logits, costs.bce_with_logits_grad, costs.softmax_cross_entropy,
             costs.softmax_cross_entropy_grad)
    bad = {"mismatched shapes": ([1.0, 2.0], [1.0, 0.0, 1.0]), "(n,) vs (n, 1)": (
        jnp.zeros(3), jnp.zeros((3, 1))), "empty": ([], []), "complex y_hat": (
        jnp.array([1j, 0.0]), [0.0, 1.0]), "None": (None, [1.0]), "string": ("ab", [1.0, 0.0]),
        "dict": ({"a": 1.0}, [1.0]), "too large for float32": (np.array([HUGE, 0.0]), [0.0, 1.0])}
    for f in pairs:
        for kind, (a, b) in bad.items():
            rows.append(Row(f.__name__, kind, lambda f=f, a=a, b=b: f(a, b)))
    # ints and bools are fine: the same number as the float version (oracle: float inputs)
    for f in (costs.mse, costs.mae, costs.huber, costs.bce_with_logits):
        want = float(f(jnp.array([1.0, 0.0, 2.0]), jnp.array([1.0, 1.0, 0.0])))
        rows.append(Row(f.__name__, "int/bool inputs",
                        lambda f=f: f(jnp.array([1, 0, 2]), jnp.array([True, True, False])),
                        _close_to(want, 1e-6)))
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
        rows.append(Row(f.__name__, "delta=-1 under jit",
                        lambda f=f: jax.jit(lambda dl: f(jnp.array([3.0]), jnp.zeros(1), dl))(-1.0),
                        _is_nan))
    vg = costs.linear_mse_value_and_grad
    for kind, (p, a, b) in {"params not a dict": (1.0, [1.0], [1.0]),
                            "missing b": ({"m": 1.0}, [1.0], [1.0]),
                            "complex m": ({"m": 1j, "b": 0.0}, [1.0], [1.0]),
                            "vector m": ({"m": jnp.ones(2), "b": 0.0}, [1.0, 2.0], [1.0, 2.0]),
                            "mismatched": ({"m": 1.0, "b": 0.0}, [1.0, 2.0], [1.0]),
                            "empty": ({"m": 1.0, "b": 0.0}, [], []),
                            "None m": ({"m": None, "b": 0.0}, [1.0], [1.0])}.items():
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
        Row("linear", "x of the wrong width", lambda: models.linear({"W": W, "b": 0.0},
                                                                   jnp.ones(3))),
        Row("linear", "scalar x for W", lambda: models.linear({"W": W, "b": 0.0}, 1.0)),
        Row("linear", "None x", lambda: models.linear({"m": 1.0, "b": 0.0}, None)),
        Row("linear", "x too large for float32", lambda: models.linear({"m": 1.0, "b": 0.0},
                                                                      np.array([HUGE]))),
        Row("polynomial", "empty coeffs", lambda: models.polynomial({"coeffs": jnp.zeros(0)}, 1.)),
        Row("polynomial", "2-D coeffs", lambda: models.polynomial({"coeffs": jnp.ones((2, 2))}, 1.)),
        Row("polynomial", "complex coeffs", lambda: models.polynomial({"coeffs": jnp.ones(2) * 1j},
                                                                      1.0)),
        Row("polynomial", "no coeffs", lambda: models.polynomial({"c": jnp.ones(2)}, 1.0)),
        Row("logistic", "w/x mismatch", lambda: models.logistic({"w": jnp.ones(2), "b": 0.0},
                                                                jnp.ones(3))),
        Row("logistic", "missing b", lambda: models.logistic({"w": jnp.ones(2)}, jnp.ones(2))),
        Row("logistic", "complex w", lambda: models.logistic({"w": jnp.ones(2) * 1j, "b": 0.0},
                                                             jnp.ones(2))),
        Row("polynomial", "int coeffs (fine)", lambda: models.polynomial(
            {"coeffs": jnp.array([1, -2, 3])}, 2.0), _close_to(9.0, 1e-6)),
    ]


# ------------------------------------------------------------------------------- exhaustion

def _rows_exhaustion() -> list[Row]:
    rows = []
    for n in (2, 0, -3, 2.5, True, "5", None, 5.0):
        rows.append(Row("polygon_area", f"n={n!r}", lambda n=n: diffprog.polygon_area(n)))
    for kind in ("outside", None, 3):
        rows.append(Row("polygon_area", f"kind={kind!r}", lambda k=kind: diffprog.polygon_area(5, k)))
    for r in (-1.0, math.nan, math.inf, 1j, "1", HUGE):
        rows.append(Row("polygon_area", f"radius={r!r}", lambda r=r: diffprog.polygon_area(5,
                                                                                 radius=r)))
    for d in (-1, 61, 2.5, True, "3", None):
        rows.append(Row("archimedes_bounds", f"num_doublings={d!r}",
                        lambda d=d: diffprog.archimedes_bounds(d)))
    # honest bounds where float32 cannot resolve pi, and no int32 overflow at 30 doublings
    rows.append(Row("archimedes_bounds", "30 doublings in float32",
                    lambda: diffprog.archimedes_bounds(30),
                    lambda b: int(b.sides[-1]) == 4 * 2**30
                    and bool(np.all(np.asarray(b.lower, np.float64) <= math.pi))
                    and bool(np.all(np.asarray(b.upper, np.float64) >= math.pi))))
    rs = diffprog.riemann_sum
    outputs = {"None": lambda x: None, "tuple": lambda x: (x, x), "list": lambda x: [x],
               "dict": lambda x: {"y": x}, "complex": lambda x: x * 1j,
               "vector": lambda x: jnp.stack([x, x]), "string": lambda x: "y"}
    for k, f in outputs.items():
        rows.append(Row("riemann_sum", f"f returns {k}", lambda f=f: rs(f, 0.0, 1.0, 4)))
    rows += [Row("riemann_sum", "non-callable f", lambda: rs(1.0, 0.0, 1.0, 4)),
             Row("riemann_sum", "wrong arity", lambda: rs(lambda x, y: x, 0.0, 1.0, 4)),
             Row("riemann_sum", "f returns NaN", lambda: rs(lambda x: x * jnp.nan, 0., 1., 4),
                 _is_nan)]
    for n in (0, -1, 2.5, True, "4", None):
        rows.append(Row("riemann_sum", f"n={n!r}", lambda n=n: rs(jnp.sin, 0.0, 1.0, n)))
    for rule in ("simpson", None, 1):
        rows.append(Row("riemann_sum", f"rule={rule!r}", lambda r=rule: rs(jnp.sin, 0., 1., 4, r)))
    for a in (math.nan, math.inf, HUGE, 1j, None, "0", jnp.zeros(2)):
        rows.append(Row("riemann_sum", f"a={a!r}"[:30], lambda a=a: rs(jnp.sin, a, 1.0, 4)))
    return rows


# -------------------------------------------------------------------------------- exercises

def _rows_exercises() -> list[Row]:
    sympy = pytest.importorskip("sympy")
    correct = lambda verdict: verdict.status == "correct"  # noqa: E731
    malformed = lambda verdict: verdict.status == "malformed"  # noqa: E731
    # 02.1: lim (x^2 - 1)/(x - 1) at 1 = 2 (the bank's worked answer)
    rows = [Row("exercises.check", f"id={i!r}", lambda i=i: evaluate(i, 2.0))
            for i in (2.1, "nope", "99.99", None, "2.1")]
    answer = diffprog.exercises.get("02.1").solution
    rows += [Row("exercises.check", f"answer as {k}", lambda a=a: evaluate("02.1", a), correct)
             for k, a in {"sympy Integer": sympy.Integer(int(answer)) if float(answer).is_integer()
                          else sympy.nsimplify(answer),
                          "Fraction": fractions.Fraction(answer).limit_denominator(1000),
                          "bfloat16": jnp.bfloat16(answer), "float16": np.float16(answer),
                          "int64 array": np.array(answer, np.float64)}.items()]
    rows += [Row("exercises.check", f"answer {k}", lambda a=a: evaluate("02.1", a), malformed)
             for k, a in {"None": None, "complex": 2 + 1j, "dict": {"a": 2.0},
                          "sympy symbol": sympy.Symbol("x"), "a function": jnp.sin}.items()]
    return rows


# --------------------------------------------------------------------------------- parallel

def _rows_parallel() -> list[Row]:
    mesh = diffprog.make_mesh(1)
    batch = (jnp.ones(4), jnp.ones(4))
    vg = diffprog.data_parallel_value_and_grad
    rows = [Row("make_mesh", f"num_devices={n!r}", lambda n=n: diffprog.make_mesh(n))
            for n in (0, -1, 2.5, True, "1", len(jax.devices()) + 1)]
    rows += [Row("shard_batch", "mismatched", lambda: diffprog.shard_batch((jnp.ones(4),
                                                                           jnp.ones(3)), mesh)),
             Row("shard_batch", "empty", lambda: diffprog.shard_batch((), mesh)),
             Row("shard_batch", "scalar leaves", lambda: diffprog.shard_batch(1.0, mesh)),
             Row("shard_batch", "mesh not a mesh", lambda: diffprog.shard_batch(batch, "mesh")),
             Row("replicate", "mesh not a mesh", lambda: diffprog.replicate(1.0, None)),
             Row("data_parallel_value_and_grad", "non-callable", lambda: vg(1.0, mesh)),
             Row("data_parallel_value_and_grad", "wrong arity", lambda: vg(lambda w: w, mesh)),
             Row("data_parallel_step", "optimizer=0.1",
                 lambda: diffprog.data_parallel_step(lambda w, b: w, 0.1, mesh))]
    outputs = {"None": lambda w, b: None, "tuple": lambda w, b: (w, w), "vector": lambda w, b: b[0],
               "complex": lambda w, b: w * 1j, "int": lambda w, b: 3, "list": lambda w, b: [w]}
    rows += [Row("data_parallel_value_and_grad", f"loss returns {k}",
                 lambda f=f: vg(f, mesh)(1.0, batch)) for k, f in outputs.items()]
    return rows


# --------------------------------------------------------------------------------- simulate

def _rows_simulate() -> list[Row]:
    step = simulate.make_step(simulate.spring(1.0), "rk4")
    state = (jnp.ones(()), jnp.zeros(()))
    rows = [Row("rollout", f"dt={dt!r}"[:30], lambda dt=dt: simulate.rollout(step, state, 5, dt))
            for dt in (0.0, -0.1, math.nan, math.inf, jnp.ones(2), HUGE)]
    rows += [Row("rollout", f"num_steps={n!r}", lambda n=n: simulate.rollout(step, state, n, 0.1))
             for n in (0, -1, 2.5, True, "5")]
    rows += [Row("rollout", "non-callable step", lambda: simulate.rollout(3.0, state, 5, 0.1)),
             Row("rollout", "checkpoint='log'", lambda: simulate.rollout(
                 step, state, 5, 0.1, checkpoint="log")),
             Row("make_step", "method='leapfrog'", lambda: simulate.make_step(
                 simulate.spring(1.0), "leapfrog")),
             Row("make_step", "non-callable f", lambda: simulate.make_step(1.0)),
             Row("spring", "state not a pair", lambda: simulate.spring(1.0)(0.0, jnp.ones(3)))]
    rows += [Row("spring", f"mass={m!r}", lambda m=m: simulate.spring(1.0, mass=m))
             for m in (0.0, -1.0, math.nan, 1j)]
    rows += [Row("pendulum", f"length={v!r}", lambda v=v: simulate.pendulum(length=v))
             for v in (0.0, -1.0, math.inf)]
    rows += [Row("double_pendulum", "m2=0", lambda: simulate.double_pendulum(m2=0.0))]
    return rows


ROWS: list[Row] = (_rows_optimize() + _rows_costs() + _rows_models() + _rows_exhaustion()
                   + _rows_exercises() + _rows_parallel() + _rows_simulate())


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.function}: {r.kind}" for r in ROWS])
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
